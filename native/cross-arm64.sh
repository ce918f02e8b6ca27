#!/bin/sh
# The addon for Linux ARM64 (the portable microkernel path) with Debian's cross compiler
# (apt-get install g++-aarch64-linux-gnu): the CMakeLists.txt sources but the x86 (avx*) units, with
# CMakeLists.txt's flags and warnings as errors, then a link that must leave no mlpx symbol
# undefined. The result is the package's prebuilds/linux-arm64 binary (native/prebuild.mjs);
# native/arm64-parity.sh runs the parity tests against it under qemu-user. Skipped when
# build/arm64/mlpx.node is newer than every native source.
set -eu
cd "$(dirname "$0")/.."
cxx=${CXX_ARM64:-aarch64-linux-gnu-g++}
command -v "$cxx" >/dev/null || { echo "mlpx arm64: $cxx not found (apt-get install g++-aarch64-linux-gnu)" >&2; exit 1; }
out=build/arm64
if [ -f "$out/mlpx.node" ] && [ -z "$(find native CMakeLists.txt -newer "$out/mlpx.node" | head -n 1)" ]; then
  echo "mlpx arm64: $out/mlpx.node is up to date"
  exit 0
fi
mkdir -p "$out"
rm -f "$out"/*.o
for source in $(grep -o 'native/[a-z_0-9]*\.cc' CMakeLists.txt | grep -v avx | sort -u); do
  # as in CMakeLists.txt: the element-wise loops without FMA contraction (the same bits as wasm)
  contract=; [ "$source" = native/elementwise_portable.cc ] && contract=-ffp-contract=off
  "$cxx" -std=c++17 -O3 -fno-math-errno -fno-trapping-math -fPIC -fvisibility=hidden -Wall -Wextra -Werror $contract \
    -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DNODE_ADDON_API_CPP_EXCEPTIONS_ALL -DNODE_ADDON_API_DISABLE_DEPRECATED \
    -Inode_modules/node-api-headers/include -Inode_modules/node-addon-api \
    -c "$source" -o "$out/$(basename "$source" .cc).o"
done
# Node-API symbols resolve when Node loads the addon; anything of ours left undefined is a bug.
"$cxx" -shared -pthread -o "$out/mlpx.node.tmp" "$out"/*.o
undefined=$(nm -uC "$out/mlpx.node.tmp" | grep 'mlpx::' || true)
[ -z "$undefined" ] || { echo "mlpx arm64: undefined symbols:\n$undefined" >&2; exit 1; }
mv "$out/mlpx.node.tmp" "$out/mlpx.node"
echo "mlpx arm64: $out/mlpx.node compiled and linked for aarch64 (portable microkernel)"
