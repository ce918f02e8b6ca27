// The Net class JS sees (src/backend/native/engine.ts): one NetCore and the memory it runs on.
// Parameters, gradients, optimizer state and workspace are C++ allocations owned by the Net:
// JS only ever gets copies (readParams, forward's output), so no view can outlive them, and
// dispose() frees them at once. V8 is told their size so it collects dropped Nets in time.
// While trainEpoch runs on a worker thread, every other call throws a BusyError.
#include "net_napi.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "activation.h"
#include "aligned.h"
#include "inference.h"
#include "lead_thread.h"
#include "loss.h"
#include "matmul.h"
#include "napi_args.h"
#include "net.h"
#include "optim.h"

namespace mlpx {

namespace {

struct EpochJob;
class EpochWorker;

class Net : public Napi::ObjectWrap<Net> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Net(const Napi::CallbackInfo& info);
  ~Net() override;

 private:
  friend class EpochWorker;

  Napi::Value ParamCount(const Napi::CallbackInfo& info);
  Napi::Value Capacity(const Napi::CallbackInfo& info);
  Napi::Value OptimizerKind(const Napi::CallbackInfo& info);
  Napi::Value ReadParams(const Napi::CallbackInfo& info) { return read(info, "readParams", params_); }
  Napi::Value WriteParams(const Napi::CallbackInfo& info) {
    packed_for_ = nullptr;
    return write(info, "writeParams", params_);
  }
  Napi::Value ReadGrads(const Napi::CallbackInfo& info) { return read(info, "readGrads", grads_); }
  Napi::Value ReadOptimizerState(const Napi::CallbackInfo& info) { return read(info, "readOptimizerState", state_); }
  Napi::Value WriteOptimizerState(const Napi::CallbackInfo& info) { return write(info, "writeOptimizerState", state_); }
  Napi::Value SetOptimizer(const Napi::CallbackInfo& info);
  Napi::Value Reserve(const Napi::CallbackInfo& info);
  Napi::Value Forward(const Napi::CallbackInfo& info);
  Napi::Value Predict(const Napi::CallbackInfo& info);
  Napi::Value Evaluate(const Napi::CallbackInfo& info);
  Napi::Value Gradient(const Napi::CallbackInfo& info);
  Napi::Value TrainStep(const Napi::CallbackInfo& info);
  Napi::Value NextStepOnCaller(const Napi::CallbackInfo& info);
  Napi::Value ObserveSplitChoice(const Napi::CallbackInfo& info);
  Napi::Value TrainEpoch(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  /** Throws a DisposedError or BusyError unless the Net may be used now. */
  void require_idle(const Args& args, const char* call) const;
  int batch_rows(const Args& args, std::size_t index) const;
  Napi::Value read(const Napi::CallbackInfo& info, const char* call, const AlignedFloats& from);
  Napi::Value write(const Napi::CallbackInfo& info, const char* call, AlignedFloats& to);
  void set_optimizer(Napi::Env env, int kind);
  void reserve(Napi::Env env, int rows);
  /** `floats` zeroed floats, counted as external memory; an MlpxError naming `what` if the allocation fails. */
  AlignedFloats allocate(Napi::Env env, std::size_t floats, const char* what);
  /** Frees `buffer`, uncounting it. */
  void release(Napi::Env env, AlignedFloats& buffer);
  static OptParams opt_params(const Args& args, std::size_t index);
  /** Whether the steps of an epoch of `batch_size` rows run on the thread that runs the epoch. */
  bool epoch_on_caller(int batch_size) const;
  /** predict's weights, packed for the current kernel path: packed again after any change. */
  const float* packed_weights(Napi::Env env, const GemmKernel& kernel);
  /** trainEpoch's `now` path: the whole epoch on the calling (main) thread. */
  Napi::Value train_epoch_now(const Napi::CallbackInfo& info, EpochJob job);

  std::unique_ptr<NetCore> core_;
  AlignedFloats params_, grads_, state_, workspace_;
  AlignedFloats predict_buffer_;  // predict's hidden activations when the batch is one block of rows
  AlignedFloats packed_weights_;  // predict's copy of the layers' W (pack_weights) for packed_for_
  // the kernel path packed_weights_ is packed for; null when stale: every call that changes the
  // parameters (writeParams, trainStep, trainEpoch) sets it so
  const GemmKernel* packed_for_ = nullptr;
  int state_kind_ = kSgd;
  bool busy_ = false;  // an epoch is running on a worker thread
  bool disposed_ = false;
  std::int64_t external_bytes_ = 0;
};

Napi::Function Net::Define(Napi::Env env) {
  return DefineClass(env, "Net",
                     {
                         InstanceMethod<&Net::ParamCount>("paramCount"),
                         InstanceMethod<&Net::Capacity>("capacity"),
                         InstanceMethod<&Net::OptimizerKind>("optimizerKind"),
                         InstanceMethod<&Net::ReadParams>("readParams"),
                         InstanceMethod<&Net::WriteParams>("writeParams"),
                         InstanceMethod<&Net::ReadGrads>("readGrads"),
                         InstanceMethod<&Net::ReadOptimizerState>("readOptimizerState"),
                         InstanceMethod<&Net::WriteOptimizerState>("writeOptimizerState"),
                         InstanceMethod<&Net::SetOptimizer>("setOptimizer"),
                         InstanceMethod<&Net::Reserve>("reserve"),
                         InstanceMethod<&Net::Forward>("forward"),
                         InstanceMethod<&Net::Predict>("predict"),
                         InstanceMethod<&Net::Evaluate>("evaluate"),
                         InstanceMethod<&Net::Gradient>("gradient"),
                         InstanceMethod<&Net::TrainStep>("trainStep"),
                         InstanceMethod<&Net::NextStepOnCaller>("nextStepOnCaller"),
                         InstanceMethod<&Net::ObserveSplitChoice>("observeSplitChoice"),
                         InstanceMethod<&Net::TrainEpoch>("trainEpoch"),
                         InstanceMethod<&Net::Dispose>("dispose"),
                     });
}

// new Net(packedSpec: Int32Array [L, loss, sizes(0..L), activations(1..L), dropout thresholds(1..L),
// seed low, seed high]) — layout.ts packSpec.
Net::Net(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Net>(info) {
  Args args(info, "Net");
  std::size_t length = 0;
  const std::int32_t* packed = args.i32(0, "spec", &length);
  if (length < 1 || packed[0] < 1 || packed[0] > (1 << 20) || length != static_cast<std::size_t>(3 * packed[0] + 5))
    args.range_error("spec must be [L ≥ 1, loss, L + 1 sizes, L activations, L dropout thresholds, seed low, seed high]");
  const int L = packed[0];
  NetSpec spec;
  spec.loss = packed[1];
  if (spec.loss < 0 || spec.loss >= kLossCount) args.range_error("spec has an unknown loss id " + std::to_string(spec.loss));
  std::size_t params = 0;
  for (int i = 0; i <= L; ++i) {
    if (packed[2 + i] < 1) args.range_error("spec has a layer size < 1: " + std::to_string(packed[2 + i]));
    spec.sizes.push_back(packed[2 + i]);
    if (i > 0) params += (static_cast<std::size_t>(spec.sizes[i - 1]) + 1) * spec.sizes[i];
  }
  if (params > kMaxParameters)
    args.range_error("the network has " + std::to_string(params) + " parameters, more than 2^31 - 1");
  for (int l = 0; l < L; ++l) {
    const int act = packed[3 + L + l];
    if (act < 0 || act >= kActivationCount) args.range_error("spec has an unknown activation id " + std::to_string(act));
    spec.activations.push_back(act);
  }
  for (int l = 0; l < L; ++l) {
    const auto threshold = static_cast<std::uint32_t>(packed[3 + 2 * L + l]);
    if (threshold != 0 && (l == L - 1 || spec.activations[l] == kSoftmax))
      args.range_error("spec has dropout on layer " + std::to_string(l) + ": only hidden layers with an element-wise activation may drop");
    spec.dropout.push_back(threshold);
  }
  spec.seed = static_cast<std::uint32_t>(packed[3 + 3 * L]) |
              static_cast<std::uint64_t>(static_cast<std::uint32_t>(packed[4 + 3 * L])) << 32;
  if (spec.seed >= (std::uint64_t{1} << 53)) args.range_error("spec has a seed of 2^53 or more");
  core_ = std::make_unique<NetCore>(std::move(spec));
  const Napi::Env env = info.Env();
  params_ = allocate(env, core_->param_count(), "the parameters");
  grads_ = allocate(env, core_->param_count(), "the gradients");
  core_->attach_params(params_.data(), grads_.data());
  core_->attach_state(nullptr);
}

Net::~Net() {
  if (external_bytes_ != 0) Napi::MemoryManagement::AdjustExternalMemory(Env(), -external_bytes_);
}

AlignedFloats Net::allocate(Napi::Env env, std::size_t floats, const char* what) {
  AlignedFloats buffer;
  try {
    buffer = AlignedFloats(floats);
  } catch (const std::bad_alloc&) {
    throw_error(env, ErrorKind::kError,
                "could not allocate " + std::to_string(floats * sizeof(float)) + " bytes for " + what);
  }
  std::fill(buffer.data(), buffer.data() + floats, 0.0f);
  const auto bytes = static_cast<std::int64_t>(floats * sizeof(float));
  external_bytes_ += bytes;
  Napi::MemoryManagement::AdjustExternalMemory(env, bytes);
  return buffer;
}

void Net::release(Napi::Env env, AlignedFloats& buffer) {
  const auto bytes = static_cast<std::int64_t>(buffer.size() * sizeof(float));
  buffer = AlignedFloats();
  external_bytes_ -= bytes;
  Napi::MemoryManagement::AdjustExternalMemory(env, -bytes);
}

void Net::require_idle(const Args& args, const char* call) const {
  if (disposed_) throw_error(args.env(), ErrorKind::kDisposed, std::string(call) + ": this engine was disposed");
  if (busy_)
    throw_error(args.env(), ErrorKind::kBusy,
                std::string(call) + ": this engine is running trainEpoch(); wait for it to settle");
}

int Net::batch_rows(const Args& args, std::size_t index) const {
  const int rows = args.dim(index, "rows");
  if (rows > core_->capacity())
    args.range_error("rows (" + std::to_string(rows) + ") exceeds the reserved capacity (" +
                     std::to_string(core_->capacity()) + "); call reserve() first");
  return rows;
}

Napi::Value Net::ParamCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(disposed_ ? 0 : core_->param_count()));
}

Napi::Value Net::Capacity(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), disposed_ ? 0 : core_->capacity());
}

