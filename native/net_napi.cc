// Memory lives in JS ArrayBuffers held by persistent references: the Float32Array views that
// params()/grads()/forward() return stay valid even if the Net is collected first, and V8 never
// moves a backing store, so C++ (including the epoch worker thread) can keep raw pointers.
#include "net_napi.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "activation.h"
#include "inference.h"
#include "loss.h"
#include "napi_args.h"
#include "net.h"
#include "optim.h"

namespace mlpx {

namespace {

class EpochWorker;

class Net : public Napi::ObjectWrap<Net> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Net(const Napi::CallbackInfo& info);

 private:
  friend class EpochWorker;

  Napi::Value ParamCount(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), double(core_->param_count())); }
  Napi::Value Capacity(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), core_->capacity()); }
  Napi::Value Params(const Napi::CallbackInfo&) { return params_view_.Value(); }
  Napi::Value Grads(const Napi::CallbackInfo&) { return grads_view_.Value(); }
  Napi::Value OptimizerState(const Napi::CallbackInfo&) { return state_view_.Value(); }
  Napi::Value SetOptimizer(const Napi::CallbackInfo& info);
  Napi::Value Reserve(const Napi::CallbackInfo& info);
  Napi::Value Forward(const Napi::CallbackInfo& info);
  Napi::Value Predict(const Napi::CallbackInfo& info);
  Napi::Value Evaluate(const Napi::CallbackInfo& info);
  Napi::Value Gradient(const Napi::CallbackInfo& info);
  Napi::Value TrainStep(const Napi::CallbackInfo& info);
  Napi::Value TrainEpoch(const Napi::CallbackInfo& info);

  void require_idle(const Args& args) const;
  int batch_rows(const Args& args, std::size_t index) const;
  void set_optimizer(Napi::Env env, int kind);
  void reserve(Napi::Env env, int rows);
  static OptParams opt_params(const Args& args, std::size_t first);
  Napi::Float32Array new_buffer(Napi::Env env, std::size_t floats, Napi::Reference<Napi::Float32Array>* keep);

  std::unique_ptr<NetCore> core_;
  Napi::Reference<Napi::Float32Array> params_view_, grads_view_, state_view_, workspace_;
  int state_kind_ = kSgd;
  bool busy_ = false;  // an epoch is running on a worker thread
};

Napi::Function Net::Define(Napi::Env env) {
  return DefineClass(env, "Net",
                     {
                         InstanceMethod<&Net::ParamCount>("paramCount"),
                         InstanceMethod<&Net::Capacity>("capacity"),
                         InstanceMethod<&Net::Params>("params"),
                         InstanceMethod<&Net::Grads>("grads"),
                         InstanceMethod<&Net::OptimizerState>("optimizerState"),
                         InstanceMethod<&Net::SetOptimizer>("setOptimizer"),
                         InstanceMethod<&Net::Reserve>("reserve"),
                         InstanceMethod<&Net::Forward>("forward"),
                         InstanceMethod<&Net::Predict>("predict"),
                         InstanceMethod<&Net::Evaluate>("evaluate"),
                         InstanceMethod<&Net::Gradient>("gradient"),
                         InstanceMethod<&Net::TrainStep>("trainStep"),
                         InstanceMethod<&Net::TrainEpoch>("trainEpoch"),
                     });
}

