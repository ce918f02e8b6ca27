#!/bin/sh
# Compile check of the MSVC-only code of the addon: native/cpu_features.cc's __cpuidex/_xgetbv
# branch, compiled by Clang for an MSVC x64 target (apt-get install clang) with MSVC's language
# rules, warnings as errors. Freestanding: there are no Windows SDK or MSVC STL headers here,
# which is why only this unit (intrin.h and nothing else) is checked. It cannot run the result; it
# keeps the Windows detection code compiling on a machine whose own build takes the GCC branch.
set -eu
cd "$(dirname "$0")/.."
cxx=${CXX_CLANG:-clang++}
command -v "$cxx" >/dev/null || { echo "mlpx msvc: $cxx not found (apt-get install clang)" >&2; exit 1; }
"$cxx" --target=x86_64-pc-windows-msvc -fms-extensions -fms-compatibility -ffreestanding \
  -std=c++17 -Wall -Wextra -Werror -DMLPX_HAVE_X86_KERNELS=1 -fsyntax-only native/cpu_features.cc
echo "mlpx msvc: native/cpu_features.cc compiles for x86_64-pc-windows-msvc (_MSC_VER branch)"
