#!/bin/sh
# Compile check of the addon's MSVC-specific code, by Clang for an MSVC x64 target (apt-get install
# clang) with MSVC's language rules, warnings as errors: native/cpu_features.cc's __cpuidex/_xgetbv
# branch, and the GEMM microkernels with the ISA that /arch:AVX2 and /arch:AVX512 give them
# (CMakeLists.txt; /arch:AVX512 is AVX-512 F, CD, BW, DQ and VL). Freestanding: there are no
# Windows SDK or MSVC STL headers here, which is why only these units (intrin.h/immintrin.h and our
# own headers, nothing else) are checked. It cannot run the result; it keeps the Windows code
# compiling on a machine whose own build takes the GCC branches.
set -eu
cd "$(dirname "$0")/.."
cxx=${CXX_CLANG:-clang++}
command -v "$cxx" >/dev/null || { echo "mlpx msvc: $cxx not found (apt-get install clang)" >&2; exit 1; }
check() {
  "$cxx" --target=x86_64-pc-windows-msvc -fms-extensions -fms-compatibility -ffreestanding \
    -std=c++17 -Wall -Wextra -Werror -DMLPX_HAVE_X86_KERNELS=1 -fsyntax-only "$@"
}
check native/cpu_features.cc
check -mavx2 -mfma native/gemm_avx2.cc
check -mavx512f -mavx512cd -mavx512bw -mavx512dq -mavx512vl native/gemm_avx512.cc
echo "mlpx msvc: cpu_features.cc, gemm_avx2.cc and gemm_avx512.cc compile for x86_64-pc-windows-msvc"
