{
  "targets": [
    {
      "target_name": "multiprocessing_native",
      "sources": ["native/addon.cc", "native/process.cc", "native/shm.cc", "native/futex.cc", "native/sharer.cc", "native/promise.cc"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall"],
      "cflags_cc!": ["-fno-exceptions"]
    },
    {
      "target_name": "resource_tracker",
      "type": "executable",
      "sources": ["native/resource_tracker.c"],
      "cflags": ["-O2", "-Wall"],
      "libraries": ["-lrt"]
    }
  ]
}
