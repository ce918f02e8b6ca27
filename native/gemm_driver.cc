// Blocked SGEMM in the BLIS style: for each NC-wide column block and KC-deep slice, pack B into
// NR-wide k-major micro-panels, then run the MR × NR microkernel over the tile grid, one A
// micro-panel (in L1) against every B micro-panel of the block (in L2). A is packed into MR-tall
// micro-panels only when it is transposed (Aᵀ·B); untransposed A rows are contiguous along K, so
// the microkernel reads them in place through row pointers, which also lets A be the shuffled rows
// of a training set (Rows with an index) with no gathered copy. Packing reads B through its
// strides, so A·Bᵀ needs no transposed copy either. Edge tiles run the same microkernel on fewer
// rows or with masked columns, so every element is computed by identical arithmetic wherever it
// lies, and K is blocked by its length alone: the result does not depend on the rectangle asked for.
#include "gemm_driver.h"

#include <algorithm>
#include <cstring>

namespace mlpx {

namespace {

std::size_t most_floats(std::size_t (*size)(const GemmKernel&)) {
  std::size_t most = size(kGemmPortable);
#if MLPX_HAVE_X86_KERNELS
  most = std::max({most, size(kGemmAvx2), size(kGemmAvx512)});
#endif
  return most;
}

std::size_t a_block_floats(const GemmKernel& kernel) { return static_cast<std::size_t>(kernel.mc) * kernel.kc; }
std::size_t b_block_floats(const GemmKernel& kernel) { return static_cast<std::size_t>(kernel.kc) * kernel.nc; }

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
void pack_a_transposed(float* dst, const GemmOperands& g, int i0, int mc, int p0, int kc) {
  const int mr = g.kernel->mr;
  const int full = mc - mc % mr;
  // Row by row: each source row (possibly a shuffled batch row) is read once, front to back,
  // while a row kPackAhead ahead is prefetched: no prefetcher can guess indexed rows, and reading
  // across rows a panel at a time stalled on a cache miss per row and panel.
  for (int p = 0; p < kc; ++p) {
    const float* src = g.a.row(p0 + p, g.m) + i0;
    if (p + kPackAhead < kc) {
      const float* next = g.a.row(p0 + p + kPackAhead, g.m) + i0;
      for (int i = 0; i < mc; i += 16) prefetch(next + i);
    }
    float* out = dst + static_cast<std::size_t>(p) * mr;
    for (int ir = 0; ir < full; ir += mr, out += static_cast<std::size_t>(mr) * kc)
      std::memcpy(out, src + ir, mr * sizeof(float));  // distinct buffers: a few vector moves
    if (full < mc) {
      for (int r = 0; r < mr; ++r) out[r] = full + r < mc ? src[full + r] : 0.0f;
    }
  }
}

APanel packed_panel(const float* panel, int mr) {
  APanel a{};
  for (int r = 0; r < mr; ++r) a.rows[r] = panel + r;
  a.step = mr;
  return a;
}

// Rows i0 … i0+mr-1 of an untransposed A, from column p0, read in place: each row's kc floats are
// contiguous, so the microkernel streams them as well as it would a packed copy, and indexed
// batch rows need no gathering. The microkernel reads only the first mr rows.
APanel row_panel(const GemmOperands& g, int i0, int mr, int p0) {
  APanel a{};
  for (int r = 0; r < mr; ++r) a.rows[r] = g.a.row(i0 + r, g.k) + p0;
  a.step = 1;
  return a;
}

// Packs op(B)[p0 : p0+kc, j0 : j0+nc] (ldb: B's row stride) into NR-wide micro-panels, zero-padding
// the last one.
void pack_b(float* dst, const float* b, std::size_t ldb, bool trans_b, int nr_full, int p0, int kc, int j0, int nc) {
  for (int jr = 0; jr < nc; jr += nr_full) {
    const int nr = std::min(nr_full, nc - jr);
    float* panel = dst + static_cast<std::size_t>(jr) * kc;
    if (trans_b) {
      for (int j = 0; j < nr; ++j) {
        const float* src = b + (j0 + jr + j) * ldb + p0;
        for (int p = 0; p < kc; ++p) panel[p * nr_full + j] = src[p];
      }
      for (int j = nr; j < nr_full; ++j)
        for (int p = 0; p < kc; ++p) panel[p * nr_full + j] = 0.0f;
    } else {
      for (int p = 0; p < kc; ++p) {
        const float* src = b + (p0 + p) * ldb + (j0 + jr);
        float* out = panel + static_cast<std::size_t>(p) * nr_full;
        if (nr == nr_full) {
          std::memcpy(out, src, nr_full * sizeof(float));  // as in pack_a_transposed: vector moves
        } else {
          for (int j = 0; j < nr_full; ++j) out[j] = j < nr ? src[j] : 0.0f;
        }
      }
    }
  }
}

// Where a tile's Σc² goes when the caller asked for them (on the last K block only): one slot per
// micro-tile, so the caller's ordered sum is the same for any thread count.
float* tile_squares(const GemmOperands& g, int i, int j, bool last) {
  if (!g.tile_squares || !last) return nullptr;
  const int mr = g.kernel->mr, nr = g.kernel->nr;
  return g.tile_squares + static_cast<std::size_t>(i / mr) * ((g.n + nr - 1) / nr) + j / nr;
}

// One MR-row A micro-panel stays in L1 across every B micro-panel of the block (KC × NC, in L2).
// A read in place: each A row is fetched from memory once per K block, and the next micro-panel's
// rows are prefetched meanwhile, spread over the B panels: shuffled batch rows are invisible to the
// hardware prefetcher.
void multiply_block(const GemmOperands& g, const float* a_block, const float* b_block, int ic, int mc, int jc, int nc,
                    int pc, int kc, bool accumulate, bool last) {
  const GemmKernel& kernel = *g.kernel;
  const int mr_full = kernel.mr, nr_full = kernel.nr;
  const int panels = (nc + nr_full - 1) / nr_full;
  for (int ir = 0; ir < mc; ir += mr_full) {
    const int mr = std::min(mr_full, mc - ir);
    const APanel a_panel = a_block ? packed_panel(a_block + static_cast<std::size_t>(ir) * kc, mr_full)
                                   : row_panel(g, ic + ir, mr, pc);
    const int next_rows = a_block ? 0 : std::min(mr_full, mc - ir - mr_full);
    const int rows_per_panel = (next_rows + panels - 1) / panels;
    for (int jr = 0, t = 0; jr < nc; jr += nr_full, ++t) {
      for (int r = t * rows_per_panel; r < std::min(next_rows, (t + 1) * rows_per_panel); ++r) {
        const float* row = g.a.row(ic + ir + mr_full + r, g.k) + pc;
        for (int p = 0; p < kc; p += 16) prefetch(row + p);
      }
      const float* b_panel = b_block + static_cast<std::size_t>(jr) * kc;
      float* c = g.c + static_cast<std::size_t>(ic + ir) * g.n + (jc + jr);
      const Epilogue epilogue{accumulate, last && g.bias ? g.bias + jc + jr : nullptr,
                              tile_squares(g, ic + ir, jc + jr, last)};
      kernel.ukernel(kc, a_panel, b_panel, c, g.n, mr, std::min(nr_full, nc - jr), epilogue);
    }
  }
}

std::size_t padded_columns(const GemmKernel& kernel, int n) {
  return static_cast<std::size_t>((n + kernel.nr - 1) / kernel.nr) * kernel.nr;
}

}  // namespace

GemmScratch::GemmScratch() : a(most_floats(a_block_floats)), b(most_floats(b_block_floats)) {}

void gemm_block(const GemmOperands& g, int i_begin, int i_end, int j_begin, int j_end, GemmScratch& scratch) {
  const GemmKernel& kernel = *g.kernel;
  const std::size_t ldb = g.trans_b ? g.k : g.n;
  for (int jc = j_begin; jc < j_end; jc += kernel.nc) {
    const int nc = std::min(kernel.nc, j_end - jc);
    for (int pc = 0; pc < g.k; pc += g.kc) {
      const int kc = std::min(g.kc, g.k - pc);
      const bool accumulate = pc > 0;
      const bool last = pc + kc == g.k;
      const float* b_block = scratch.b.data();
      if (g.packed_b) {
        b_block = g.packed_b + pc * padded_columns(kernel, g.n) + static_cast<std::size_t>(jc) * kc;
      } else {
        pack_b(scratch.b.data(), g.b, ldb, g.trans_b, kernel.nr, pc, kc, jc, nc);
      }
      for (int ic = i_begin; ic < i_end; ic += kernel.mc) {
        const int mc = std::min(kernel.mc, i_end - ic);
        if (g.trans_a) pack_a_transposed(scratch.a.data(), g, ic, mc, pc, kc);
        multiply_block(g, g.trans_a ? scratch.a.data() : nullptr, b_block, ic, mc, jc, nc, pc, kc, accumulate, last);
      }
    }
  }
}

std::size_t packed_b_floats(const GemmKernel& kernel, int k, int n) {
  return static_cast<std::size_t>(k) * padded_columns(kernel, n);
}

void pack_b_whole(const GemmKernel& kernel, float* dst, const float* b, int k, int n) {
  const int kc_full = GemmOperands::k_block(kernel, k);
  for (int pc = 0; pc < k; pc += kc_full) {
    const int kc = std::min(kc_full, k - pc);
    pack_b(dst + pc * padded_columns(kernel, n), b, n, false, kernel.nr, pc, kc, 0, n);
  }
}

}  // namespace mlpx
