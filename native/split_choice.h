// Whether the training steps of a network split their work across the thread pool or run on the
// calling thread alone, chosen by timing both ways (NetCore::step_begin and step_end drive it; the
// WebAssembly twin is assembly/split_choice.ts, with the same rule and constants). Each GEMM and
// pass decides alone whether it is worth splitting, but whether a step's splits pay also depends
// on where the cores are and on how many of the lines a step reads the other core wrote: with the
// two vCPUs on different dies, 2-64-64-64-2 at batch 1000 trained on two threads at 0.87x one
// thread's rate, while 784-128-10 at batch 128 trained 1.5x faster.
//
// So the steps run one way for a stay, then the other way for a trial: kTrialWarmup steps that
// move the data over (not timed), then up to kTrialSteps timed. The mean times of the trial's
// steps and of the stay's last kTrialSteps steps are compared (a split step's time comes in two
// modes on a host that preempts a thread now and then, which the least time of a few flatters).
// The trial's way takes over when its mean is under the stay's by kMargin; a trial already
// behind by kGiveUp after two timed steps ends early. Each stay of a way that keeps winning is
// twice the last (four times after a trial that gave up), up to kMaxStay: a trial costs more
// than its steps, since the steps after it move the data back. A stay whose steps have become
// kDrift slower than the steps that won it ends at once: the host has moved the vCPUs, and the
// losing way would otherwise run for the rest of a long stay. Each step is bit for bit the same
// either way, so the choice changes no result.
#pragma once

#include <algorithm>

namespace mlpx {

class SplitChoice {
 public:
  /** The first stay, and the stay after a switch. */
  static constexpr int kFirstStay = 32;
  /** The longest stay: a way chosen while it was quicker is tried again within this many steps. */
  static constexpr int kMaxStay = 4096;
  /** Steps of a trial not timed: the first moves the rows of W and of the activations over. */
  static constexpr int kTrialWarmup = 1;
  /** Steps timed of each way per trial (the stay's last, the trial's) unless the trial gives up. */
  static constexpr int kTrialSteps = 8;
  /** How much quicker the other way must be to take over: less is noise on a shared machine. */
  static constexpr double kMargin = 0.03;
  /** How far behind after two timed steps a trial ends early. */
  static constexpr double kGiveUp = 0.2;
  /** Steps of a stay whose mean time is held against the mean of the steps that won it. */
  static constexpr int kDriftWindow = 32;
  /** How much slower than the steps that won it a window of the stay must run to end the stay. */
  static constexpr double kDrift = 0.25;

  /** Starts over (another batch size): steps split, a first stay. */
  void reset() { *this = SplitChoice(); }

  /** Whether the next step runs on the calling thread alone. */
  bool solo() const { return trial_ >= 0 ? !solo_ : solo_; }
  /** Whether the current stay's steps run on the calling thread alone (its trials not). */
  bool staying_solo() const { return solo_; }

  /** The time in ms of the step just run the way solo() said. */
  void observe(double ms) {
    if (trial_ < 0) {
      --left_;
      if (left_ < kTrialSteps) stay_ms_ += ms;
      window_ms_ += ms;
      if (++window_steps_ == kDriftWindow) {
        if (left_ > 0 && won_ms_ > 0 && window_ms_ > won_ms_ * kDriftWindow * (1 + kDrift)) {
          // the trial compares the window's mean, the stay's latest steps
          stay_ms_ = window_ms_ * kTrialSteps / kDriftWindow;
          left_ = 0;
        }
        window_ms_ = 0;
        window_steps_ = 0;
      }
      if (left_ == 0) {
        trial_ = 0;
        trial_ms_ = 0;
      }
      return;
    }
    const int timed = ++trial_ - kTrialWarmup;
    if (timed <= 0) return;
    trial_ms_ += ms;
    const double stay_mean = stay_ms_ / kTrialSteps;
    const bool behind = timed >= 2 && trial_ms_ > stay_mean * timed * (1 + kGiveUp);
    if (!behind && timed < kTrialSteps) return;
    if (!behind && trial_ms_ < stay_ms_ * (1 - kMargin)) {
      solo_ = !solo_;
      stay_ = kFirstStay;
      won_ms_ = trial_ms_ / kTrialSteps;
    } else {
      stay_ = std::min(kMaxStay, stay_ * (behind ? 4 : 2));
      won_ms_ = stay_ms_ / kTrialSteps;
    }
    left_ = stay_;
    trial_ = -1;
    stay_ms_ = window_ms_ = 0;
    window_steps_ = 0;
  }

 private:
  bool solo_ = false;  // the way of the current stay
  int stay_ = kFirstStay;
  int left_ = kFirstStay;  // steps of the current stay still to run
  int trial_ = -1;         // steps of the running trial so far; −1 outside a trial
  double stay_ms_ = 0;     // the summed times of the stay's last kTrialSteps steps
  double trial_ms_ = 0;    // and of the trial's timed steps
  double won_ms_ = 0;      // the mean time of the steps that won the last comparison (0: none yet)
  double window_ms_ = 0;   // the summed times of the stay's steps since its last full drift window
  int window_steps_ = 0;   // and their count
};

}  // namespace mlpx
