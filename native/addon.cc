#include "addon.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace mp {

void SetMethod(v8::Isolate* isolate, v8::Local<v8::Object> target, const char* name,
               v8::FunctionCallback callback) {
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  v8::Local<v8::Function> fn =
      v8::FunctionTemplate::New(isolate, callback)->GetFunction(context).ToLocalChecked();
  v8::Local<v8::String> key =
      v8::String::NewFromUtf8(isolate, name, v8::NewStringType::kInternalized).ToLocalChecked();
  fn->SetName(key);
  target->Set(context, key, fn).Check();
}

void ThrowErrno(v8::Isolate* isolate, const char* syscall, int err) {
  std::string message = std::string(syscall) + ": " + std::strerror(err);
  isolate->ThrowException(v8::Exception::Error(
      v8::String::NewFromUtf8(isolate, message.c_str()).ToLocalChecked()));
}

}  // namespace mp

// Context-aware, so worker threads can load it too.
NODE_MODULE_INIT(/* exports, module, context */) {
  v8::Isolate* isolate = context->GetIsolate();
  mp::RegisterProcess(isolate, exports);
}
