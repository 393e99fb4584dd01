#include "addon.h"

#include <cerrno>
#include <cstring>
#include <string>
#if !defined(_WIN32)
#include <dlfcn.h>
#endif

namespace mp {

void SetMethod(v8::Isolate* isolate, v8::Local<v8::Object> target, const char* name,
               v8::FunctionCallback callback, v8::Local<v8::Value> data) {
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  v8::Local<v8::Function> fn =
      v8::FunctionTemplate::New(isolate, callback, data)->GetFunction(context).ToLocalChecked();
  v8::Local<v8::String> key =
      v8::String::NewFromUtf8(isolate, name, v8::NewStringType::kInternalized).ToLocalChecked();
  fn->SetName(key);
  target->Set(context, key, fn).Check();
}

void ThrowErrno(v8::Isolate* isolate, const char* syscall, int err) {
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  std::string message = std::string(syscall) + ": " + std::strerror(err);
  v8::Local<v8::Object> error =
      v8::Exception::Error(v8::String::NewFromUtf8(isolate, message.c_str()).ToLocalChecked())
          .As<v8::Object>();
  error->Set(context, v8::String::NewFromUtf8Literal(isolate, "errno"), v8::Integer::New(isolate, err))
      .Check();
  error->Set(context, v8::String::NewFromUtf8Literal(isolate, "syscall"),
             v8::String::NewFromUtf8(isolate, syscall).ToLocalChecked())
      .Check();
  isolate->ThrowException(error);
}

void ThrowTypeError(v8::Isolate* isolate, const char* message) {
  isolate->ThrowException(
      v8::Exception::TypeError(v8::String::NewFromUtf8(isolate, message).ToLocalChecked()));
}

namespace {

struct ExternalSize {
  v8::Global<v8::SharedArrayBuffer> handle;
  int64_t size;
};

void ForgetExternalSize(const v8::WeakCallbackInfo<ExternalSize>& info) {
  ExternalSize* entry = info.GetParameter();
  info.GetIsolate()->AdjustAmountOfExternalAllocatedMemory(-entry->size);
  entry->handle.Reset();
  delete entry;
}

}  // namespace

v8::Local<v8::SharedArrayBuffer> WrapBackingStore(v8::Isolate* isolate,
                                                  std::shared_ptr<v8::BackingStore> store) {
  int64_t size = static_cast<int64_t>(store->ByteLength());
  v8::Local<v8::SharedArrayBuffer> buffer = v8::SharedArrayBuffer::New(isolate, std::move(store));
  isolate->AdjustAmountOfExternalAllocatedMemory(size);
  auto* entry = new ExternalSize{v8::Global<v8::SharedArrayBuffer>(isolate, buffer), size};
  entry->handle.SetWeak(entry, ForgetExternalSize, v8::WeakCallbackType::kParameter);
  return buffer;
}

}  // namespace mp

namespace {

// Node unloads an addon with the last environment that loaded it; when that is a worker
// thread, our waiter threads and mappings would outlive the code they run. Never unload.
void PinLibrary() {
#if !defined(_WIN32)
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&PinLibrary), &info) != 0 && info.dli_fname != nullptr) {
    dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
  }
#endif
}

}  // namespace

// Context-aware, so worker threads can load it too.
NODE_MODULE_INIT(/* exports, module, context */) {
  PinLibrary();
  v8::Isolate* isolate = context->GetIsolate();
  mp::RegisterProcess(isolate, exports);
  mp::RegisterSharedMemory(isolate, exports);
  mp::RegisterFutex(isolate, exports);
  mp::RegisterSharer(isolate, exports);
  mp::RegisterPromise(isolate, exports);
}
