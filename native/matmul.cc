// sgemm's public entry points and its threads: the kernel path in use, the persistent pool and a
// packing buffer per thread. The blocked single-threaded core is native/gemm_driver.cc.
//
// Threads split the output into contiguous column (or row) ranges of whole micro-tiles; K is never
// split, so each element's summation order is fixed and results do not depend on the thread count
// (nor on which thread computes which range).
#include "matmul.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <new>
#include <string_view>
#include <vector>

#include "activation.h"
#include "aligned.h"
#include "cpu_features.h"
#include "elementwise.h"
#include "gemm_chunking.h"
#include "gemm_driver.h"
#include "parallel.h"
#include "threadpool.h"

namespace mlpx {

namespace {

// Below this many multiply-adds (~5 µs on one AVX-512 core) a GEMM runs on the calling thread.
// A pool round trip costs ~0.3 µs while the workers spin (between the kernels of a training step
// they do), 5–40 µs once they have parked.
constexpr double kParallelMinFlops = 1 << 20;
// A split GEMM also moves operands between cores: every chunk reads all of B, which in a training
// step another core may have written last, so each core pulls the other's lines from its cache.
// The split pays only when every operand element is reused often enough to outweigh that: all of
// m, n and k at least this. When every GEMM of a 784-128-10 training step went through this split
// (then by columns), 2 threads on two free cores ran at 0.81x one thread at batch 32, 0.89x at
// batch 64 and 1.15-1.19x at batch 128 (bench/ab/ab.ts train --peak-gate 1.7).
constexpr int kParallelMinDim = 128;
// A depth split's second pass (depth_sum) splits the rows of z across the threads only from this
// many rows; fewer are summed, activated and passed on (RowActivation::rows_done) by the caller
// alone. Each row then stays in one core's cache from the sum through the output layer, and the
// pass needs no round trip of the pool. With the two vCPUs on different dies, two threads trained
// 784-512-256-10 at batch 32 1.08x faster than with the pass split by rows, 784-128-10 1.06x at
// batch 16 and 1.01-1.02x at batch 32; at batch 64 it made no difference (1.02x, quartiles
// 0.94-1.05) and at batch 128 split rows were quicker (summed by the caller: 0.96x).
constexpr int kDepthSumSplitMinRows = 33;

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
  // Recursive: a training step holds it throughout (KernelSession), and its kernels then take it
  // again without an atomic operation.
  std::recursive_mutex mutex;
  ThreadPool pool;
  std::vector<GemmScratch> scratch;
  // a depth split's K-block products past chunk 0's, until they are added to C (reserve_depth_partials)
  std::vector<float> partials;
  std::vector<AlignedFloats> thread_buffers;  // parallel_tasks_with_buffers', one per pool thread
  const std::vector<KernelPath> paths = available_paths();
  KernelPath path = paths.front();

  State() : scratch(1) {}
};

State& state() {
  static State s;
  return s;
}

/** rows [first_row, last_row) of c (n columns): out = act(c) unless out is null, then rows_done. */
void activate_rows(const RowActivation& activate, const float* c, int n, int first_row, int last_row, int thread,
                   const ElementwiseLoops& loops) {
  if (first_row >= last_row) return;
  const std::size_t begin = static_cast<std::size_t>(n) * first_row;
  if (activate.out != nullptr)
    activation_forward_serial(activate.out + begin, c + begin, last_row - first_row, n, activate.act, loops);
  if (activate.rows_done != nullptr) activate.rows_done(activate.context, first_row, last_row, thread, loops);
}

struct Job {
  GemmOperands g;
  std::vector<GemmScratch>* scratch;
  bool split_columns;
  Chunking chunking;
  const RowActivation* activate = nullptr;  // a kRows split's, applied to each chunk's rows
  const ElementwiseLoops* loops = nullptr;
};

void gemm_chunk(void* context, int chunk, int thread) {
  const Job& job = *static_cast<const Job*>(context);
  const GemmOperands& g = job.g;
  int first, last;
  job.chunking.span(chunk, &first, &last);
  if (first == last) return;
  GemmScratch* scratch = &(*job.scratch)[thread];
  const int mr = g.kernel->mr, nr = g.kernel->nr;
  if (job.split_columns) {
    gemm_block(g, 0, g.m, first * nr, std::min(g.n, last * nr), scratch);
  } else {
    gemm_block(g, first * mr, std::min(g.m, last * mr), 0, g.n, scratch);
    if (job.activate != nullptr)
      activate_rows(*job.activate, g.c, g.n, std::min(g.m, first * mr), std::min(g.m, last * mr), thread, *job.loops);
  }
}

// A depth split (GemmSplit::kDepth): chunk c sums K blocks [first(c), first(c + 1)).
struct DepthJob {
  GemmOperands g;
  std::vector<GemmScratch>* scratch;
  int blocks, chunks;
  float* partials;  // one m × n product per block from first(1) on
  const RowActivation* activate;  // null: none
  const ElementwiseLoops* loops;
  int sum_chunks;  // depth_sum's: chunks, or 1 below kDepthSumSplitMinRows

