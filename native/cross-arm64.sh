#!/bin/sh
# Compile check of the addon for Linux ARM64 (the portable microkernel path) with Debian's cross
# compiler (apt-get install g++-aarch64-linux-gnu): the CMakeLists.txt sources but the x86 units,
# warnings as errors, then a link that must leave no mlpx symbol undefined. It cannot run the
# result (no ARM64 Node here); it keeps the portable path building on a machine that only ever
# selects an x86 kernel path.
set -eu
cd "$(dirname "$0")/.."
cxx=${CXX_ARM64:-aarch64-linux-gnu-g++}
command -v "$cxx" >/dev/null || { echo "mlpx arm64: $cxx not found (apt-get install g++-aarch64-linux-gnu)" >&2; exit 1; }
out=build/arm64
mkdir -p "$out"
rm -f "$out"/*.o
for source in $(grep -o 'native/[a-z_0-9]*\.cc' CMakeLists.txt | grep -v -e _avx2 -e _avx512 | sort -u); do
  "$cxx" -std=c++17 -O3 -fPIC -fvisibility=hidden -Wall -Wextra -Werror \
    -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DNODE_ADDON_API_DISABLE_DEPRECATED \
    -Inode_modules/node-api-headers/include -Inode_modules/node-addon-api \
    -c "$source" -o "$out/$(basename "$source" .cc).o"
done
# Node-API symbols resolve when Node loads the addon; anything of ours left undefined is a bug.
"$cxx" -shared -pthread -o "$out/mlpx.node" "$out"/*.o
undefined=$(nm -uC "$out/mlpx.node" | grep 'mlpx::' || true)
[ -z "$undefined" ] || { echo "mlpx arm64: undefined symbols:\n$undefined" >&2; exit 1; }
echo "mlpx arm64: $out/mlpx.node compiled and linked for aarch64 (portable microkernel)"
