// multiprocessing-ts native core: one addon, one file per concept, each registering its
// functions on the exports object through Register*.
#pragma once
#include <node.h>
#include <v8.h>

namespace mp {

void SetMethod(v8::Isolate* isolate, v8::Local<v8::Object> target, const char* name,
               v8::FunctionCallback callback);
void ThrowErrno(v8::Isolate* isolate, const char* syscall, int err);

void RegisterProcess(v8::Isolate* isolate, v8::Local<v8::Object> exports);

}  // namespace mp
