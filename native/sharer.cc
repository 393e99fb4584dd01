// The resource sharer (CPython's multiprocessing/resource_sharer.py): how a socket or server
// crosses to another process. The sender duplicates the descriptor and keeps it under a random
// token; a thread of this addon serves a Unix socket in the abstract namespace; the receiver
// connects, sends the token and gets the descriptor back with SCM_RIGHTS. Only processes of
// the same user are served, and only with a token they were given. Linux only.
#include "addon.h"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

namespace mp {
namespace {

constexpr size_t kTokenBytes = 32;  // hex characters

std::mutex mu;
std::map<std::string, int> shared;  // token -> duplicated descriptor
std::string address;                // abstract name, without its leading NUL
int listen_fd = -1;

bool RandomHex(char* out, size_t length) {
  unsigned char bytes[32];
#if defined(__linux__)
  if (getrandom(bytes, length / 2, 0) != static_cast<ssize_t>(length / 2)) return false;
#else
  return false;
#endif
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < length / 2; i++) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 15];
  }
  return true;
}

sockaddr_un AddressOf(const std::string& name, socklen_t* length) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  size_t n = std::min(name.size(), sizeof(addr.sun_path) - 2);
  std::memcpy(addr.sun_path + 1, name.data(), n);  // sun_path[0] == 0: the abstract namespace
  *length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n);
  return addr;
}

void Serve(int client) {
#if defined(__linux__)
  ucred cred{};
  socklen_t cred_length = sizeof(cred);
  if (getsockopt(client, SOL_SOCKET, SO_PEERCRED, &cred, &cred_length) != 0 || cred.uid != getuid()) return;
#endif
  timeval timeout{2, 0};
  setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  char token[kTokenBytes];
  size_t got = 0;
  while (got < kTokenBytes) {
    ssize_t n = recv(client, token + got, kTokenBytes - got, 0);
    if (n <= 0) return;
    got += static_cast<size_t>(n);
  }
  int fd = -1;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = shared.find(std::string(token, kTokenBytes));
    if (it != shared.end()) {
      fd = it->second;
      shared.erase(it);
    }
  }
  char status = fd >= 0 ? 1 : 0;
  iovec iov{&status, 1};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  }
  sendmsg(client, &msg, MSG_NOSIGNAL);
  if (fd >= 0) close(fd);
}

void ServeLoop(int fd) {
  for (;;) {
    int client = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    Serve(client);
    close(client);
  }
}

// Starts the serving thread once per process; false if the platform cannot.
bool EnsureServer(v8::Isolate* isolate) {
  if (listen_fd >= 0) return true;
#if defined(__linux__)
  char suffix[17] = {0};
  if (!RandomHex(suffix, 16)) {
    ThrowErrno(isolate, "getrandom", errno);
    return false;
  }
  std::string name = "multiprocessing-ts-sharer-" + std::to_string(getpid()) + "-" + suffix;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ThrowErrno(isolate, "socket", errno);
    return false;
  }
  socklen_t length;
  sockaddr_un addr = AddressOf(name, &length);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), length) != 0 || listen(fd, 64) != 0) {
    int err = errno;
    close(fd);
    ThrowErrno(isolate, "bind", err);
    return false;
  }
  address = name;
  listen_fd = fd;
  std::thread(ServeLoop, fd).detach();
  return true;
#else
  ThrowErrno(isolate, "resource sharer", ENOSYS);
  return false;
#endif
}

// shareFd(fd): [address, token]; the descriptor is duplicated, the caller may close its own.
void ShareFd(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  int fd = info[0]->Int32Value(isolate->GetCurrentContext()).FromMaybe(-1);
  std::lock_guard<std::mutex> lock(mu);
  if (!EnsureServer(isolate)) return;
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return ThrowErrno(isolate, "dup", errno);
  char token[kTokenBytes];
  if (!RandomHex(token, kTokenBytes)) {
    close(copy);
    return ThrowErrno(isolate, "getrandom", errno);
  }
  std::string key(token, kTokenBytes);
  shared[key] = copy;
  v8::Local<v8::Value> items[] = {
      v8::String::NewFromUtf8(isolate, address.c_str()).ToLocalChecked(),
      v8::String::NewFromUtf8(isolate, key.c_str(), v8::NewStringType::kNormal, kTokenBytes).ToLocalChecked()};
  info.GetReturnValue().Set(v8::Array::New(isolate, items, 2));
}

// unshareFd(token): drops a descriptor nobody took.
void UnshareFd(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  v8::String::Utf8Value token(isolate, info[0]);
  std::lock_guard<std::mutex> lock(mu);
  auto it = shared.find(std::string(*token, token.length()));
  if (it == shared.end()) return;
  close(it->second);
  shared.erase(it);
}

// takeSharedFd(address, token): the descriptor, or -1 if the sender no longer has it.
void TakeSharedFd(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  v8::String::Utf8Value name(isolate, info[0]);
  v8::String::Utf8Value token(isolate, info[1]);
  if (token.length() != static_cast<int>(kTokenBytes)) return ThrowTypeError(isolate, "takeSharedFd: bad token");
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ThrowErrno(isolate, "socket", errno);
  socklen_t length;
  sockaddr_un addr = AddressOf(std::string(*name, name.length()), &length);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), length) != 0) {
    int err = errno;
    close(fd);
    return ThrowErrno(isolate, "connect", err);
  }
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (send(fd, *token, kTokenBytes, MSG_NOSIGNAL) != static_cast<ssize_t>(kTokenBytes)) {
    int err = errno;
    close(fd);
    return ThrowErrno(isolate, "send", err);
  }
  char status = 0;
  iovec iov{&status, 1};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  int err = errno;
  close(fd);
  if (n != 1) return ThrowErrno(isolate, "recvmsg", n < 0 ? err : ECONNRESET);
  int received = -1;
  for (cmsghdr* cmsg = CMSG_FIRSTHDR(&msg); cmsg != nullptr; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
    if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) std::memcpy(&received, CMSG_DATA(cmsg), sizeof(int));
  }
  info.GetReturnValue().Set(status == 1 ? received : -1);
}

}  // namespace

void RegisterSharer(v8::Isolate* isolate, v8::Local<v8::Object> exports) {
  SetMethod(isolate, exports, "shareFd", ShareFd);
  SetMethod(isolate, exports, "unshareFd", UnshareFd);
  SetMethod(isolate, exports, "takeSharedFd", TakeSharedFd);
}

}  // namespace mp