// new Net(packedSpec: Int32Array [L, loss, sizes(0..L), activations(1..L)]) — layout.ts packSpec.
Net::Net(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Net>(info) {
  Args args(info, "Net");
  std::size_t length = 0;
  const std::int32_t* packed = args.i32(0, "spec", &length);
  if (length < 1 || packed[0] < 1 || length != static_cast<std::size_t>(2 + 2 * packed[0] + 1))
    args.range_error("spec must be [L ≥ 1, loss, L + 1 sizes, L activations]");
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
  if (params > (std::size_t{1} << 31)) args.range_error("the network has more than 2^31 parameters");
  for (int l = 0; l < L; ++l) {
    const int act = packed[3 + L + l];
    if (act < 0 || act >= kActivationCount) args.range_error("spec has an unknown activation id " + std::to_string(act));
    spec.activations.push_back(act);
  }
  core_ = std::make_unique<NetCore>(std::move(spec));
  const Napi::Env env = info.Env();
  float* p = new_buffer(env, core_->param_count(), &params_view_).Data();
  float* g = new_buffer(env, core_->param_count(), &grads_view_).Data();
  core_->attach_params(p, g);
  core_->attach_state(new_buffer(env, 0, &state_view_).Data());
}

Napi::Float32Array Net::new_buffer(Napi::Env env, std::size_t floats, Napi::Reference<Napi::Float32Array>* keep) {
  Napi::Float32Array array = Napi::Float32Array::New(env, floats);  // zero-filled
  *keep = Napi::Persistent(array);
  return array;
}

void Net::require_idle(const Args& args) const {
  if (busy_)
    throw Napi::Error::New(args.env(), "mlpx native: this engine is running trainEpoch(); wait for it to resolve");
}

int Net::batch_rows(const Args& args, std::size_t index) const {
  const int rows = args.dim(index, "rows");
  if (rows > core_->capacity())
    args.range_error("rows (" + std::to_string(rows) + ") exceeds the reserved capacity (" +
                     std::to_string(core_->capacity()) + "); call reserve() first");
  return rows;
}

void Net::set_optimizer(Napi::Env env, int kind) {
  // The initial state (SGD, empty) is already right, so this allocates only when the kind changes.
  if (kind == state_kind_) return;
  state_kind_ = kind;
  core_->attach_state(new_buffer(env, kStatePerParam[kind] * core_->param_count(), &state_view_).Data());
}

void Net::reserve(Napi::Env env, int rows) {
  if (rows <= core_->capacity()) return;
  core_->attach_workspace(new_buffer(env, core_->workspace_floats(rows), &workspace_).Data(), rows);
}

OptParams Net::opt_params(const Args& args, std::size_t first) {
  return {args.id(first, "kind", kOptimizerCount), static_cast<float>(args.number(first + 1, "lr")),
          static_cast<float>(args.number(first + 2, "beta1")), static_cast<float>(args.number(first + 3, "beta2")),
          static_cast<float>(args.number(first + 4, "eps"))};
}

Napi::Value Net::SetOptimizer(const Napi::CallbackInfo& info) {
  Args args(info, "setOptimizer");
  require_idle(args);
  set_optimizer(info.Env(), args.id(0, "kind", kOptimizerCount));
  return info.Env().Undefined();
}

Napi::Value Net::Reserve(const Napi::CallbackInfo& info) {
  Args args(info, "reserve");
  require_idle(args);
  reserve(info.Env(), args.dim(0, "rows"));
  return info.Env().Undefined();
}

// forward(x, rows) → Float32Array view (rows × outputs) of the output, valid until the next call.
Napi::Value Net::Forward(const Napi::CallbackInfo& info) {
  Args args(info, "forward");
  require_idle(args);
  const int rows = batch_rows(args, 1);
  const float* out = core_->forward(args.f32(0, "x", elements(rows, core_->spec().inputs())), rows);
  Napi::Float32Array workspace = workspace_.Value();
  const std::size_t offset = static_cast<std::size_t>(out - workspace.Data()) * sizeof(float);
  return Napi::Float32Array::New(info.Env(), elements(rows, core_->spec().outputs()), workspace.ArrayBuffer(),
                                 workspace.ByteOffset() + offset);
}

// predict(x, rows, out): the forward pass of rows of x into out (rows × outputs), without the
// training workspace (native/inference.cc).
Napi::Value Net::Predict(const Napi::CallbackInfo& info) {
  Args args(info, "predict");
  require_idle(args);
  const NetSpec& spec = core_->spec();
  const int rows = args.dim(1, "rows");
  const float* x = args.f32(0, "x", elements(rows, spec.inputs()));
  infer(spec, params_view_.Value().Data(), x, rows, args.f32(2, "out", elements(rows, spec.outputs())));
  return info.Env().Undefined();
}

// evaluate(x, y, rows, stats) and gradient(x, y, rows, stats)
Napi::Value Net::Evaluate(const Napi::CallbackInfo& info) {
  Args args(info, "evaluate");
  require_idle(args);
  const int rows = batch_rows(args, 2);
  core_->evaluate(args.f32(0, "x", elements(rows, core_->spec().inputs())),
                  args.f32(1, "y", elements(rows, core_->spec().outputs())), rows, args.f64(3, "stats", kStatsPerBatch));
  return info.Env().Undefined();
}

Napi::Value Net::Gradient(const Napi::CallbackInfo& info) {
  Args args(info, "gradient");
  require_idle(args);
  const int rows = batch_rows(args, 2);
  core_->gradient(args.f32(0, "x", elements(rows, core_->spec().inputs())),
                  args.f32(1, "y", elements(rows, core_->spec().outputs())), rows, args.f64(3, "stats", kStatsPerBatch));
  return info.Env().Undefined();
}

// trainStep(x, y, rows, kind, lr, beta1, beta2, eps, step, stats)
Napi::Value Net::TrainStep(const Napi::CallbackInfo& info) {
  Args args(info, "trainStep");
  require_idle(args);
  const int rows = batch_rows(args, 2);
  const float* x = args.f32(0, "x", elements(rows, core_->spec().inputs()));
  const float* y = args.f32(1, "y", elements(rows, core_->spec().outputs()));
  const OptParams opt = opt_params(args, 3);
  const double step = args.number(8, "step");
  double* stats = args.f64(9, "stats", kStatsPerBatch);
  set_optimizer(info.Env(), opt.kind);
  core_->train_step(x, y, rows, opt, step, stats);
  return info.Env().Undefined();
}

// What one trainEpoch call reads, parsed and checked on the main thread before any worker exists
// (an AsyncProgressWorker that is never queued would leave its thread-safe function dangling).
struct EpochJob {
  const float* x = nullptr;
  const float* y = nullptr;
  double* batch_stats = nullptr;
  std::vector<std::uint32_t> order;  // copied so JS cannot change it under the worker
  int batch_size = 1;
  int batches = 0;
  OptParams opt{};
  double first_step = 1;
  Napi::Function progress;
};

// How often a running epoch signals progress to JS. Each Signal is a syscall and a main-thread
// wake-up: per batch, at batch 32 (4,000 a second), that cost 7% of an epoch on one thread and
// took CPU from the GEMM's second thread. 50 a second is smooth for a progress bar.
constexpr auto kProgressInterval = std::chrono::milliseconds(20);

// Runs the batches of one epoch off the main thread, holding references to everything it reads
// so nothing is collected while it runs. Progress is a Signal (no per-batch allocation), at most
// every kProgressInterval; OnProgress reads done_ and copies the finished batches' stats into
// batchStats, and OnOK reports whatever is left.
class EpochWorker : public Napi::AsyncProgressWorker<std::uint32_t> {
 public:
  EpochWorker(const Napi::CallbackInfo& info, Net* net, EpochJob job)
      : AsyncProgressWorker(info.Env(), "mlpx:trainEpoch"),
        deferred_(Napi::Promise::Deferred::New(info.Env())),
        net_(net),
        job_(std::move(job)),
        stats_(static_cast<std::size_t>(job_.batches) * kStatsPerBatch, 0.0) {
    self_ = Napi::Persistent(info.This().As<Napi::Object>());
    keep_[0] = Napi::Persistent(info[0].As<Napi::Object>());   // x
    keep_[1] = Napi::Persistent(info[1].As<Napi::Object>());   // y
    keep_[2] = Napi::Persistent(info[11].As<Napi::Object>());  // batchStats
    if (!job_.progress.IsEmpty()) progress_ = Napi::Persistent(job_.progress);
  }

  Napi::Promise Start() {
    net_->busy_ = true;
    Queue();
    return deferred_.Promise();
  }

 protected:
  void Execute(const ExecutionProgress& progress) override {
    NetCore& core = *net_->core_;
    const std::size_t outputs = core.spec().outputs();
    const std::size_t count = job_.order.size();
    auto next_signal = std::chrono::steady_clock::now();
    for (int batch = 0; batch < job_.batches; ++batch) {
      const std::size_t start = static_cast<std::size_t>(batch) * job_.batch_size;
      const int rows = static_cast<int>(std::min<std::size_t>(job_.batch_size, count - start));
      const std::uint32_t* batch_rows = job_.order.data() + start;
      for (int r = 0; r < rows; ++r) {
        std::memcpy(core.batch_y() + r * outputs, job_.y + batch_rows[r] * outputs, outputs * sizeof(float));
      }
      double* stats = stats_.data() + static_cast<std::size_t>(batch) * kStatsPerBatch;
      core.train_step(Rows(job_.x, batch_rows), core.batch_y(), rows, job_.opt, job_.first_step + batch, stats);
      done_.store(batch + 1, std::memory_order_release);
      const auto now = std::chrono::steady_clock::now();
      if (now >= next_signal) {
        progress.Signal();
        next_signal = now + kProgressInterval;
      }
      if (!std::isfinite(stats[kStatLoss]) || !std::isfinite(stats[kStatGradNorm2])) break;
    }
  }

  void OnProgress(const std::uint32_t*, std::size_t) override { report(); }

  void OnOK() override {
    net_->busy_ = false;
    report();
    deferred_.Resolve(Napi::Number::New(Env(), done_.load(std::memory_order_acquire)));
  }

  void OnError(const Napi::Error& error) override {
    net_->busy_ = false;
    deferred_.Reject(error.Value());
  }

 private:
  void report() {
    const int done = done_.load(std::memory_order_acquire);
    if (done <= reported_) return;
    std::memcpy(job_.batch_stats + static_cast<std::size_t>(reported_) * kStatsPerBatch,
                stats_.data() + static_cast<std::size_t>(reported_) * kStatsPerBatch,
                static_cast<std::size_t>(done - reported_) * kStatsPerBatch * sizeof(double));
    reported_ = done;
    if (!progress_.IsEmpty()) progress_.Call({Napi::Number::New(Env(), done)});
  }

  Napi::Promise::Deferred deferred_;
  Net* net_;
  EpochJob job_;
  std::vector<double> stats_;
  Napi::ObjectReference self_;
  Napi::ObjectReference keep_[3];
  Napi::FunctionReference progress_;
  std::atomic<int> done_{0};
  int reported_ = 0;
};

// trainEpoch(x, y, rows, order, batchSize, kind, lr, beta1, beta2, eps, firstStep, batchStats, onProgress?)
Napi::Value Net::TrainEpoch(const Napi::CallbackInfo& info) {
  Args args(info, "trainEpoch");
  require_idle(args);
  const NetSpec& spec = core_->spec();
  EpochJob job;
  const int rows = args.dim(2, "rows");
  job.x = args.f32(0, "x", elements(rows, spec.inputs()));
  job.y = args.f32(1, "y", elements(rows, spec.outputs()));
  std::size_t count = 0;
  const std::uint32_t* order = args.u32(3, "order", &count);
  job.batch_size = args.dim(4, "batchSize");
  job.opt = opt_params(args, 5);
  job.first_step = args.number(10, "firstStep");
  job.batches = static_cast<int>((count + job.batch_size - 1) / job.batch_size);
  job.batch_stats = args.f64(11, "batchStats", static_cast<std::size_t>(job.batches) * kStatsPerBatch);
  job.progress = args.function_or_empty(12, "onProgress");
  for (std::size_t i = 0; i < count; ++i)
    if (order[i] >= static_cast<std::uint32_t>(rows))
      args.range_error("order[" + std::to_string(i) + "] = " + std::to_string(order[i]) +
                       " is not a row of the data (" + std::to_string(rows) + " rows)");
  job.order.assign(order, order + count);
  if (count > 0) {
    reserve(info.Env(), static_cast<int>(std::min<std::size_t>(job.batch_size, count)));
    set_optimizer(info.Env(), job.opt.kind);
  }
  return (new EpochWorker(info, this, std::move(job)))->Start();
}

}  // namespace

void register_net(Napi::Env env, Napi::Object exports) { exports.Set("Net", Net::Define(env)); }

}  // namespace mlpx
