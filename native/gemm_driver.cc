// Blocked SGEMM in the BLIS style: for each NC-wide column block and KC-deep slice, pack B into
// NR-wide k-major micro-panels, then run the MR × NR microkernel over the tile grid, one A
// micro-panel (in L1) against every B micro-panel of the block (in L2). A is not
// packed: the microkernel reads its rows in place through row pointers, or, for Aᵀ·B, A's rows
// through one pointer per K step, which also lets A be the shuffled rows of a training set (Rows
// with an index) with no gathered copy. Only rows whose stride makes them collide in L1 are
// copied, a micro-panel at a time (rows_alias_in_l1). Packing reads B through its strides, so A·Bᵀ
// needs no transposed copy either. Edge tiles run the same microkernel on fewer rows or with
// masked columns, so every element is computed by identical arithmetic wherever it lies, and K is
// blocked by its length alone: the result does not depend on the rectangle asked for.
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

std::size_t k_block(const GemmKernel& kernel) { return static_cast<std::size_t>(kernel.kc); }
std::size_t a_panel_floats(const GemmKernel& kernel) { return static_cast<std::size_t>(kMaxMR) * kernel.kc; }

// Whether rows `length` floats apart start in the same L1 set: a stride of at least 4 KiB, within
// a line of a multiple of 4 KiB (L1 index bits 6–11 on every x86-64 and ARM64 core we build for).
// An A micro-panel read in place then has all its rows in one set, and they evict each other and
// the B lines beside them: 1024×1024·1024×1024 ran at 95 GFLOP/s against 106 at 1000³.
bool rows_alias_in_l1(int length) {
  constexpr std::size_t kPage = 4096, kLine = 64;
  const std::size_t bytes = static_cast<std::size_t>(length) * sizeof(float);
  const std::size_t offset = bytes % kPage;
  return bytes >= kPage - kLine && (offset < kLine || offset > kPage - kLine);
}
std::size_t b_block_floats(const GemmKernel& kernel) { return static_cast<std::size_t>(kernel.kc) * kernel.nc; }

// Rows i0 … i0+mr-1 of op(A), from column p0 on, read in place. Untransposed, each row's kc floats
// are contiguous and the microkernel streams them as well as it would a packed copy. Transposed,
// A's rows p0 … p0+kc-1 (k_rows) each hold the mr values of one K step side by side. Either way
// indexed batch rows need no gathered copy.
APanel a_panel(const GemmOperands& g, const float* const* k_rows, int i0, int mr, int p0) {
  APanel a{};
  if (g.trans_a) {
    a.k_rows = k_rows;
    a.column = i0;
  } else {
    for (int r = 0; r < mr; ++r) a.rows[r] = g.a.row(i0 + r, g.k) + p0;
  }
  return a;
}

// Columns of nc rounded up to whole micro-panels (a packed block's width).
std::size_t panels_width(const GemmKernel& kernel, int nc) {
  return static_cast<std::size_t>((nc + kernel.nr - 1) / kernel.nr) * kernel.nr;
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
          std::memcpy(out, src, nr_full * sizeof(float));
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

// Copies the rows of an untransposed A micro-panel side by side (kc floats each) and points the
// panel at the copy.
void copy_a_panel(APanel* a, int mr, int kc, float* copy) {
  for (int r = 0; r < mr; ++r) {
    std::memcpy(copy + static_cast<std::size_t>(r) * kc, a->rows[r], static_cast<std::size_t>(kc) * sizeof(float));
    a->rows[r] = copy + static_cast<std::size_t>(r) * kc;
  }
}

// One K block of a column block: C[ic : ic+mc, jc : jc+nc] (+)= A[ic…, pc : pc+kc] · b_block.
// b_block: B[pc : pc+kc, jc : jc+nc], rows ldb apart, column j at b_block + j · column_step (a
// packed block: ldb = NR, column_step = kc within a panel's columns; B in place: ldb = n, step 1).
struct KBlock {
  const GemmOperands& g;
  const float* const* k_rows;
  float* a_copy;  // null, or where each A micro-panel is copied before use (rows_alias_in_l1)
  const float* b_block;
  long ldb;
  std::size_t column_step;
  int ic, mc, jc, nc, pc, kc;
  bool accumulate, last;

  /** The micro-tile at rows ic + ir (its A micro-panel a, mr rows) and columns jc + jr. */
  void tile(const APanel& a, int ir, int mr, int jr) const {
    const float* b_panel = b_block + static_cast<std::size_t>(jr) * column_step;
    float* c = g.c + static_cast<std::size_t>(ic + ir) * g.n + (jc + jr);
    const Epilogue epilogue{accumulate, last && g.bias ? g.bias + jc + jr : nullptr,
                            tile_squares(g, ic + ir, jc + jr, last)};
    g.kernel->ukernel(kc, a, b_panel, ldb, c, g.n, mr, std::min(g.kernel->nr, nc - jr), epilogue);
  }
};

// One MR-row A micro-panel stays in L1 across every B micro-panel of the block (KC × NC, in L2),
// so each A row is fetched from memory once per K block. The lines the next micro-panel needs
// may be prefetched meanwhile, a share per B panel: untransposed, the next mr rows; transposed,
// the next 16 columns of every one of the kc rows (a micro-panel reads mr columns of each).
// A copied panel (a_copy) is read in one burst by the copy, so its lines are always prefetched
// (1024³ AVX-512: 1.014×). A panel read in place is prefetched only on paths that ask for it
// (prefetch_a_panels): the portable kernel asks for it (on SSE2 it makes no difference that
// shows: without it, 784-128-10 training 1.011×, 1000³ 0.986×; ARM64 cores are not measured),
// while the AVX2 and AVX-512 kernels run ahead of the hardware prefetchers anyway and stalled on
// the burst of prefetches when miss buffers filled (without them, between --align-code builds:
// 784-128-10 training 1.008–1.026×, 1000³ TN 1.018×).
void multiply_a_stationary(const KBlock& block) {
  const GemmOperands& g = block.g;
  const int mr_full = g.kernel->mr, nr_full = g.kernel->nr;
  const int ic = block.ic, mc = block.mc, kc = block.kc;
  const int panels = (block.nc + nr_full - 1) / nr_full;
  for (int ir = 0; ir < mc; ir += mr_full) {
    const int mr = std::min(mr_full, mc - ir);
    APanel a = a_panel(g, block.k_rows, ic + ir, mr, block.pc);
    if (block.a_copy) copy_a_panel(&a, mr, block.kc, block.a_copy);
    const bool more = ir + mr_full < mc;
    const bool prefetch_next = more && (block.a_copy || g.kernel->prefetch_a_panels);
    const int ahead = !prefetch_next ? 0 : g.trans_a ? kc : std::min(mr_full, mc - ir - mr_full);
    const int per_panel = (ahead + panels - 1) / panels;
    for (int jr = 0, t = 0; jr < block.nc; jr += nr_full, ++t) {
      for (int q = t * per_panel; q < std::min(ahead, (t + 1) * per_panel); ++q) {
        if (g.trans_a) {
          prefetch(block.k_rows[q] + ic + ir + mr_full + 15);
        } else {
          const float* row = g.a.row(ic + ir + mr_full + q, g.k) + block.pc;
          for (int p = 0; p < kc; p += 16) prefetch(row + p);
        }
      }
      block.tile(a, ir, mr, jr);
    }
  }
}

}  // namespace

