// Blocked SGEMM in the BLIS style: for each NC-wide column block and KC-deep slice, pack B into
// NR-wide k-major micro-panels, then run the MR × NR microkernel over the tile grid. A is packed
// into MR-tall micro-panels only when it is transposed (Aᵀ·B); untransposed A rows are contiguous
// along K, so the microkernel reads them in place through row pointers — which also lets A be the
// shuffled rows of a training set (Rows with an index) with no gathered copy. Packing reads B
// through its strides, so A·Bᵀ needs no transposed copy either. Edge tiles run the same
// microkernel on fewer rows or with masked columns, so every element is computed by identical
// arithmetic wherever it lies.
//
// Threads split the output into contiguous column (or row) ranges of whole micro-tiles; K is never
// split, so each element's summation order is fixed and results do not depend on the thread count
// (nor on which thread computes which range).
#include "matmul.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <string_view>
#include <vector>

#include "aligned.h"
#include "cpu_features.h"
#include "gemm_chunking.h"
#include "gemm_ukernel.h"
#include "parallel.h"
#include "threadpool.h"

namespace mlpx {

namespace {

// Cache blocking for a 32 KiB L1d / 512 KiB L2 core. Packed A (Aᵀ·B): a 16 × KC B micro-panel
// (16 KiB) stays in L1 while the MC × KC A block (144 KiB) streams from L2. A read in place: an
// MR × KC micro-panel (6 KiB) stays in L1 while the KC × NC B block (256 KiB) streams from L2.
constexpr int KC = 256;
constexpr int MC = 144;
constexpr int NC = 256;
static_assert(MC % MR == 0 && NC % NR == 0, "blocks must hold whole micro-panels");

// Below this many multiply-adds (~0.1 ms on one core) a GEMM runs on the calling thread. Smaller
// jobs gain little even on an idle machine, and on a busy one a worker preempted mid-chunk
// stalls the caller for a scheduler time slice: measured 2x slower epochs at batch 32.
constexpr double kParallelMinFlops = 1 << 23;

struct Scratch {
  AlignedFloats a{static_cast<std::size_t>(MC) * KC};
  AlignedFloats b{static_cast<std::size_t>(KC) * NC};
};

bool select_microkernel(const char* path, Microkernel* ukernel, const char** chosen) {
#if MLPX_HAVE_AVX2_TU
  if (std::string_view(path) == "avx2-fma" && cpu_has_avx2_fma()) {
    *ukernel = ukernel_6x16_avx2_fma;
    *chosen = "avx2-fma";
    return true;
  }
#endif
  if (std::string_view(path) == "portable") {
    *ukernel = ukernel_6x16_portable;
    *chosen = "portable";
    return true;
  }
  return false;
}

struct State {
  // Serialises GEMMs: the pool and the per-thread packing buffers serve one call at a time
  // (kernels may be called from the main thread while an epoch runs on a libuv worker).
  std::mutex mutex;
  ThreadPool pool;
  std::vector<Scratch> scratch;
  const char* path = "portable";
  Microkernel ukernel = ukernel_6x16_portable;