Napi::Value Net::OptimizerKind(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), state_kind_); }

// read(out?) → out, or a new Float32Array, holding a copy of `from`.
Napi::Value Net::read(const Napi::CallbackInfo& info, const char* call, const AlignedFloats& from) {
  Args args(info, call);
  require_idle(args, call);
  const bool given = info.Length() > 0 && !info[0].IsUndefined();
  Napi::Float32Array out = given ? Napi::Float32Array() : Napi::Float32Array::New(info.Env(), from.size());
  float* data = given ? args.f32(0, "out", from.size()) : out.Data();
  if (from.size() > 0) std::memcpy(data, from.data(), from.size() * sizeof(float));
  return given ? info[0] : Napi::Value(out);
}

// write(values): exactly as many values as `to` holds.
Napi::Value Net::write(const Napi::CallbackInfo& info, const char* call, AlignedFloats& to) {
  Args args(info, call);
  require_idle(args, call);
  const float* values = args.f32(0, "values", to.size());
  if (info[0].As<Napi::Float32Array>().ElementLength() != to.size())
    args.range_error("expected exactly " + std::to_string(to.size()) + " values");
  if (to.size() > 0) std::memcpy(to.data(), values, to.size() * sizeof(float));
  return info.Env().Undefined();
}

// Allocates the new state before dropping the old: a failed allocation leaves the Net as it was.
void Net::set_optimizer(Napi::Env env, int kind) {
  if (kind == state_kind_) return;
  AlignedFloats state = allocate(env, kStatePerParam[kind] * core_->param_count(), "the optimizer state");
  release(env, state_);
  state_ = std::move(state);
  state_kind_ = kind;
  core_->attach_state(state_.size() > 0 ? state_.data() : nullptr);
}

