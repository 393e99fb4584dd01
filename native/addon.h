// multiprocessing-ts native core: one addon, one file per concept, each registering its
// functions on the exports object through Register*.
#pragma once
#include <memory>
#include <node.h>
#include <v8.h>

namespace mp {

void SetMethod(v8::Isolate* isolate, v8::Local<v8::Object> target, const char* name,
               v8::FunctionCallback callback, v8::Local<v8::Value> data = {});
// Throws an Error carrying `errno` and `syscall`, as Node's own system errors do.
void ThrowErrno(v8::Isolate* isolate, const char* syscall, int err);
void ThrowTypeError(v8::Isolate* isolate, const char* message);

// A SharedArrayBuffer over memory this addon mapped, with its size reported to V8 for as
// long as this isolate's object lives (V8 does not count external shared stores itself).
v8::Local<v8::SharedArrayBuffer> WrapBackingStore(v8::Isolate* isolate,
                                                  std::shared_ptr<v8::BackingStore> store);

void RegisterProcess(v8::Isolate* isolate, v8::Local<v8::Object> exports);
void RegisterSharedMemory(v8::Isolate* isolate, v8::Local<v8::Object> exports);
void RegisterFutex(v8::Isolate* isolate, v8::Local<v8::Object> exports);
void RegisterSharer(v8::Isolate* isolate, v8::Local<v8::Object> exports);
void RegisterPromise(v8::Isolate* isolate, v8::Local<v8::Object> exports);

}  // namespace mp