  State() : scratch(1) { select_microkernel("avx2-fma", &ukernel, &path); }
};

State& state() {
  static State s;
  return s;
}

struct Operands {
  bool trans_a, trans_b;
  int m, n, k;
  Rows a;
  const float* b;
  float* c;
  const float* bias;
  float* tile_squares;
  Microkernel ukernel;
  std::vector<Scratch>* scratch;
  int kc;  // K block: K split into equal blocks of at most KC (784 → 4 × 196, not 3 × 256 + 16)
  bool split_columns;
  Chunking chunking;
};

// A hint only: compilers without __builtin_prefetch (MSVC) simply skip it.
inline void prefetch([[maybe_unused]] const float* address) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(address);
#endif
}

// Rows ahead that pack_a_transposed prefetches: one row's work is shorter than a memory
// latency (1 → 8 rows: 6% faster 784ᵀ×128×128 on shuffled rows).
constexpr int kPackAhead = 8;

// Packs op(A)[i0 : i0+mc, p0 : p0+kc] = Aᵀ (a is (k, m)) into MR-tall micro-panels, zero-padding
// the last one. Untransposed A needs no packing: see row_panel.
void pack_a_transposed(float* dst, const Operands& g, int i0, int mc, int p0, int kc) {
  const int full = mc - mc % MR;
  // Row by row: each source row (possibly a shuffled batch row) is read once, front to back,
  // while a row kPackAhead ahead is prefetched: no prefetcher can guess indexed rows, and reading
  // across rows a panel at a time stalled on a cache miss per row and panel.
  for (int p = 0; p < kc; ++p) {
    const float* src = g.a.row(p0 + p, g.m) + i0;
    if (p + kPackAhead < kc) {
      const float* next = g.a.row(p0 + p + kPackAhead, g.m) + i0;
      for (int i = 0; i < mc; i += 16) prefetch(next + i);
    }
    float* out = dst + static_cast<std::size_t>(p) * MR;
    for (int ir = 0; ir < full; ir += MR, out += static_cast<std::size_t>(MR) * kc)
      std::memcpy(out, src + ir, MR * sizeof(float));  // distinct buffers: lets it copy in two moves, not six
    if (full < mc) {
      for (int r = 0; r < MR; ++r) out[r] = full + r < mc ? src[full + r] : 0.0f;
    }
  }
}

APanel packed_panel(const float* panel) {
  APanel a{};
  for (int r = 0; r < MR; ++r) a.rows[r] = panel + r;
  a.step = MR;
  return a;
}

// Rows i0 … i0+mr-1 of an untransposed A, from column p0, read in place: each row's kc floats are
// contiguous, so the microkernel streams them as well as it would a packed copy, and indexed
// batch rows need no gathering. The microkernel reads only the first mr rows.
APanel row_panel(const Operands& g, int i0, int mr, int p0) {
  APanel a{};
  for (int r = 0; r < mr; ++r) a.rows[r] = g.a.row(i0 + r, g.k) + p0;
  a.step = 1;
  return a;
}

// Packs op(B)[p0 : p0+kc, j0 : j0+nc] into NR-wide micro-panels, zero-padding the last one.
void pack_b(float* dst, const Operands& g, int p0, int kc, int j0, int nc) {
  const std::size_t ldb = g.trans_b ? g.k : g.n;
  for (int jr = 0; jr < nc; jr += NR) {
    const int nr = std::min(NR, nc - jr);
    float* panel = dst + static_cast<std::size_t>(jr) * kc;
    if (g.trans_b) {
      for (int j = 0; j < nr; ++j) {
        const float* src = g.b + (j0 + jr + j) * ldb + p0;
        for (int p = 0; p < kc; ++p) panel[p * NR + j] = src[p];
      }
      for (int j = nr; j < NR; ++j)
        for (int p = 0; p < kc; ++p) panel[p * NR + j] = 0.0f;
    } else {
      for (int p = 0; p < kc; ++p) {
        const float* src = g.b + (p0 + p) * ldb + (j0 + jr);
        float* out = panel + static_cast<std::size_t>(p) * NR;
        if (nr == NR) {
          std::memcpy(out, src, NR * sizeof(float));  // as in pack_a_transposed: vector moves
        } else {
          for (int j = 0; j < NR; ++j) out[j] = j < nr ? src[j] : 0.0f;
        }
      }
    }
  }
}

// Where a tile's Σc² goes when the caller asked for them (on the last K block only): one slot per
// micro-tile, so the caller's ordered sum is the same for any thread count.
float* tile_squares(const Operands& g, int i, int j, bool last) {
  if (!g.tile_squares || !last) return nullptr;
  return g.tile_squares + static_cast<std::size_t>(i / MR) * ((g.n + NR - 1) / NR) + j / NR;
}

// A packed A block (MC × KC, in L2) against each B micro-panel in turn (KC × NR, in L1).
void multiply_packed_a(const Operands& g, const float* a_block, const float* b_block, int ic, int mc, int jc, int nc,
                       int kc, bool accumulate, bool last) {
  for (int jr = 0; jr < nc; jr += NR) {
    const float* b_panel = b_block + static_cast<std::size_t>(jr) * kc;
    const float* bias = last && g.bias ? g.bias + jc + jr : nullptr;
    for (int ir = 0; ir < mc; ir += MR) {
      const APanel a_panel = packed_panel(a_block + static_cast<std::size_t>(ir) * kc);
      float* c = g.c + static_cast<std::size_t>(ic + ir) * g.n + (jc + jr);
      const Epilogue epilogue{accumulate, bias, tile_squares(g, ic + ir, jc + jr, last)};
      g.ukernel(kc, a_panel, b_panel, c, g.n, std::min(MR, mc - ir), std::min(NR, nc - jr), epilogue);
    }
  }
}

// A read in place: one MR-row micro-panel stays in L1 across every B micro-panel (the packed B
// block, KC × NC, sits in L2), so each A row is fetched from memory once per K block, and the
// next micro-panel's rows are prefetched meanwhile, one row per B panel: shuffled batch rows are
// invisible to the hardware prefetcher.
void multiply_rows_a(const Operands& g, const float* b_block, int ic, int mc, int jc, int nc, int pc, int kc,
                     bool accumulate, bool last) {
  for (int ir = 0; ir < mc; ir += MR) {
    const int mr = std::min(MR, mc - ir);
    const APanel a_panel = row_panel(g, ic + ir, mr, pc);
    const int next_rows = std::min(MR, mc - ir - MR);
    for (int jr = 0, t = 0; jr < nc; jr += NR, ++t) {
      if (t < next_rows) {
        const float* row = g.a.row(ic + ir + MR + t, g.k) + pc;
        for (int p = 0; p < kc; p += 16) prefetch(row + p);
      }
      const float* b_panel = b_block + static_cast<std::size_t>(jr) * kc;
      float* c = g.c + static_cast<std::size_t>(ic + ir) * g.n + (jc + jr);
      const Epilogue epilogue{accumulate, last && g.bias ? g.bias + jc + jr : nullptr,
                              tile_squares(g, ic + ir, jc + jr, last)};
      g.ukernel(kc, a_panel, b_panel, c, g.n, mr, std::min(NR, nc - jr), epilogue);
    }
  }
}

void gemm_block(const Operands& g, int i_begin, int i_end, int j_begin, int j_end, Scratch& scratch) {
  for (int jc = j_begin; jc < j_end; jc += NC) {
    const int nc = std::min(NC, j_end - jc);
    for (int pc = 0; pc < g.k; pc += g.kc) {
      const int kc = std::min(g.kc, g.k - pc);
      const bool accumulate = pc > 0;
      const bool last = pc + kc == g.k;
      pack_b(scratch.b.data(), g, pc, kc, jc, nc);
      for (int ic = i_begin; ic < i_end; ic += MC) {
        const int mc = std::min(MC, i_end - ic);
        if (g.trans_a) {
          pack_a_transposed(scratch.a.data(), g, ic, mc, pc, kc);
          multiply_packed_a(g, scratch.a.data(), scratch.b.data(), ic, mc, jc, nc, kc, accumulate, last);
        } else {
          multiply_rows_a(g, scratch.b.data(), ic, mc, jc, nc, pc, kc, accumulate, last);
        }
      }
    }
  }
}

void gemm_chunk(void* context, int chunk, int thread) {
  const Operands& g = *static_cast<const Operands*>(context);
  int first, last;
  g.chunking.span(chunk, &first, &last);
  if (first == last) return;
  Scratch& scratch = (*g.scratch)[thread];
  if (g.split_columns) {
    gemm_block(g, 0, g.m, first * NR, std::min(g.n, last * NR), scratch);
  } else {
    gemm_block(g, first * MR, std::min(g.m, last * MR), 0, g.n, scratch);
  }
}

}  // namespace

