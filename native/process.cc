// Process lifetime helpers. Linux: the kernel delivers a signal to the child when its parent
// dies, so no child outlives a parent killed with SIGKILL, even one busy in a CPU loop.
#include "addon.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

namespace mp {
namespace {

// setParentDeathSignal(signal: number): boolean — false where the platform has no such thing.
void SetParentDeathSignal(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
#if defined(__linux__)
  int sig = info[0]->Int32Value(isolate->GetCurrentContext()).FromMaybe(SIGKILL);
  if (prctl(PR_SET_PDEATHSIG, sig) != 0) return ThrowErrno(isolate, "prctl", errno);
  info.GetReturnValue().Set(true);
#else
  info.GetReturnValue().Set(false);
#endif
}

// pipe(): [readFd, writeFd], both close-on-exec: only children we hand them to get them.
void Pipe(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  int fds[2];
#if defined(__linux__)
  if (pipe2(fds, O_CLOEXEC) != 0) return ThrowErrno(isolate, "pipe2", errno);
#else
  if (pipe(fds) != 0) return ThrowErrno(isolate, "pipe", errno);
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  fcntl(fds[1], F_SETFD, FD_CLOEXEC);
#endif
  v8::Local<v8::Value> items[] = {v8::Integer::New(isolate, fds[0]), v8::Integer::New(isolate, fds[1])};
  info.GetReturnValue().Set(v8::Array::New(isolate, items, 2));
}

// socketPair(): [ours, theirs], close-on-exec and blocking: a child's payload channel, which a
// forkserver spare also uses to say it is ready.
void SocketPair(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  int fds[2];
#if defined(SOCK_CLOEXEC)
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return ThrowErrno(isolate, "socketpair", errno);
#else
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return ThrowErrno(isolate, "socketpair", errno);
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  fcntl(fds[1], F_SETFD, FD_CLOEXEC);
#endif
  v8::Local<v8::Value> items[] = {v8::Integer::New(isolate, fds[0]), v8::Integer::New(isolate, fds[1])};
  info.GetReturnValue().Set(v8::Array::New(isolate, items, 2));
}

// takeByte(fd): reads one byte if one is waiting, never blocks.
void TakeByte(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  int fd = info[0]->Int32Value(isolate->GetCurrentContext()).FromMaybe(-1);
  char byte;
  info.GetReturnValue().Set(recv(fd, &byte, 1, MSG_DONTWAIT) == 1);
}

// closeFd(fd): for descriptors this addon made; fs.closeSync warns about those in workers.
void CloseFd(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  int fd = info[0]->Int32Value(isolate->GetCurrentContext()).FromMaybe(-1);
  if (close(fd) != 0) return ThrowErrno(isolate, "close", errno);
}

// The resource tracker's pipe is one per process, whichever thread opened it first.
std::atomic<int> tracker_fd{-1};

// trackerFd(candidate?): the process's tracker fd. With a candidate, installs it unless
// another thread was first; the caller closes its candidate if the result differs.
void TrackerFd(const v8::FunctionCallbackInfo<v8::Value>& info) {
  if (info.Length() > 0 && info[0]->IsInt32()) {
    int expected = -1;
    tracker_fd.compare_exchange_strong(expected, info[0].As<v8::Int32>()->Value());
  }
  info.GetReturnValue().Set(tracker_fd.load());
}

}  // namespace

void RegisterProcess(v8::Isolate* isolate, v8::Local<v8::Object> exports) {
  SetMethod(isolate, exports, "setParentDeathSignal", SetParentDeathSignal);
  SetMethod(isolate, exports, "pipe", Pipe);
  SetMethod(isolate, exports, "socketPair", SocketPair);
  SetMethod(isolate, exports, "takeByte", TakeByte);
  SetMethod(isolate, exports, "closeFd", CloseFd);
  SetMethod(isolate, exports, "trackerFd", TrackerFd);
}

}  // namespace mp