void Net::reserve(Napi::Env env, int rows) {
  if (rows <= core_->capacity()) return;
  AlignedFloats workspace =
      allocate(env, core_->workspace_floats(rows), ("the workspace of a batch of " + std::to_string(rows) + " rows").c_str());
  release(env, workspace_);
  workspace_ = std::move(workspace);
  core_->attach_workspace(workspace_.data(), rows);
}

// opt: a Float64Array of kOptFields values (kernels.ts packOptimizer)
OptParams Net::opt_params(const Args& args, std::size_t index) {
  const double* o = args.f64(index, "opt", kOptFields);
  const double kind = o[kOptKind];
  if (!(kind >= 0 && kind < kOptimizerCount) || kind != std::floor(kind))
    args.range_error("opt has an unknown optimizer id " + std::to_string(kind));
  auto f = [&](OptField field) { return static_cast<float>(o[field]); };
  return {static_cast<int>(kind), f(kOptLr), f(kOptBeta1), f(kOptBeta2), f(kOptEps), o[kOptNesterov] != 0,
          f(kOptL2), f(kOptL1), f(kOptWeightDecay), o[kOptClipNorm], f(kOptClipValue)};
}

Napi::Value Net::SetOptimizer(const Napi::CallbackInfo& info) {
  Args args(info, "setOptimizer");
  require_idle(args, "setOptimizer");
  set_optimizer(info.Env(), args.id(0, "kind", kOptimizerCount));
  return info.Env().Undefined();
}

Napi::Value Net::Reserve(const Napi::CallbackInfo& info) {
  Args args(info, "reserve");
  require_idle(args, "reserve");
  reserve(info.Env(), args.dim(0, "rows"));
  return info.Env().Undefined();
}