std::size_t gemm_a_copy_floats() {
  static const std::size_t floats = most_floats(a_panel_floats);
  return floats;
}

GemmScratch::GemmScratch()
    : b(most_floats(b_block_floats)), k_rows(most_floats(k_block)), a_copy(gemm_a_copy_floats()) {}

void gemm_block(const GemmOperands& g, int i_begin, int i_end, int j_begin, int j_end, GemmScratch* scratch) {
  const GemmKernel& kernel = *g.kernel;
  const std::size_t ldb = g.trans_b ? g.k : g.n;
  float* const room = g.a_copy != nullptr ? g.a_copy : scratch != nullptr ? scratch->a_copy.data() : nullptr;
  float* const a_copy = !g.trans_a && rows_alias_in_l1(g.k) ? room : nullptr;
  for (int jc = j_begin; jc < j_end; jc += kernel.nc) {
    const int nc = std::min(kernel.nc, j_end - jc);
    for (int pc = g.k_begin; pc < g.k_end; pc += g.kc) {
      const int kc = std::min(g.kc, g.k - pc);
      const bool accumulate = pc > g.k_begin;
      const bool last = pc + kc == g.k;
      const float* b_block = nullptr;
      long b_stride = kernel.nr;
      std::size_t column_step = static_cast<std::size_t>(kc);
      if (g.b_source == GemmOperands::BSource::kPackedWhole) {
        b_block = g.b + static_cast<std::size_t>(jc) * g.k + static_cast<std::size_t>(pc) * panels_width(kernel, nc);
      } else if (g.b_source == GemmOperands::BSource::kInPlace) {
        b_block = g.b + pc * ldb + jc;
        b_stride = static_cast<long>(ldb);
        column_step = 1;
      } else {
        pack_b(scratch->b.data(), g.b, ldb, g.trans_b, kernel.nr, pc, kc, jc, nc);
        b_block = scratch->b.data();
      }
      const float** k_rows = g.trans_a ? scratch->k_rows.data() : nullptr;
      for (int p = 0; k_rows && p < kc; ++p) k_rows[p] = g.a.row(pc + p, g.m);
      for (int ic = i_begin; ic < i_end; ic += kernel.mc) {
        const int mc = std::min(kernel.mc, i_end - ic);
        const KBlock block{g, k_rows, a_copy, b_block, b_stride, column_step, ic, mc, jc, nc, pc, kc, accumulate, last};
        multiply_a_stationary(block);
      }
    }
  }
}

std::size_t packed_b_floats(const GemmKernel& kernel, int k, int n) {
  return static_cast<std::size_t>(k) * panels_width(kernel, n);
}

// Block (jc, pc) starts at jc · k + pc · (its width): the column blocks before it are NC wide,
// NC a whole number of micro-panels, and its own K blocks before it are as wide as it is.
void pack_whole_b(const GemmKernel& kernel, const float* b, int k, int n, float* packed) {
  const int kc_full = GemmOperands::k_block(kernel, k);
  for (int jc = 0; jc < n; jc += kernel.nc) {
    const int nc = std::min(kernel.nc, n - jc);
    for (int pc = 0; pc < k; pc += kc_full) {
      float* block = packed + static_cast<std::size_t>(jc) * k + static_cast<std::size_t>(pc) * panels_width(kernel, nc);
      pack_b(block, b, static_cast<std::size_t>(n), false, kernel.nr, pc, std::min(kc_full, k - pc), jc, nc);
    }
  }
}

}  // namespace mlpx
