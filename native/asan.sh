#!/bin/sh
# AddressSanitizer + UndefinedBehaviorSanitizer run of the native backend (CI runs it).
# Builds a sanitized addon into build/asan (the normal build/Release is untouched), then runs the
# parity suite, the native tests and the misuse suites that drive the addon's epoch worker, busy
# and dispose paths against it: MLPX_NATIVE_PATH makes the loader use only that
# file, and node (not instrumented) gets the sanitizer runtimes through LD_PRELOAD; only the addon
# is instrumented, so MLPX_TEST_BACKENDS=native leaves the wasm backend out of the suites (the
# reference stays where a test compares against it). Any report aborts the test process, so a
# clean run is exit code 0. Linux + g++ or clang++.
#
# The memory-flatness test is left out: ASan's quarantine deliberately holds freed memory.
set -eu
cd "$(dirname "$0")/.."

MLPX_REQUIRE_NATIVE=1 node native/build.mjs --out build/asan --sanitize
addon=$(find "$PWD/build/asan" -name mlpx.node -type f | head -n 1)
cxx=${CXX:-c++}
libasan=$($cxx -print-file-name=libasan.so)
libubsan=$($cxx -print-file-name=libubsan.so)
for lib in "$libasan" "$libubsan"; do
  [ -f "$lib" ] || { echo "mlpx asan: $lib not found (install the compiler's sanitizer runtime)" >&2; exit 1; }
done
echo "mlpx asan: testing $addon"

# detect_leaks=0: node itself does not free everything at exit; leaks are what memory.test.ts checks.
MLPX_NATIVE_PATH=$addon MLPX_REQUIRE_NATIVE=1 MLPX_TEST_BACKENDS=native \
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
LD_PRELOAD="$libasan $libubsan" \
  node node_modules/vitest/vitest.mjs run test/parity test/native/bad-input.test.ts test/native/threads.test.ts \
    test/native/predict.test.ts test/native/kernel-paths.test.ts test/native/short-epoch.test.ts \
    test/native/progress.test.ts test/misuse/during-fit.test.ts test/misuse/callbacks.test.ts test/misuse/detach.test.ts \
    test/misuse/dispose.test.ts test/misuse/engine-errors.test.ts test/misuse/nonfinite.test.ts test/misuse/options.test.ts