// forward(x, rows, out): out receives rows × outputs.
Napi::Value Net::Forward(const Napi::CallbackInfo& info) {
  Args args(info, "forward");
  require_idle(args, "forward");
  const int rows = batch_rows(args, 1);
  const float* x = args.f32(0, "x", elements(rows, core_->spec().inputs()));
  const std::size_t outputs = elements(rows, core_->spec().outputs());
  float* out = args.f32(2, "out", outputs);
  std::memcpy(out, core_->net_forward(x, rows), outputs * sizeof(float));
  return info.Env().Undefined();
}

// predict(x, rows, out): the forward pass of rows of x into out (rows × outputs), without the
// training workspace (native/inference.cc); rows ≤ capacity all the same, as for forward.
Napi::Value Net::Predict(const Napi::CallbackInfo& info) {
  Args args(info, "predict");
  require_idle(args, "predict");
  const NetSpec& spec = core_->spec();
  const int rows = batch_rows(args, 1);
  const float* x = args.f32(0, "x", elements(rows, spec.inputs()));
  float* out = args.f32(2, "out", elements(rows, spec.outputs()));
  const GemmKernel& kernel = gemm_kernel();
  const float* packed = packed_weights(info.Env(), kernel);
  try {
    infer(spec, params_.data(), packed, kernel, x, rows, out, predict_buffer_);
  } catch (const std::bad_alloc&) {
    // infer allocates only buffers for a block of rows' hidden activations
    throw_error(info.Env(), ErrorKind::kError,
                "predict: out of memory for the activations of a block of rows in a hidden layer of " +
                    std::to_string(widest_hidden_layer(spec)) + " units");
  }
  return info.Env().Undefined();
}

const float* Net::packed_weights(Napi::Env env, const GemmKernel& kernel) {
  if (packed_for_ == &kernel) return packed_weights_.data();
  const std::size_t floats = packed_weights_floats(core_->spec().sizes, kernel);
  if (packed_weights_.size() != floats) {
    release(env, packed_weights_);
    packed_weights_ = allocate(env, floats, "predict's packed weights");
  }
  pack_weights(core_->spec(), params_.data(), kernel, packed_weights_.data());
  packed_for_ = &kernel;
  return packed_weights_.data();
}

// evaluate(x, y, rows, stats) and gradient(x, y, rows, stats)
Napi::Value Net::Evaluate(const Napi::CallbackInfo& info) {
  Args args(info, "evaluate");
  require_idle(args, "evaluate");
  const int rows = batch_rows(args, 2);
  const float* x = args.f32(0, "x", elements(rows, core_->spec().inputs()));
  const float* y = args.f32(1, "y", elements(rows, core_->spec().outputs()));
  double* stats = args.f64(3, "stats", kStatsPerBatch);
  core_->net_loss(core_->net_forward(x, rows), y, nullptr, rows, stats);
  stats[kStatStatus] = kStepOk;
  return info.Env().Undefined();
}

Napi::Value Net::Gradient(const Napi::CallbackInfo& info) {
  Args args(info, "gradient");
  require_idle(args, "gradient");
  const int rows = batch_rows(args, 2);
  const float* x = args.f32(0, "x", elements(rows, core_->spec().inputs()));
  const float* y = args.f32(1, "y", elements(rows, core_->spec().outputs()));
  double* stats = args.f64(3, "stats", kStatsPerBatch);
  const Targets targets{y, nullptr};
  core_->net_loss(core_->net_forward(x, rows, nullptr, &targets), y, nullptr, rows, stats);
  core_->net_backward(x, y, nullptr, rows, stats);
  stats[kStatStatus] = kStepOk;
  return info.Env().Undefined();
}

// An update number: an integer in [0, 2^53) (Adam's t and the dropout masks' counter).
double update_number(const Args& args, std::size_t index, const char* name) {
  const double step = args.number(index, name);
  if (!(step >= 0 && step < 9007199254740992.0) || step != std::floor(step))
    args.range_error(std::string(name) + " must be an integer in [0, 2^53)");
  return step;
}

// trainStep(x, y, weights | null, rows, opt, step, stats)
Napi::Value Net::TrainStep(const Napi::CallbackInfo& info) {
  Args args(info, "trainStep");
  require_idle(args, "trainStep");
  packed_for_ = nullptr;
  const int rows = batch_rows(args, 3);
  const float* x = args.f32(0, "x", elements(rows, core_->spec().inputs()));
  const float* y = args.f32(1, "y", elements(rows, core_->spec().outputs()));
  const float* weights = args.f32_or_null(2, "weights", static_cast<std::size_t>(rows));
  const OptParams opt = opt_params(args, 4);
  const double step = update_number(args, 5, "step");
  double* stats = args.f64(6, "stats", kStatsPerBatch);
  set_optimizer(info.Env(), opt.kind);
  core_->net_train_step(x, y, weights, rows, opt, opt.lr, step, stats);
  return info.Env().Undefined();
}