std::size_t sgemm_tiles(int m, int n) {
  return static_cast<std::size_t>((m + MR - 1) / MR) * ((n + NR - 1) / NR);
}

void sgemm(bool trans_a, bool trans_b, int m, int n, int k, Rows a, const float* b, float* c, const float* bias,
           float* tile_squares) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  // Split the larger output dimension: each task packs all of the other operand, so this keeps
  // the duplicated packing small.
  const bool split_columns = n >= m;
  const int tiles = split_columns ? (n + NR - 1) / NR : (m + MR - 1) / MR;
  const double flops = static_cast<double>(m) * n * k;
  const Chunking chunking{tiles, flops < kParallelMinFlops ? 1 : s.pool.size(), split_columns && !trans_a};
  const int k_blocks = (k + KC - 1) / KC;
  const int kc = (k + k_blocks - 1) / k_blocks;
  Operands g{trans_a, trans_b, m, n, k, a, b, c, bias, tile_squares, s.ukernel, &s.scratch, kc, split_columns, chunking};
  s.pool.run(chunking.count(), gemm_chunk, &g);
}

void matmul_nn(float* c, const float* a, const float* b, int m, int k, int n) {
  sgemm(false, false, m, n, k, a, b, c, nullptr);
}
void matmul_tn(float* c, const float* a, const float* b, int m, int k, int n) {
  sgemm(true, false, m, n, k, a, b, c, nullptr);
}
void matmul_nt(float* c, const float* a, const float* b, int m, int k, int n) {
  sgemm(false, true, m, n, k, a, b, c, nullptr);
}

namespace {

// Below this many elements an element-wise loop stays on the calling thread (see kParallelMinFlops).
constexpr std::size_t kParallelMinElements = std::size_t{1} << 20;

struct Ranges {
  std::size_t count;
  int chunks;
  RangeTask task;
  void* context;
};

void range_chunk(void* context, int chunk, int) {
  const Ranges& r = *static_cast<const Ranges*>(context);
  const std::size_t begin = r.count * chunk / r.chunks;
  const std::size_t end = r.count * (chunk + 1) / r.chunks;
  if (begin < end) r.task(r.context, begin, end);
}

}  // namespace

void parallel_ranges(std::size_t count, RangeTask task, void* context) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  Ranges ranges{count, count < kParallelMinElements ? 1 : s.pool.size(), task, context};
  s.pool.run(ranges.chunks, range_chunk, &ranges);
}

const char* kernel_path() { return state().path; }

bool set_kernel_path(const char* path) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return select_microkernel(path, &s.ukernel, &s.path);
}

void set_threads(int threads) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.pool.resize(threads);
  s.scratch.resize(static_cast<std::size_t>(s.pool.size()));
}

int threads() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return s.pool.size();
}

}  // namespace mlpx
