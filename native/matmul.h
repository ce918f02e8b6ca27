// SGEMM for the three layouts the network needs, without materialising transposes.
// Kernel-contract entry points (same names and argument order as src/backend/kernels.ts) plus
// sgemm(), which dense.cc uses to fuse the bias add into the GEMM epilogue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mlpx {

struct ElementwiseLoops;
struct GemmKernel;

/**
 * A row-major matrix whose row r starts at data + (index ? index[r] : r) · row length. With an
 * index it is a shuffled batch read in place from the training set: trainEpoch's rows are never
 * gathered into a copy (that copy was 8% of a 784-128-10 training step).
 */
struct Rows {
  const float* data;
  const std::uint32_t* index = nullptr;
  Rows(const float* rows_data, const std::uint32_t* rows_index = nullptr) : data(rows_data), index(rows_index) {}
  const float* row(std::size_t r, std::size_t length) const { return data + (index ? index[r] : r) * length; }
};

/** c (m, n) = a (m, k) · b (k, n) */
void matmul_nn(float* c, const float* a, const float* b, int m, int k, int n);
/** c (m, n) = aᵀ · b, a is (k, m), b is (k, n) */
void matmul_tn(float* c, const float* a, const float* b, int m, int k, int n);
/** c (m, n) = a · bᵀ, a is (m, k), b is (n, k) */
void matmul_nt(float* c, const float* a, const float* b, int m, int k, int n);

/**
 * How sgemm deals its output out to the pool. kAuto: by rows of C, one chunk per thread, when the
 * GEMM is large enough to pay for the traffic between cores. kColumns, kRows: always by columns
 * (rows), into owned_chunks of owned_span (gemm_chunking.h), chunk c on pool thread c when that
 * thread is free, so that GEMMs and updates split the same way find their data in the cache of
 * the core that last wrote it (the training step, net.cc). kDepth: by whole K blocks, chunk c on
 * thread c, each reading only its K rows of op(b) and K columns of op(a); chunk 0 sums its blocks
 * into c, the others keep each block's product apart, and a second pass adds those to c in K
 * order, then the bias: the same additions in the same order as one thread makes, so the same
 * bits. It writes no tile_squares. With fewer than two K blocks, or more to keep apart than
 * reserve_depth_partials made room for, kColumns. kStandalone (a GEMM called on its own: the
 * kernel API): as kAuto, but from the same size on whatever its shape, by columns when m is too
 * short to give each thread rows.
 */
enum class GemmSplit { kAuto, kColumns, kRows, kDepth, kStandalone };

/**
 * out = act(c) (an Activation of native/activation.h), taken by a kDepth split's second pass and
 * by a kRows split: each core activates the rows of c it has just summed or computed, while they
 * are in its cache, instead of one core reading every row back; then, with rows_done, it hands
 * those rows on to the caller's work (rows_done(context, first_row, last_row, thread, loops), run
 * inside the pool task on pool thread `thread` with the element-wise loops of the GEMM's kernel
 * path: sgemm_on_thread only, no pooled kernel). With out null, rows_done alone. sgemm sets
 * `applied` when it did all that; other splits leave it false.
 */
struct RowActivation {
  float* out;
  int act;
  void (*rows_done)(void* context, int first_row, int last_row, int thread, const ElementwiseLoops& loops) = nullptr;
  void* context = nullptr;
  bool applied = false;
};

/**
 * c (m, n) = op(a) · op(b) [+ bias (n) on every row]. op(a) is (m, k): a is (m, k), or (k, m)
 * when trans_a (either way a may be indexed rows). op(b) is (k, n): b is (k, n), or (n, k) when trans_b. Overwrites c.
 * Each c element is summed in the same order for any thread count. Returns the tile_squares
 * slots written (0 without tile_squares).
 */
std::size_t sgemm(bool trans_a, bool trans_b, int m, int n, int k, Rows a, const float* b, float* c, const float* bias,
           float* tile_squares = nullptr, GemmSplit split = GemmSplit::kAuto, RowActivation* activate = nullptr);

/**
 * sgemm without a split, bias included, on pool thread `thread` with its packing buffer: for work
 * inside a pool task (RowActivation::rows_done), where sgemm itself would wait for the pool that
 * is running the task. Each c element gets the same bits as from sgemm.
 */
void sgemm_on_thread(int thread, bool trans_a, bool trans_b, int m, int n, int k, Rows a, const float* b, float* c,
                     const float* bias);

/**
 * Chunks of a kColumns (kRows) split of `extent` columns (rows) on the pool as it is: 1 (no split)
 * up to one per thread. Chunk c's span is owned_span (gemm_chunking.h) with the kernel's nr (mr).
 */
int owned_chunks(GemmSplit split, int extent);

/** Whether sgemm with GemmSplit::kAuto splits a GEMM of these dimensions across the pool. */
bool gemm_worth_splitting(int m, int n, int k);

/** The most K-block product floats reserve_depth_partials makes room for: 16 MiB, one buffer per process. */
constexpr std::size_t kMostDepthPartialFloats = std::size_t{1} << 22;

/**
 * Room for the K-block products a kDepth split keeps apart: at least `floats` of them (at most
 * kMostDepthPartialFloats) from now on. A network makes it when it reserves its batch workspace,
 * so no training step allocates; a kDepth GEMM that needs more room than there is is split by
 * columns.
 */
void reserve_depth_partials(std::size_t floats);

/**
 * Slots sgemm's tile_squares needs for an (m, n) output, whichever kernel path is in use. With
 * tile_squares, sgemm also writes the sum of squares of each output micro-tile (float) to its
 * slot, in row-major tile order, and returns how many slots its path's tile grid has (the rest
 * are left as they are): the training step's ‖g‖² is the sum of those, with no other pass over
 * the gradient.
 */
std::size_t sgemm_tiles(int m, int n);

/** The kernel path in use: 'avx512', 'avx2' or 'portable'; at load, the first of kernel_paths(). */
const char* kernel_path();
/** The paths this CPU (and OS) can run, fastest first; 'portable' always. */
std::vector<const char*> kernel_paths();
/** Switch to one of kernel_paths(); false (and no change) for any other name. */
bool set_kernel_path(const char* path);
/** The kernel path in use, whole (native/gemm_ukernel.h). */
const GemmKernel& gemm_kernel();

/**
 * Holds the kernels' lock (which every kernel entry point takes) for its lifetime, so that the
 * kernels a training step calls take it without an atomic operation each.
 */
class KernelSession {
 public:
  KernelSession();
  ~KernelSession();
  KernelSession(const KernelSession&) = delete;
  KernelSession& operator=(const KernelSession&) = delete;
};

/** Threads used by sgemm (≥ 1); resizes the persistent pool and its packing buffers. */
void set_threads(int threads);
int threads();

/**
 * While on, every sgemm and parallel_* call from this thread splits for one thread and runs on
 * this thread alone, with the same results: the training steps the split choice keeps on the
 * caller (split_choice.h). Calls from other threads split as usual.
 */
void set_caller_only(bool on);
/** Pool jobs kept on the caller after a worker was found preempted, ever (backed_off_jobs). */
std::uint64_t pool_backed_off_jobs();
/** Pool jobs handed to the workers, ever (ThreadPool::jobs_posted). */
std::uint32_t pool_jobs_posted();

}  // namespace mlpx
