// Process lifetime helpers. Linux: the kernel delivers a signal to the child when its parent
// dies, so no child outlives a parent killed with SIGKILL, even one busy in a CPU loop.
#include "addon.h"

#include <csignal>
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

}  // namespace

void RegisterProcess(v8::Isolate* isolate, v8::Local<v8::Object> exports) {
  SetMethod(isolate, exports, "setParentDeathSignal", SetParentDeathSignal);
}

}  // namespace mp