  int first(int chunk) const { return static_cast<int>(static_cast<long long>(blocks) * chunk / chunks); }
  float* partial(int block) const {
    return partials + static_cast<std::size_t>(block - first(1)) * g.m * g.n;
  }
};

void depth_chunk(void* context, int chunk, int thread) {
  const DepthJob& job = *static_cast<const DepthJob*>(context);
  GemmOperands g = job.g;
  g.bias = nullptr;  // added by depth_sum, after every block
  GemmScratch* scratch = &(*job.scratch)[thread];
  const int last = job.first(chunk + 1);
  if (chunk == 0) {
    g.k_end = last * g.kc;
    gemm_block(g, 0, g.m, 0, g.n, scratch);
    return;
  }
  for (int block = job.first(chunk); block < last; ++block) {
    g.c = job.partial(block);
    g.k_begin = block * g.kc;
    g.k_end = std::min(g.k, g.k_begin + g.kc);
    gemm_block(g, 0, g.m, 0, g.n, scratch);
  }
}

// Rows [m·chunk/sum_chunks, m·(chunk+1)/sum_chunks) of C: c + each later block's product in K
// order, + bias, then the activation of those rows, if any.
void depth_sum(void* context, int chunk, int thread) {
  const DepthJob& job = *static_cast<const DepthJob*>(context);
  const GemmOperands& g = job.g;
  const std::size_t n = static_cast<std::size_t>(g.n);
  const int first_row = static_cast<int>(static_cast<long long>(g.m) * chunk / job.sum_chunks);
  const int last_row = static_cast<int>(static_cast<long long>(g.m) * (chunk + 1) / job.sum_chunks);
  const std::size_t begin = n * first_row, end = n * last_row;
  for (int block = job.first(1); block < job.blocks; ++block) {
    const float* product = job.partial(block);
    for (std::size_t i = begin; i < end; ++i) g.c[i] = g.c[i] + product[i];
  }
  if (g.bias != nullptr) {
    for (std::size_t i = begin; i < end; i += n)
      for (std::size_t j = 0; j < n; ++j) g.c[i + j] = g.c[i + j] + g.bias[j];
  }
  if (job.activate != nullptr) activate_rows(*job.activate, g.c, g.n, first_row, last_row, thread, *job.loops);
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

namespace {

// B (untransposed) is read in place when its rows are short: packing W (784×128) was 14% of a
// training step, and in place the 512³ GEMM ran as fast (CPU-time A/B 1.004–1.041). With long
// rows the microkernel's column of B strides across L2 sets: 0.83–0.93 at n = 1000–2048.
bool reads_b_in_place(const GemmKernel& kernel, bool trans_b, int n) { return !trans_b && n <= kernel.nc; }
GemmOperands::BSource b_source(bool in_place) {
  return in_place ? GemmOperands::BSource::kInPlace : GemmOperands::BSource::kPackPerBlock;
}

// A standalone GEMM's B is the caller's array, and a JavaScript typed array's data often starts 16
// bytes past a cache line; read in place, every 64-byte load of such rows then spans two lines.
// An Intel Xeon (AVX-512, 2 MiB L2) ran 512³ at 162 GFLOP/s with B and C so placed against 183 with
// both on line boundaries. Packed B sits on line boundaries but costs a copy of B per chunk, which
// pays from about 256 rows of C a chunk: packed / in place, 1 thread, B off its lines: 512³ 1.09x,
// 128×784·784×128 0.91x, 32×784·784×128 0.75x.
constexpr int kPackOffLineBMinRows = 256;
bool b_rows_off_lines(const float* b, int n) {
  return n % 16 != 0 || reinterpret_cast<std::uintptr_t>(b) % 64 != 0;
}

int pool_chunks(const State& s, GemmSplit split, int extent) {
  const int tile = split == GemmSplit::kRows ? s.path.gemm->mr : s.path.gemm->nr;
  return std::min({s.pool.threads_taking_part(), (extent + tile - 1) / tile, ThreadPool::kMaxAffineChunks});
}

}  // namespace

int owned_chunks(GemmSplit split, int extent) {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  return pool_chunks(s, split, extent);
}

bool gemm_worth_splitting(int m, int n, int k) {
  return static_cast<double>(m) * n * k >= kParallelMinFlops && std::min({m, n, k}) >= kParallelMinDim;
}

void reserve_depth_partials(std::size_t floats) {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  floats = std::min(floats, kMostDepthPartialFloats);
  if (s.partials.size() >= floats) return;
  try {
    s.partials.resize(floats);
  } catch (const std::bad_alloc&) {
    // the buffer is for speed only: a depth split without room for its products runs by columns
    // (sgemm), with the same bits
  }
}

std::size_t sgemm(bool trans_a, bool trans_b, int m, int n, int k, Rows a, const float* b, float* c, const float* bias,
                  float* tile_squares, GemmSplit split, RowActivation* activate) {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  const GemmKernel& kernel = *s.path.gemm;
  const int column_tiles = (n + kernel.nr - 1) / kernel.nr, row_tiles = (m + kernel.mr - 1) / kernel.mr;
  if (split == GemmSplit::kDepth) {
    DepthJob job{GemmOperands(kernel, trans_a, trans_b, m, n, k, a, b, c, bias, nullptr), &s.scratch, 0, 0, nullptr,
                 activate, s.path.loops, 1};
    job.blocks = (k + job.g.kc - 1) / job.g.kc;
    job.chunks = std::min({s.pool.threads_taking_part(), job.blocks, ThreadPool::kMaxAffineChunks});
    const std::size_t floats =
        job.chunks >= 2 ? static_cast<std::size_t>(job.blocks - job.first(1)) * m * n : 0;
    if (job.chunks >= 2 && floats <= s.partials.size()) {
      job.g.b_source = b_source(reads_b_in_place(kernel, trans_b, n));
      job.partials = s.partials.data();
      s.pool.run(job.chunks, depth_chunk, &job, true);
      job.sum_chunks = m >= kDepthSumSplitMinRows ? job.chunks : 1;
      s.pool.run(job.sum_chunks, depth_sum, &job, true);
      if (activate != nullptr) activate->applied = true;
      return 0;
    }
    split = GemmSplit::kColumns;
  }
  const bool owned = split == GemmSplit::kColumns || split == GemmSplit::kRows;
  // sgemm's own split is by rows of C, one chunk per thread, each writing whole rows of C. Column
  // chunks write interleaved slices of every row, and each core's hardware prefetchers pull in the
  // other's lines: on two threads, by rows ran 1.13-1.18x faster than by columns at 512³, 1.15x at
  // 1024³, 1.34x at 512×784·784×128 (ab.ts gemm, --peak-gate 1.7), and 512³ scaled 1.95x over
  // one thread. A row chunk packs all of B itself when B is not read in place, hence one chunk
  // per thread.
  const double macs = static_cast<double>(m) * n * k;
  const bool worth_splitting = gemm_worth_splitting(m, n, k);
  // A standalone GEMM splits without the minimum dimensions: no training step's other kernels
  // share its operands' cache lines between the cores, and 32×784·784×128, 16×1000·1000×1000 and
  // 1000×1000·1000×10 ran 1.71–1.82x faster on two threads than on one, 64×128·128×128 1.57x.
  // When m is too short for a row chunk per thread, by columns: each core then reads only its
  // columns of B.
  const bool standalone = split == GemmSplit::kStandalone && !worth_splitting && macs >= kParallelMinFlops;
  const bool standalone_columns = standalone && m < kParallelMinDim && column_tiles >= 2;
  const bool split_columns = split == GemmSplit::kColumns || standalone_columns;
  const int threads = owned ? pool_chunks(s, split, split_columns ? n : m)
                      : worth_splitting || standalone ? s.pool.threads_taking_part() : 1;
  const Chunking chunking{split_columns ? column_tiles : row_tiles, threads};
  Job job{GemmOperands(kernel, trans_a, trans_b, m, n, k, a, b, c, bias, tile_squares), &s.scratch,
          split_columns, chunking};
  const int chunk_rows = split_columns ? m : m / chunking.count();
  const bool pack_off_line_b =
      split == GemmSplit::kStandalone && chunk_rows >= kPackOffLineBMinRows && b_rows_off_lines(b, n);
  job.g.b_source = b_source(reads_b_in_place(kernel, trans_b, n) && !pack_off_line_b);
  if (split == GemmSplit::kRows && activate != nullptr) {
    job.activate = activate;
    job.loops = s.path.loops;
  }
  s.pool.run(chunking.count(), gemm_chunk, &job, owned);
  if (job.activate != nullptr) activate->applied = true;
  return tile_squares ? tile_count(kernel, m, n) : 0;
}

void sgemm_on_thread(int thread, bool trans_a, bool trans_b, int m, int n, int k, Rows a, const float* b, float* c,
                     const float* bias) {
  // no lock: the thread that started the running pool task holds it, and keeps the path and the
  // scratch buffers as they are until every task has returned
  State& s = state();
  const GemmKernel& kernel = *s.path.gemm;
  GemmOperands g(kernel, trans_a, trans_b, m, n, k, a, b, c, bias, nullptr);
  g.b_source = b_source(reads_b_in_place(kernel, trans_b, n));
  gemm_block(g, 0, m, 0, n, &s.scratch[static_cast<std::size_t>(thread)]);
}

void matmul_nn(float* c, const float* a, const float* b, int m, int k, int n) {
  sgemm(false, false, m, n, k, a, b, c, nullptr, nullptr, GemmSplit::kStandalone);
}
void matmul_tn(float* c, const float* a, const float* b, int m, int k, int n) {
  sgemm(true, false, m, n, k, a, b, c, nullptr, nullptr, GemmSplit::kStandalone);
}
void matmul_nt(float* c, const float* a, const float* b, int m, int k, int n) {
  sgemm(false, true, m, n, k, a, b, c, nullptr, nullptr, GemmSplit::kStandalone);
}

namespace {

// Element-wise work is dealt out in chunks of this many elements (128 KiB of floats per operand:
// tens of microseconds), claimed from the pool's counter, so a slow or preempted thread holds up
// the others by one chunk at most.
constexpr std::size_t kRangeChunk = std::size_t{1} << 15;
// Work of fewer chunks (1 MiB per operand) stays on the calling thread: element-wise passes do one
// or two operations per element loaded, so while their operands fit in one core's L2, fetching
// the other core's lines costs more than the second core saves. Splitting the optimizer update
// of 784-128-10 (101,770 parameters) made 2-thread training at batch 32 0.86x one thread.
constexpr std::size_t kRangeMinChunks = 8;

struct Ranges {
  std::size_t count;
  RangeTask task;
  void* context;
};

void range_chunk(void* context, int chunk, int) {
  const Ranges& r = *static_cast<const Ranges*>(context);
  const std::size_t begin = kRangeChunk * static_cast<std::size_t>(chunk);
  r.task(r.context, begin, std::min(r.count, begin + kRangeChunk));
}

}  // namespace

KernelSession::KernelSession() { state().mutex.lock(); }
KernelSession::~KernelSession() { state().mutex.unlock(); }

void parallel_tasks(int count, PoolTask task, void* context, bool affine) {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  s.pool.run(count, task, context, affine);
}

void parallel_tasks_with_buffers(int count, PoolTask task, void* context, std::size_t floats) {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  const auto threads = static_cast<std::size_t>(s.pool.size());
  if (s.thread_buffers.size() < threads) s.thread_buffers.resize(threads);
  for (std::size_t t = 0; t < threads; ++t)
    if (s.thread_buffers[t].size() < floats) s.thread_buffers[t] = AlignedFloats(floats);
  s.pool.run(count, task, context);
}

float* thread_buffer(int thread) {
  // no lock: the thread that started the running pool task holds it
  return state().thread_buffers[static_cast<std::size_t>(thread)].data();
}

bool ranges_split(std::size_t count) { return (count + kRangeChunk - 1) / kRangeChunk >= kRangeMinChunks; }

void parallel_ranges(std::size_t count, RangeTask task, void* context) {
  if (count == 0) return;
  if (!ranges_split(count)) return task(context, 0, count);
  const std::size_t chunks = (count + kRangeChunk - 1) / kRangeChunk;
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  Ranges ranges{count, task, context};
  s.pool.run(static_cast<int>(chunks), range_chunk, &ranges);  // count < 2^31 elements: chunks < 2^16
}

const char* kernel_path() { return gemm_kernel().path; }

const GemmKernel& gemm_kernel() {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  return *s.path.gemm;
}

const ElementwiseLoops& elementwise_loops() {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  return *s.path.loops;
}

std::vector<const char*> kernel_paths() {
  std::vector<const char*> names;
  for (const KernelPath& path : state().paths) names.push_back(path.gemm->path);
  return names;
}

bool set_kernel_path(const char* name) {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
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
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  // Every thread's packing buffer exists before it starts, so an allocation that fails here
  // leaves the pool as it was, and a pool thread never lacks one.
  const auto wanted = static_cast<std::size_t>(std::max(threads, 1));
  if (s.scratch.size() < wanted) s.scratch.resize(wanted);
  try {
    s.pool.resize(threads);
  } catch (...) {
    s.scratch.resize(static_cast<std::size_t>(s.pool.size()));  // the threads that did start
    throw;
  }
  s.scratch.resize(static_cast<std::size_t>(s.pool.size()));
}

int threads() {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  return s.pool.size();
}

void set_caller_only(bool on) {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  s.pool.set_caller_only(on);
}

std::uint64_t pool_backed_off_jobs() {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  return s.pool.backed_off_jobs();
}

std::uint32_t pool_jobs_posted() {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  return s.pool.jobs_posted();
}

}  // namespace mlpx