// nextStepOnCaller(rows) → whether the split choice runs the next training step of `rows` rows
// on the calling thread alone (NetCore::next_step_on_caller).
Napi::Value Net::NextStepOnCaller(const Napi::CallbackInfo& info) {
  Args args(info, "nextStepOnCaller");
  require_idle(args, "nextStepOnCaller");
  return Napi::Boolean::New(info.Env(), core_->next_step_on_caller(args.dim(0, "rows")));
}

// observeSplitChoice(ms, restart) (tests): tells the split choice the time of a step run the way
// it said; with restart, the choice starts over first, for the batch size it is about.
Napi::Value Net::ObserveSplitChoice(const Napi::CallbackInfo& info) {
  Args args(info, "observeSplitChoice");
  require_idle(args, "observeSplitChoice");
  const double ms = args.number(0, "ms");
  if (!(ms >= 0)) args.range_error("ms must be a time: not negative, not NaN");
  core_->observe_split_choice(ms, args.flag(1, "restart"));
  return info.Env().Undefined();
}

Napi::Value Net::Dispose(const Napi::CallbackInfo& info) {
  Args args(info, "dispose");
  if (disposed_) return info.Env().Undefined();
  require_idle(args, "dispose");
  disposed_ = true;
  for (AlignedFloats* buffer : {&params_, &grads_, &state_, &workspace_, &packed_weights_}) release(info.Env(), *buffer);
  core_.reset();
  return info.Env().Undefined();
}

// What one trainEpoch call reads, parsed and checked on the main thread before any worker exists
// (an AsyncProgressWorker that is never queued would leave its thread-safe function dangling).
struct EpochJob {
  BatchSource source{};
  std::vector<std::uint32_t> order;  // copied so JS cannot change it under the worker
  std::vector<float> rates;          // likewise (empty: opt.lr for every batch)
  int batches = 0;
  OptParams opt{};
  double first_step = 1;
  Napi::Function progress;
};

// How often a running epoch signals progress to JS. Each Signal is a syscall and a main-thread
// wake-up: per batch, at batch 32 (4,000 a second), that cost 7% of an epoch on one thread and
// took CPU from the GEMM's second thread. 50 a second is smooth for a progress bar.
constexpr auto kProgressInterval = std::chrono::milliseconds(20);

// One epoch's batches and what JS has been told of them, on whichever thread runs them: run()
// trains (net_train_batches, one batch per call so a stop request is seen between batches) and
// calls signal() after the first batch, then at most every kProgressInterval; report(), on the
// main thread, copies the finished batches' stats into batchStats and calls onProgress, whose
// `false` or exception stops the epoch after the running batch (the exception is kept in
// error()) and ends the calls to onProgress, as in src/backend/epoch.ts.
class EpochRun {
 public:
  explicit EpochRun(EpochJob job)
      : job_(std::move(job)), stats_(static_cast<std::size_t>(job_.batches) * kStatsPerBatch, 0.0) {
    job_.source.order = job_.order.data();
    job_.source.rates = job_.rates.empty() ? nullptr : job_.rates.data();
  }

  template <typename Signal>
  void run(NetCore& core, Signal signal) {
    auto next_signal = std::chrono::steady_clock::now();
    for (int batch = 0; batch < job_.batches && !stop_.load(std::memory_order_acquire); ++batch) {
      double* stats = stats_.data() + static_cast<std::size_t>(batch) * kStatsPerBatch;
      const int ran = core.net_train_batches(job_.source, batch, 1, job_.opt, job_.first_step + batch, stats);
      done_.store(batch + 1, std::memory_order_release);
      const auto now = std::chrono::steady_clock::now();
      if (now >= next_signal) {
        signal();
        next_signal = now + kProgressInterval;
      }
      if (ran == 1 && stats[kStatStatus] != kStepOk) break;
    }
  }

  void report(Napi::Env env, Napi::Float64Array batch_stats, Napi::Function progress) {
    const int done = this->done();
    if (done <= reported_) return;
    // batchStats is re-read: if JS detached it meanwhile its length is 0 and nothing is written
    if (batch_stats.ElementLength() < static_cast<std::size_t>(done) * kStatsPerBatch) {
      fail(make_error(env, ErrorKind::kInvalidArgument, "trainEpoch: batchStats was detached or shrunk while the epoch ran"));
      return;
    }
    std::memcpy(batch_stats.Data() + static_cast<std::size_t>(reported_) * kStatsPerBatch,
                stats_.data() + static_cast<std::size_t>(reported_) * kStatsPerBatch,
                static_cast<std::size_t>(done - reported_) * kStatsPerBatch * sizeof(double));
    reported_ = done;
    if (progress.IsEmpty() || stop_.load(std::memory_order_acquire)) return;  // once told to stop, it is not called again
    try {
      const Napi::Value result = progress.Call({Napi::Number::New(env, done)});
      if (result.IsBoolean() && !result.As<Napi::Boolean>().Value()) stop_.store(true, std::memory_order_release);
    } catch (const Napi::Error& error) {
      fail(error);
    }
  }

