// Shared memory as SharedArrayBuffers. Node-API cannot make an external SharedArrayBuffer,
// hence the raw V8 API.
//
// Two kinds of memory:
// - named segments (shm_open), for SharedMemory: anyone who knows the name can attach;
// - arenas (memfd_create), for Value/Array/locks: nameless, so nothing can leak in /dev/shm.
//   Another process opens one through /proc/<pid>/fd/<fd> of a process that holds it, as
//   Python's resource_sharer hands out arena fds. An arena is mapped once per process, so
//   every thread shares one mapping.
#include "addon.h"

#include <cerrno>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mp {
namespace {

struct Mapping {
  size_t size;
  int fd;  // arenas keep theirs open: it is how other processes find them
  dev_t dev;
  ino_t ino;
};

// Never destroyed: waiter threads may still run while static destructors do at exit.
std::mutex& arenas_mutex = *new std::mutex;
struct Arena {
  std::weak_ptr<v8::BackingStore> store;
  int fd;
};
auto& arenas = *new std::map<std::pair<dev_t, ino_t>, Arena>;

void Unmap(void* data, size_t, void* deleter_data) {
  auto* mapping = static_cast<Mapping*>(deleter_data);
  munmap(data, mapping->size);
  if (mapping->fd >= 0) {
    std::lock_guard<std::mutex> lock(arenas_mutex);
    auto it = arenas.find({mapping->dev, mapping->ino});
    if (it != arenas.end() && it->second.store.expired()) arenas.erase(it);
    close(mapping->fd);
  }
  delete mapping;
}

// Maps fd whole. Keeps the fd (arenas) or closes it (named segments).
std::shared_ptr<v8::BackingStore> MapFd(v8::Isolate* isolate, int fd, size_t size, bool keep_fd,
                                        const struct stat& st) {
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED) {
    int err = errno;
    close(fd);
    ThrowErrno(isolate, "mmap", err);
    return nullptr;
  }
  if (!keep_fd) close(fd);
  auto* mapping = new Mapping{size, keep_fd ? fd : -1, st.st_dev, st.st_ino};
  std::shared_ptr<v8::BackingStore> store =
      v8::SharedArrayBuffer::NewBackingStore(data, size, Unmap, mapping);
  return store;
}

bool SizeArg(v8::Isolate* isolate, v8::Local<v8::Value> value, size_t* size) {
  double number = value->NumberValue(isolate->GetCurrentContext()).FromMaybe(-1);
  if (!(number >= 0) || number > 9007199254740991.0 || number != static_cast<double>(static_cast<size_t>(number))) {
    ThrowTypeError(isolate, "size must be a non-negative integer");
    return false;
  }
  *size = static_cast<size_t>(number);
  return true;
}

// [SharedArrayBuffer, fd, inode]: the inode names the arena across processes.
v8::Local<v8::Array> Opened(v8::Isolate* isolate, std::shared_ptr<v8::BackingStore> store, int fd,
                            const struct stat& st) {
  v8::Local<v8::Value> items[] = {WrapBackingStore(isolate, std::move(store)),
                                  v8::Integer::New(isolate, fd),
                                  v8::Number::New(isolate, static_cast<double>(st.st_ino))};
  return v8::Array::New(isolate, items, 3);
}

// shmOpen(name, create, size): SharedArrayBuffer. create: O_CREAT|O_EXCL and ftruncate(size);
// otherwise attach and map the whole segment.
void ShmOpen(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  v8::String::Utf8Value name(isolate, info[0]);
  bool create = info[1]->BooleanValue(isolate);
  size_t size = 0;
  if (!SizeArg(isolate, info[2], &size)) return;
  int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0);
  int fd = shm_open(*name, flags, 0600);
  if (fd < 0) return ThrowErrno(isolate, "shm_open", errno);
  if (create && ftruncate(fd, static_cast<off_t>(size)) != 0) {
    int err = errno;
    close(fd);
    shm_unlink(*name);
    return ThrowErrno(isolate, "ftruncate", err);
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return ThrowErrno(isolate, "fstat", err);
  }
  if (st.st_size == 0) {
    close(fd);
    return ThrowErrno(isolate, "mmap", EINVAL);
  }
  auto store = MapFd(isolate, fd, static_cast<size_t>(st.st_size), false, st);
  if (store) info.GetReturnValue().Set(WrapBackingStore(isolate, std::move(store)));
}

void ShmUnlink(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  v8::String::Utf8Value name(isolate, info[0]);
  if (shm_unlink(*name) != 0) return ThrowErrno(isolate, "shm_unlink", errno);
}

// The live mapping of this arena if some thread of this process has one, and its fd.
std::shared_ptr<v8::BackingStore> KnownArena(const struct stat& st, int* fd) {
  std::lock_guard<std::mutex> lock(arenas_mutex);
  auto it = arenas.find({st.st_dev, st.st_ino});
  if (it == arenas.end()) return nullptr;
  *fd = it->second.fd;
  return it->second.store.lock();
}

void Remember(const struct stat& st, const std::shared_ptr<v8::BackingStore>& store, int fd) {
  std::lock_guard<std::mutex> lock(arenas_mutex);
  arenas[{st.st_dev, st.st_ino}] = Arena{store, fd};
}

#if defined(__linux__)
// arenaCreate(size): [SharedArrayBuffer, fd, inode]
void ArenaCreate(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  size_t size = 0;
  if (!SizeArg(isolate, info[0], &size)) return;
  int fd = memfd_create("multiprocessing-ts", MFD_CLOEXEC);
  if (fd < 0) return ThrowErrno(isolate, "memfd_create", errno);
  struct stat st;
  if (ftruncate(fd, static_cast<off_t>(size)) != 0 || fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return ThrowErrno(isolate, "ftruncate", err);
  }
  auto store = MapFd(isolate, fd, size, true, st);
  if (!store) return;
  Remember(st, store, fd);
  info.GetReturnValue().Set(Opened(isolate, std::move(store), fd, st));
}

// arenaOpen(path, inode): [SharedArrayBuffer, fd, inode], reusing this process's mapping if it
// has one. The inode check guards against a path whose fd was closed and reused meanwhile:
// mapping some other file read-write would be a disaster.
void ArenaOpen(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  v8::String::Utf8Value path(isolate, info[0]);
  double inode = info[1]->NumberValue(isolate->GetCurrentContext()).FromMaybe(-1);
  int fd = open(*path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return ThrowErrno(isolate, "open", errno);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return ThrowErrno(isolate, "fstat", err);
  }
  if (static_cast<double>(st.st_ino) != inode) {
    close(fd);
    return ThrowErrno(isolate, "open", ESTALE);
  }
  int known_fd = -1;
  std::shared_ptr<v8::BackingStore> store = KnownArena(st, &known_fd);
  if (store) {
    close(fd);
    info.GetReturnValue().Set(Opened(isolate, std::move(store), known_fd, st));
    return;
  }
  store = MapFd(isolate, fd, static_cast<size_t>(st.st_size), true, st);
  if (!store) return;
  Remember(st, store, fd);
  info.GetReturnValue().Set(Opened(isolate, std::move(store), fd, st));
}
#endif

}  // namespace

void RegisterSharedMemory(v8::Isolate* isolate, v8::Local<v8::Object> exports) {
  SetMethod(isolate, exports, "shmOpen", ShmOpen);
  SetMethod(isolate, exports, "shmUnlink", ShmUnlink);
#if defined(__linux__)
  SetMethod(isolate, exports, "arenaCreate", ArenaCreate);
  SetMethod(isolate, exports, "arenaOpen", ArenaOpen);
#endif
}

}  // namespace mp
