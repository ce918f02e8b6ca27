// sgemm's public entry points and its threads: the kernel path in use, the persistent pool and a
// packing buffer per thread. The blocked single-threaded core is native/gemm_driver.cc.
//
// Threads split the output into contiguous column (or row) ranges of whole micro-tiles; K is never
// split, so each element's summation order is fixed and results do not depend on the thread count
// (nor on which thread computes which range).
#include "matmul.h"

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <string_view>
#include <vector>

#include "cpu_features.h"
#include "elementwise.h"
#include "gemm_chunking.h"
#include "gemm_driver.h"
#include "parallel.h"
#include "threadpool.h"

namespace mlpx {

namespace {

// Below this many multiply-adds (~0.1 ms on one core) a GEMM runs on the calling thread. Smaller
// jobs gain little even on an idle machine, and on a busy one a worker preempted mid-chunk
// stalls the caller for a scheduler time slice: measured 2x slower epochs at batch 32.
constexpr double kParallelMinFlops = 1 << 23;

/** A kernel path: its GEMM microkernel and its element-wise loops, compiled for the same ISA. */
struct KernelPath {
  const GemmKernel* gemm;
  const ElementwiseLoops* loops;
};

/** The kernel paths this CPU can run, fastest first. */
std::vector<KernelPath> available_paths() {
  std::vector<KernelPath> paths;
#if MLPX_HAVE_X86_KERNELS
  if (cpu_has_avx512()) paths.push_back({&kGemmAvx512, &kElementwiseAvx512});
  if (cpu_has_avx2_fma()) paths.push_back({&kGemmAvx2, &kElementwiseAvx2});
#endif
  paths.push_back({&kGemmPortable, &kElementwisePortable});
  return paths;
}

struct State {
  // Serialises GEMMs: the pool and the per-thread packing buffers serve one call at a time
  // (kernels may be called from the main thread while an epoch runs on a libuv worker).
  std::mutex mutex;
  ThreadPool pool;
  std::vector<GemmScratch> scratch;
  const std::vector<KernelPath> paths = available_paths();
  KernelPath path = paths.front();

  State() : scratch(1) {}
};

State& state() {
  static State s;
  return s;
}

struct Job {
  GemmOperands g;
  std::vector<GemmScratch>* scratch;
  bool split_columns;
  Chunking chunking;
};

void gemm_chunk(void* context, int chunk, int thread) {
  const Job& job = *static_cast<const Job*>(context);
  const GemmOperands& g = job.g;
  int first, last;
  job.chunking.span(chunk, &first, &last);
  if (first == last) return;
  GemmScratch& scratch = (*job.scratch)[thread];
  const int mr = g.kernel->mr, nr = g.kernel->nr;
  if (job.split_columns) {
    gemm_block(g, 0, g.m, first * nr, std::min(g.n, last * nr), scratch);
  } else {
    gemm_block(g, first * mr, std::min(g.m, last * mr), 0, g.n, scratch);
  }
}

}  // namespace

namespace {

std::size_t tile_count(const GemmKernel& kernel, int m, int n) {
  return static_cast<std::size_t>((m + kernel.mr - 1) / kernel.mr) * ((n + kernel.nr - 1) / kernel.nr);
}

}  // namespace

std::size_t sgemm_tiles(int m, int n) {
  std::size_t most = 0;
  for (const KernelPath& path : state().paths) most = std::max(most, tile_count(*path.gemm, m, n));
  return most;
}

void sgemm(bool trans_a, bool trans_b, int m, int n, int k, Rows a, const float* b, float* c, const float* bias,
           float* tile_squares) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  const GemmKernel& kernel = *s.path.gemm;
  // Split the larger output dimension: each task packs all of the other operand, so this keeps
  // the duplicated packing small.
  const bool split_columns = n >= m;
  const int tiles = split_columns ? (n + kernel.nr - 1) / kernel.nr : (m + kernel.mr - 1) / kernel.mr;
  const double flops = static_cast<double>(m) * n * k;
  const Chunking chunking{tiles, flops < kParallelMinFlops ? 1 : s.pool.size(), split_columns && !trans_a};
  Job job{GemmOperands(kernel, trans_a, trans_b, m, n, k, a, b, c, bias, tile_squares, nullptr), &s.scratch,
          split_columns, chunking};
  s.pool.run(chunking.count(), gemm_chunk, &job);
  if (tile_squares) {
    // Slots past this path's tile grid (another path has smaller tiles) add nothing to the sum.
    const std::size_t used = tile_count(kernel, m, n);
    std::fill(tile_squares + used, tile_squares + sgemm_tiles(m, n), 0.0f);
  }
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

const char* kernel_path() { return gemm_kernel().path; }

const GemmKernel& gemm_kernel() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return *s.path.gemm;
}

const ElementwiseLoops& elementwise_loops() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return *s.path.loops;
}

std::vector<const char*> kernel_paths() {
  std::vector<const char*> names;
  for (const KernelPath& path : state().paths) names.push_back(path.gemm->path);
  return names;
}

bool set_kernel_path(const char* name) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  for (const KernelPath& path : s.paths) {
    if (std::string_view(name) == path.gemm->path) {
      s.path = path;
      return true;
    }
  }
  return false;
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
