// Promises settled from outside without resolving functions: `new Promise(executor)` makes two
// closures and their context per promise, most of what a pool task in flight weighs.
#include "addon.h"

namespace mp {
namespace {

// promiseNew(): a pending Promise.
void PromiseNew(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Local<v8::Promise::Resolver> resolver;
  if (v8::Promise::Resolver::New(info.GetIsolate()->GetCurrentContext()).ToLocal(&resolver)) {
    info.GetReturnValue().Set(resolver->GetPromise());
  }
}

// promiseSettle(promise, ok, value): resolves (ok) or rejects a promise made by promiseNew.
void PromiseSettle(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  if (!info[0]->IsPromise()) return ThrowTypeError(isolate, "promiseSettle: not a promise");
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  // A promise and its resolver are one object in V8.
  v8::Local<v8::Promise::Resolver> resolver = info[0].As<v8::Promise::Resolver>();
  if (info[1]->IsTrue()) (void)resolver->Resolve(context, info[2]);
  else (void)resolver->Reject(context, info[2]);
}

}  // namespace

void RegisterPromise(v8::Isolate* isolate, v8::Local<v8::Object> exports) {
  SetMethod(isolate, exports, "promiseNew", PromiseNew);
  SetMethod(isolate, exports, "promiseSettle", PromiseSettle);
}

}  // namespace mp
