/* Loads a libcupcake built for musl and calls the exported `version` function, the way UniFFI's
 * bindings do (a RustCallStatus out-parameter, a RustBuffer of UTF-8 back). ci/test-dist.sh
 * builds it with zig and runs it under the musl loader of Debian's musl package: the library
 * must resolve every symbol it needs against a real musl and run.
 * Usage: musl-load-check <path to libcupcake.so>; prints the version. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
typedef struct { uint64_t capacity; uint64_t len; uint8_t *data; } RustBuffer;
typedef struct { int8_t code; RustBuffer error_buf; } RustCallStatus;
int main(int argc, char **argv) {
  void *library = dlopen(argv[1], RTLD_NOW);
  if (!library) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 1; }
  RustBuffer (*version)(RustCallStatus *) = (RustBuffer (*)(RustCallStatus *))dlsym(library, "uniffi_cupcake_fn_func_version");
  if (!version) { fprintf(stderr, "dlsym: %s\n", dlerror()); return 1; }
  RustCallStatus status = {0};
  RustBuffer text = version(&status);
  if (status.code != 0) { fprintf(stderr, "call failed: %d\n", status.code); return 1; }
  printf("%.*s\n", (int)text.len, (const char *)text.data);
  return 0;
}
