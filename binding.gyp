# node-gyp build of the native backend: the same sources and flags as CMakeLists.txt (the primary
# build). Run it with `npm run build:native:gyp` (npm's bundled node-gyp), never `npx node-gyp`.
{
  "variables": {
    "mlpx_x86": "<!(node -p \"['x64','ia32'].includes(process.arch) ? 1 : 0\")"
  },
  "targets": [
    {
      "target_name": "mlpx",
      "sources": [
        "native/addon.cc", "native/bindings.cc", "native/napi_args.cc", "native/net.cc", "native/net_napi.cc",
        "native/inference.cc", "native/runtime_napi.cc", "native/fma_peak.cc", "native/core_round_trip.cc", "native/threadpool.cc", "native/lead_thread.cc",
        "native/matmul.cc", "native/gemm_driver.cc", "native/cpu_features.cc", "native/gemm_portable.cc",
        "native/dense.cc", "native/activation.cc", "native/loss.cc", "native/optim.cc"
      ],
      "dependencies": ["mlpx_elementwise_portable"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-fno-trapping-math", "-fvisibility=hidden"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-fvisibility=hidden"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] } },
      "conditions": [
        ["mlpx_x86==1", {
          "defines": ["MLPX_HAVE_X86_KERNELS=1"],
          "dependencies": ["mlpx_avx2", "mlpx_avx512"]
        }]
      ]
    },
    {
      # The baseline element-wise loops alone get -ffp-contract=off, as the ISA ones do: where FMA is
      # in the baseline instruction set (ARM64) the compiler would otherwise fuse exp_float's steps.
      "target_name": "mlpx_elementwise_portable",
      "type": "static_library",
      "sources": ["native/elementwise_portable.cc"],
      "cflags_cc!": ["-std=gnu++14", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off", "-fPIC", "-fvisibility=hidden"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off"] },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17"] } }
    }
  ],
  "conditions": [
    ["mlpx_x86==1", {
      "targets": [
        {
          # The AVX2/FMA kernels alone get -mavx2 -mfma (gyp has no per-file flags).
          "target_name": "mlpx_avx2",
          "type": "static_library",
          "sources": ["native/gemm_avx2.cc", "native/elementwise_avx2.cc"],
          "defines": ["MLPX_HAVE_X86_KERNELS=1"],
          "cflags_cc!": ["-std=gnu++14", "-std=gnu++17"],
          "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-fno-trapping-math", "-mavx2", "-mfma", "-ffp-contract=off", "-fPIC", "-fvisibility=hidden"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-mavx2", "-mfma", "-ffp-contract=off"] },
          "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX2", "/std:c++17"] } }
        },
        {
          # The AVX-512 kernels alone get the AVX-512 flags: F, VL, BW and DQ, which
          # cpu_has_avx512() checks (MSVC's /arch:AVX512 is the same set plus CD).
          "target_name": "mlpx_avx512",
          "type": "static_library",
          "sources": ["native/gemm_avx512.cc", "native/elementwise_avx512.cc"],
          "defines": ["MLPX_HAVE_X86_KERNELS=1"],
          "cflags_cc!": ["-std=gnu++14", "-std=gnu++17"],
          "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-fno-trapping-math", "-mavx512f", "-mavx512vl", "-mavx512bw", "-mavx512dq",
                        "-mavx2", "-mfma", "-mprefer-vector-width=512", "-ffp-contract=off", "-fPIC",
                        "-fvisibility=hidden"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-mavx512f", "-mavx512vl", "-mavx512bw",
                                                       "-mavx512dq", "-mavx2", "-mfma", "-mprefer-vector-width=512",
                                                       "-ffp-contract=off"] },
          "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX512", "/std:c++17"] } }
        }
      ]
    }]
  ]
}