  int done() const { return done_.load(std::memory_order_acquire); }
  /** The exception that stopped the epoch, if any. */
  const Napi::ObjectReference& error() const { return error_; }
  const EpochJob& job() const { return job_; }

 private:
  // Stop after the running batch; the caller rejects with `error` once the batches are done.
  void fail(const Napi::Error& error) {
    if (error_.IsEmpty()) error_ = Napi::Persistent(error.Value());
    stop_.store(true, std::memory_order_release);
  }

  EpochJob job_;
  std::vector<double> stats_;
  Napi::ObjectReference error_;
  std::atomic<int> done_{0};
  std::atomic<bool> stop_{false};
  int reported_ = 0;
};

// Runs an epoch off the main thread, holding references to everything it reads so nothing is
// collected while it runs. x and y must be arrays nobody else can detach (NativeEngine passes its
// private copies). Progress is a Signal (no per-batch allocation); OnProgress reports
// (EpochRun::report), and OnOK reports whatever is left.
class EpochWorker : public Napi::AsyncProgressWorker<std::uint32_t> {
 public:
  EpochWorker(const Napi::CallbackInfo& info, Net* net, EpochJob job)
      : AsyncProgressWorker(info.Env(), "mlpx:trainEpoch"),
        deferred_(Napi::Promise::Deferred::New(info.Env())),
        net_(net),
        run_(std::move(job)) {
    self_ = Napi::Persistent(info.This().As<Napi::Object>());
    keep_[0] = Napi::Persistent(info[0].As<Napi::Object>());   // x
    keep_[1] = Napi::Persistent(info[1].As<Napi::Object>());   // y
    keep_[2] = Napi::Persistent(info[9].As<Napi::Object>());   // batchStats
    if (run_.job().source.weights != nullptr) keep_[3] = Napi::Persistent(info[2].As<Napi::Object>());
    if (!run_.job().progress.IsEmpty()) progress_ = Napi::Persistent(run_.job().progress);
  }

  Napi::Promise Start() {
    net_->busy_ = true;
    Queue();
    return deferred_.Promise();
  }

 protected:
  void Execute(const ExecutionProgress& progress) override {
    // On more than one thread the batches run on the lead thread, so the pool's caller (whose
    // core keeps chunk 0's rows of W) is the same thread in every call, whichever libuv thread
    // runs this one (native/lead_thread.h). Not when the epoch's steps run on their caller
    // (Net::epoch_on_caller): handing the epoch over and back took ~24 µs, a tenth of an epoch of
    // 32 steps of 2-32-32-2. (A trial of the caller alone, during a stay of split steps, runs on
    // the lead thread: the next steps then find their rows where they were.)
    if (net_->epoch_on_caller(run_.job().source.batch_size)) return run_batches(progress);
    struct Call {
      EpochWorker* worker;
      const ExecutionProgress* progress;
    } call{this, &progress};
    run_on_lead_thread([](void* context) {
      const Call& c = *static_cast<Call*>(context);
      c.worker->run_batches(*c.progress);
    }, &call);
  }

  void OnProgress(const std::uint32_t*, std::size_t) override { report(); }

  void OnOK() override {
    net_->busy_ = false;
    report();
    if (!run_.error().IsEmpty()) {
      deferred_.Reject(run_.error().Value());
    } else {
      deferred_.Resolve(Napi::Number::New(Env(), run_.done()));
    }
  }

  void OnError(const Napi::Error& error) override {
    net_->busy_ = false;
    deferred_.Reject(error.Value());
  }

 private:
  void run_batches(const ExecutionProgress& progress) {
    run_.run(*net_->core_, [&] { progress.Signal(); });
  }

  void report() {
    run_.report(Env(), keep_[2].Value().As<Napi::Float64Array>(),
                progress_.IsEmpty() ? Napi::Function() : progress_.Value());
  }

  Napi::Promise::Deferred deferred_;
  Net* net_;
  EpochRun run_;
  Napi::ObjectReference self_;
  Napi::ObjectReference keep_[4];  // x, y, batchStats, weights
  Napi::FunctionReference progress_;
};

