// Futex wait and wake on 32-bit words of shared memory, across processes. V8's Atomics.wait
// and Atomics.notify only wake within one process, so these use the futex syscall without
// FUTEX_PRIVATE_FLAG.
//
// Async waits run on this addon's own waiter threads, never on libuv's threadpool: a pending
// wait can last forever and would starve fs and dns there. One thread per pending wait, kept
// for reuse while idle. A finished wait is handed to its isolate's event loop by uv_async.
#include "addon.h"

#include <cerrno>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#if defined(__linux__)
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

namespace mp {
namespace {

enum WaitResult { kOk = 0, kNotEqual = 1, kTimedOut = 2, kCancelled = 3 };

timespec Now() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now;
}

timespec After(timespec from, double ms) {
  int64_t ns = static_cast<int64_t>(ms * 1e6);
  from.tv_sec += ns / 1000000000;
  from.tv_nsec += ns % 1000000000;
  if (from.tv_nsec >= 1000000000) {
    from.tv_sec += 1;
    from.tv_nsec -= 1000000000;
  }
  return from;
}

bool Before(const timespec& a, const timespec& b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

// FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline, so EINTR simply retries.
int WaitUntil(int32_t* word, int32_t expected, const timespec* deadline) {
  for (;;) {
    long r = syscall(SYS_futex, word, FUTEX_WAIT_BITSET, expected, deadline, nullptr,
                     FUTEX_BITSET_MATCH_ANY);
    if (r == 0) return kOk;
    if (errno == EAGAIN) return kNotEqual;
    if (errno == ETIMEDOUT) return kTimedOut;
    if (errno != EINTR) return -errno;
  }
}

int Wake(int32_t* word, int count) {
  long r = syscall(SYS_futex, word, FUTEX_WAKE, count, nullptr, nullptr, 0);
  return r < 0 ? 0 : static_cast<int>(r);
}

// The word at byteOffset of a SharedArrayBuffer; keeps its memory alive through *store.
int32_t* WordAt(const v8::FunctionCallbackInfo<v8::Value>& info,
                std::shared_ptr<v8::BackingStore>* store) {
  v8::Isolate* isolate = info.GetIsolate();
  if (!info[0]->IsSharedArrayBuffer()) {
    ThrowTypeError(isolate, "futex: expected a SharedArrayBuffer");
    return nullptr;
  }
  *store = info[0].As<v8::SharedArrayBuffer>()->GetBackingStore();
  double offset = info[1]->NumberValue(isolate->GetCurrentContext()).FromMaybe(-1);
  if (!(offset >= 0) || static_cast<int64_t>(offset) % 4 != 0 ||
      offset + 4 > static_cast<double>((*store)->ByteLength())) {
    ThrowTypeError(isolate, "futex: byteOffset must be a multiple of 4 inside the buffer");
    return nullptr;
  }
  return reinterpret_cast<int32_t*>(static_cast<char*>((*store)->Data()) + static_cast<size_t>(offset));
}

// timeoutMs: a finite number >= 0, or Infinity / negative for no deadline.
bool DeadlineArg(v8::Isolate* isolate, v8::Local<v8::Value> value, timespec* deadline) {
  double ms = value->NumberValue(isolate->GetCurrentContext()).FromMaybe(-1);
  if (!(ms >= 0) || ms == INFINITY) return false;
  *deadline = After(Now(), ms);
  return true;
}

// futexWait(buffer, byteOffset, expected, timeoutMs): 0 woken, 1 not-equal, 2 timed out.
void FutexWait(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  std::shared_ptr<v8::BackingStore> store;
  int32_t* word = WordAt(info, &store);
  if (word == nullptr) return;
  int32_t expected = info[2]->Int32Value(isolate->GetCurrentContext()).FromMaybe(0);
  timespec deadline;
  bool timed = DeadlineArg(isolate, info[3], &deadline);
  int result = WaitUntil(word, expected, timed ? &deadline : nullptr);
  if (result < 0) return ThrowErrno(isolate, "futex", -result);
  info.GetReturnValue().Set(result);
}

// futexWake(buffer, byteOffset, count): how many waiters were woken.
void FutexWake(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  std::shared_ptr<v8::BackingStore> store;
  int32_t* word = WordAt(info, &store);
  if (word == nullptr) return;
  double count = info[2]->NumberValue(isolate->GetCurrentContext()).FromMaybe(1);
  int n = count >= INT_MAX ? INT_MAX : count < 1 ? 1 : static_cast<int>(count);
  info.GetReturnValue().Set(Wake(word, n));
}

// ---- async waits ----

struct Isolated;

struct AsyncWait {
  uint32_t id;
  std::shared_ptr<v8::BackingStore> store;
  int32_t* word;
  int32_t expected;
  bool timed;
  timespec deadline;
  std::atomic<bool> cancelled{false};
  int result = kOk;
  std::shared_ptr<Isolated> owner;
};

// Per isolate (main thread and each worker): its loop handle and its pending waits.
struct Isolated {
  v8::Isolate* isolate;
  v8::Global<v8::Context> context;
  uv_async_t* async;
  std::mutex mutex;
  std::vector<std::shared_ptr<AsyncWait>> finished;  // guarded by mutex
  bool closing = false;                              // guarded by mutex
  // JS thread only.
  std::unordered_map<uint32_t, std::pair<std::shared_ptr<AsyncWait>, v8::Global<v8::Function>>> pending;
  uint32_t next_id = 1;

  // Pending waits keep the event loop alive, as pending I/O does.
  void UpdateRef() {
    if (pending.empty()) uv_unref(reinterpret_cast<uv_handle_t*>(async));
    else uv_ref(reinterpret_cast<uv_handle_t*>(async));
  }
};

// The process-wide pool of waiter threads. Never destroyed (see shm.cc).
struct Pool {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::shared_ptr<AsyncWait>> jobs;
  int idle = 0;
};
Pool& pool = *new Pool;

// A cancelled wait may sleep on until its deadline; waking it in slices bounds how long its
// thread stays taken.
constexpr double kSliceMs = 1000;

void RunWait(AsyncWait& job) {
  for (;;) {
    if (job.cancelled.load()) {
      job.result = kCancelled;
      break;
    }
    timespec slice = After(Now(), kSliceMs);
    bool last = job.timed && !Before(slice, job.deadline);
    int r = WaitUntil(job.word, job.expected, last ? &job.deadline : &slice);
    if (r == kTimedOut && !last) continue;
    job.result = r < 0 ? kOk : r;  // an unexpected errno reads as a (spurious) wake-up
    break;
  }
  // A wake-up this cancelled wait swallowed belongs to someone else: pass it on.
  if (job.cancelled.load() && job.result == kOk) Wake(job.word, 1);
}

void WaiterThread() {
  std::unique_lock<std::mutex> lock(pool.mutex);
  for (;;) {
    pool.idle++;
    bool got = pool.ready.wait_for(lock, std::chrono::seconds(30), [] { return !pool.jobs.empty(); });
    pool.idle--;
    if (!got) return;  // idle for long: let the thread go
    std::shared_ptr<AsyncWait> job = std::move(pool.jobs.front());
    pool.jobs.pop_front();
    lock.unlock();
    RunWait(*job);
    {
      Isolated& owner = *job->owner;
      std::lock_guard<std::mutex> guard(owner.mutex);
      if (!owner.closing) {
        owner.finished.push_back(job);
        uv_async_send(owner.async);
      }
    }
    job.reset();
    lock.lock();
  }
}

void Submit(std::shared_ptr<AsyncWait> job) {
  std::lock_guard<std::mutex> lock(pool.mutex);
  pool.jobs.push_back(std::move(job));
  if (static_cast<int>(pool.jobs.size()) > pool.idle) std::thread(WaiterThread).detach();
  else pool.ready.notify_one();
}

void OnFinished(uv_async_t* handle) {
  Isolated& self = *static_cast<Isolated*>(handle->data);
  std::vector<std::shared_ptr<AsyncWait>> done;
  {
    std::lock_guard<std::mutex> lock(self.mutex);
    done.swap(self.finished);
  }
  v8::Isolate* isolate = self.isolate;
  v8::HandleScope scope(isolate);
  v8::Local<v8::Context> context = self.context.Get(isolate);
  v8::Context::Scope context_scope(context);
  for (auto& job : done) {
    auto it = self.pending.find(job->id);
    if (it == self.pending.end()) continue;  // cancelled: already settled in JS
    v8::Local<v8::Function> callback = it->second.second.Get(isolate);
    self.pending.erase(it);
    self.UpdateRef();
    v8::Local<v8::Value> argv[] = {v8::Integer::New(isolate, job->result)};
    node::MakeCallback(isolate, context->Global(), callback, 1, argv, {0, 0});
  }
}

void CancelJob(Isolated& self, std::unordered_map<uint32_t, std::pair<std::shared_ptr<AsyncWait>, v8::Global<v8::Function>>>::iterator it) {
  AsyncWait& job = *it->second.first;
  job.cancelled.store(true);
  // Every waiter on this word wakes and re-checks its condition: all our waits loop.
  Wake(job.word, INT_MAX);
  it->second.second.Reset();
  self.pending.erase(it);
}

// futexWaitAsync(buffer, byteOffset, expected, timeoutMs, callback(result)): id
void FutexWaitAsync(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  auto* holder = static_cast<std::shared_ptr<Isolated>*>(info.Data().As<v8::External>()->Value());
  std::shared_ptr<Isolated> self = *holder;
  auto job = std::make_shared<AsyncWait>();
  job->word = WordAt(info, &job->store);
  if (job->word == nullptr) return;
  if (!info[4]->IsFunction()) return ThrowTypeError(isolate, "futexWaitAsync: callback must be a function");
  job->expected = info[2]->Int32Value(isolate->GetCurrentContext()).FromMaybe(0);
  job->timed = DeadlineArg(isolate, info[3], &job->deadline);
  job->id = self->next_id++;
  if (self->next_id == 0) self->next_id = 1;
  job->owner = self;
  self->pending.emplace(job->id, std::make_pair(job, v8::Global<v8::Function>(isolate, info[4].As<v8::Function>())));
  self->UpdateRef();
  Submit(job);
  info.GetReturnValue().Set(job->id);
}

// futexCancel(id): true if the wait was still pending; its callback will not be called.
void FutexCancel(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  auto* holder = static_cast<std::shared_ptr<Isolated>*>(info.Data().As<v8::External>()->Value());
  Isolated& self = **holder;
  uint32_t id = info[0]->Uint32Value(isolate->GetCurrentContext()).FromMaybe(0);
  auto it = self.pending.find(id);
  if (it == self.pending.end()) return info.GetReturnValue().Set(false);
  CancelJob(self, it);
  self.UpdateRef();
  info.GetReturnValue().Set(true);
}

// The isolate is going away (worker exit): cancel its waits, stop taking results.
void CloseIsolated(void* arg) {
  auto* holder = static_cast<std::shared_ptr<Isolated>*>(arg);
  Isolated& self = **holder;
  {
    std::lock_guard<std::mutex> lock(self.mutex);
    self.closing = true;
    self.finished.clear();
  }
  while (!self.pending.empty()) CancelJob(self, self.pending.begin());
  self.context.Reset();
  uv_close(reinterpret_cast<uv_handle_t*>(self.async),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_async_t*>(handle); });
  delete holder;
}

// ---- threads: who owns a lock, and is it still alive ----

void ThreadId(const v8::FunctionCallbackInfo<v8::Value>& info) {
  info.GetReturnValue().Set(static_cast<int32_t>(syscall(SYS_gettid)));
}

// threadAlive(tid): false once the thread (of any process) has exited, zombies included:
// a parent blocked waiting for a lock cannot reap the child that died holding it.
void ThreadAlive(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  int32_t tid = info[0]->Int32Value(isolate->GetCurrentContext()).FromMaybe(0);
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", tid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return info.GetReturnValue().Set(errno != ENOENT && errno != ESRCH);
  char buffer[512];
  ssize_t n = read(fd, buffer, sizeof buffer - 1);
  close(fd);
  if (n <= 0) return info.GetReturnValue().Set(false);
  buffer[n] = '\0';
  const char* paren = std::strrchr(buffer, ')');  // the name may contain spaces and parens
  char state = paren != nullptr && paren[1] == ' ' ? paren[2] : '?';
  info.GetReturnValue().Set(state != 'Z' && state != 'X' && state != 'x');
}

}  // namespace