// trainEpoch(x, y, weights | null, rows, order, batchSize, opt, rates | null, firstStep, batchStats, onProgress?, now?)
// With `now` (an epoch short enough to block the main thread for), an epoch whose steps run on
// their caller (epoch_on_caller) runs on the calling thread and settles before trainEpoch
// returns: without the hand-over to a libuv thread and back, which took ~36 µs a call here (a
// one-batch epoch of a 2-4-2 network: 38.7 µs handed over, 2.7 µs in place), a fifth of a
// 32-batch epoch of 2-32-32-2.
Napi::Value Net::TrainEpoch(const Napi::CallbackInfo& info) {
  Args args(info, "trainEpoch");
  require_idle(args, "trainEpoch");
  packed_for_ = nullptr;
  const NetSpec& spec = core_->spec();
  EpochJob job;
  const int rows = args.dim(3, "rows");
  job.source.x = args.f32(0, "x", elements(rows, spec.inputs()));
  job.source.y = args.f32(1, "y", elements(rows, spec.outputs()));
  job.source.weights = args.f32_or_null(2, "weights", static_cast<std::size_t>(rows));
  std::size_t count = 0;
  const std::uint32_t* order = args.u32(4, "order", &count);
  if (count == 0) args.range_error("order is empty");
  job.source.order_length = count;
  job.source.batch_size = args.dim(5, "batchSize");
  job.opt = opt_params(args, 6);
  job.batches = static_cast<int>((count + job.source.batch_size - 1) / job.source.batch_size);
  const float* rates = args.f32_or_null(7, "rates", static_cast<std::size_t>(job.batches));
  if (rates != nullptr) job.rates.assign(rates, rates + job.batches);
  job.first_step = update_number(args, 8, "firstStep");
  if (job.first_step + job.batches >= 9007199254740992.0) args.range_error("firstStep + batches must be below 2^53");
  args.f64(9, "batchStats", static_cast<std::size_t>(job.batches) * kStatsPerBatch);
  job.progress = args.function_or_empty(10, "onProgress");
  const bool now = args.flag(11, "now");
  for (std::size_t i = 0; i < count; ++i)
    if (order[i] >= static_cast<std::uint32_t>(rows))
      args.range_error("order[" + std::to_string(i) + "] = " + std::to_string(order[i]) +
                       " is not a row of the data (" + std::to_string(rows) + " rows)");
  job.order.assign(order, order + count);
  reserve(info.Env(), static_cast<int>(std::min<std::size_t>(job.source.batch_size, count)));
  set_optimizer(info.Env(), job.opt.kind);
  if (now && epoch_on_caller(job.source.batch_size)) return train_epoch_now(info, std::move(job));
  return (new EpochWorker(info, this, std::move(job)))->Start();
}

bool Net::epoch_on_caller(int batch_size) const {
  return threads() < 2 || !core_->steps_use_pool(batch_size) || core_->steps_stay_on_caller(batch_size);
}

Napi::Value Net::train_epoch_now(const Napi::CallbackInfo& info, EpochJob job) {
  const Napi::Env env = info.Env();
  const auto deferred = Napi::Promise::Deferred::New(env);
  EpochRun run(std::move(job));
  const Napi::Function progress = run.job().progress;
  // a fresh view of batchStats for each report: onProgress may have detached it meanwhile
  auto report = [&] { run.report(env, info[9].As<Napi::Float64Array>(), progress); };
  busy_ = true;
  try {
    run.run(*core_, report);
  } catch (const std::exception& error) {
    // as the worker thread's exceptions reach OnError: a rejection
    busy_ = false;
    deferred.Reject(make_error(env, ErrorKind::kError, std::string("trainEpoch: ") + error.what()).Value());
    return deferred.Promise();
  }
  busy_ = false;
  report();
  if (!run.error().IsEmpty()) {
    deferred.Reject(run.error().Value());
  } else {
    deferred.Resolve(Napi::Number::New(env, run.done()));
  }
  return deferred.Promise();
}

// The numbers JS mirrors (src/backend/engine.ts, kernels.ts, layout.ts), for
// test/parity/layout.test.ts.
Napi::Object Layout(Napi::Env env) {
  Napi::Object layout = Napi::Object::New(env);
  const std::pair<const char*, double> entries[] = {
      {"STAT_LOSS", kStatLoss}, {"STAT_CORRECT", kStatCorrect}, {"STAT_GRAD_NORM2", kStatGradNorm2},
      {"STAT_STATUS", kStatStatus}, {"STATS_PER_BATCH", kStatsPerBatch},
      {"STEP_OK", kStepOk}, {"STEP_LOSS_NON_FINITE", kStepLossNonFinite},
      {"STEP_GRADIENT_NON_FINITE", kStepGradientNonFinite}, {"STEP_UPDATE_NON_FINITE", kStepUpdateNonFinite},
      {"MAX_PARAMETERS", static_cast<double>(kMaxParameters)}, {"GRAD_NORM2_LIMIT", kGradNorm2Limit},
      {"ACT_LINEAR", kLinear}, {"ACT_SIGMOID", kSigmoid}, {"ACT_TANH", kTanh}, {"ACT_RELU", kRelu},
      {"ACT_LEAKY_RELU", kLeakyRelu}, {"ACT_SOFTMAX", kSoftmax},
      {"LOSS_SSE", kSse}, {"LOSS_HALF_SSE", kHalfSse}, {"LOSS_MSE", kMse}, {"LOSS_CROSS_ENTROPY", kCrossEntropy},
      {"LOSS_BINARY_CROSS_ENTROPY", kBinaryCrossEntropy},
      {"OPT_SGD", kSgd}, {"OPT_MOMENTUM", kMomentum}, {"OPT_RMSPROP", kRmsprop}, {"OPT_ADAM", kAdam},
      {"OPT_FIELD_KIND", kOptKind}, {"OPT_FIELD_LR", kOptLr}, {"OPT_FIELD_BETA1", kOptBeta1},
      {"OPT_FIELD_BETA2", kOptBeta2}, {"OPT_FIELD_EPS", kOptEps}, {"OPT_FIELD_NESTEROV", kOptNesterov},
      {"OPT_FIELD_L2", kOptL2}, {"OPT_FIELD_L1", kOptL1}, {"OPT_FIELD_WEIGHT_DECAY", kOptWeightDecay},
      {"OPT_FIELD_CLIP_NORM", kOptClipNorm}, {"OPT_FIELD_CLIP_VALUE", kOptClipValue}, {"OPT_FIELDS", kOptFields},
      {"DROPOUT_SALT", kDropoutSalt}, {"DROPOUT_STRIDE", kDropoutStride},
      {"SPLIT_CHOICE_FIRST_STAY", SplitChoice::kFirstStay}, {"SPLIT_CHOICE_TRIAL_WARMUP", SplitChoice::kTrialWarmup},
      {"SPLIT_CHOICE_TRIAL_STEPS", SplitChoice::kTrialSteps},
  };
  for (const auto& [name, value] : entries) layout.Set(name, Napi::Number::New(env, value));
  Napi::Array state = Napi::Array::New(env, kOptimizerCount);
  for (int kind = 0; kind < kOptimizerCount; ++kind) state.Set(kind, Napi::Number::New(env, kStatePerParam[kind]));
  layout.Set("OPTIMIZER_STATE_PER_PARAM", state);
  return layout;
}

// Argument `index`: a network's layer sizes (an Int32Array of the inputs and each layer's units).
std::vector<int> layer_sizes(const Args& args, std::size_t index) {
  std::size_t length = 0;
  const std::int32_t* given = args.i32(index, "sizes", &length);
  if (length < 2) args.range_error("sizes must hold the inputs and at least one layer's units");
  const std::vector<int> sizes(given, given + length);
  for (const int size : sizes)
    if (size < 1) args.range_error("sizes has a layer size < 1: " + std::to_string(size));
  return sizes;
}

// depthPartialsBytes(sizes: Int32Array, rows) → bytes of depth_partials_floats (net.h): the room a
// network of these layer sizes makes in the process's K-block buffer when it reserves `rows` rows.
Napi::Value DepthPartialsBytes(const Napi::CallbackInfo& info) {
  Args args(info, "depthPartialsBytes");
  const std::vector<int> sizes = layer_sizes(args, 0);
  const int rows = args.dim(1, "rows");
  return Napi::Number::New(info.Env(), static_cast<double>(depth_partials_floats(sizes, rows) * sizeof(float)));
}

// packedWeightsBytes(sizes: Int32Array) → bytes of the copy of the weights predict packs for a
// network of these layer sizes on the kernel path in use (inference.h packed_weights_floats).
Napi::Value PackedWeightsBytes(const Napi::CallbackInfo& info) {
  Args args(info, "packedWeightsBytes");
  const std::vector<int> sizes = layer_sizes(args, 0);
  return Napi::Number::New(info.Env(), static_cast<double>(packed_weights_floats(sizes, gemm_kernel()) * sizeof(float)));
}

}  // namespace

void register_net(Napi::Env env, Napi::Object exports) {
  exports.Set("Net", Net::Define(env));
  exports.Set("layout", Layout(env));
  exports.Set("depthPartialsBytes", Napi::Function::New(env, DepthPartialsBytes, "depthPartialsBytes"));
  exports.Set("packedWeightsBytes", Napi::Function::New(env, PackedWeightsBytes, "packedWeightsBytes"));
}

}  // namespace mlpx