void RegisterFutex(v8::Isolate* isolate, v8::Local<v8::Object> exports) {
  auto* holder = new std::shared_ptr<Isolated>(std::make_shared<Isolated>());
  Isolated& self = **holder;
  self.isolate = isolate;
  self.context.Reset(isolate, isolate->GetCurrentContext());
  self.async = new uv_async_t;
  uv_async_init(node::GetCurrentEventLoop(isolate), self.async, OnFinished);
  self.async->data = &self;
  uv_unref(reinterpret_cast<uv_handle_t*>(self.async));
  node::AddEnvironmentCleanupHook(isolate, CloseIsolated, holder);
  v8::Local<v8::External> data = v8::External::New(isolate, holder);
  SetMethod(isolate, exports, "futexWait", FutexWait);
  SetMethod(isolate, exports, "futexWake", FutexWake);
  SetMethod(isolate, exports, "futexWaitAsync", FutexWaitAsync, data);
  SetMethod(isolate, exports, "futexCancel", FutexCancel, data);
  SetMethod(isolate, exports, "threadId", ThreadId);
  SetMethod(isolate, exports, "threadAlive", ThreadAlive);
}

}  // namespace mp

#else  // not Linux: the JS side reports the platform before calling any of these.

namespace mp {
void RegisterFutex(v8::Isolate*, v8::Local<v8::Object>) {}
}  // namespace mp

#endif
