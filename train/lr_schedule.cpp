// Warmup + decay schedules (train/lr_schedule.h).
#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sentzoo {

LrSchedule parse_lr_schedule(const std::string& name) {
  if (name == "constant") return LrSchedule::kConstant;
  if (name == "linear") return LrSchedule::kLinear;
  if (name == "cosine") return LrSchedule::kCosine;
  throw std::invalid_argument("unknown lr schedule '" + name +
                              "' (expected one of: constant, linear, cosine)");
}

std::string to_string(LrSchedule schedule) {
  switch (schedule) {
    case LrSchedule::kConstant:
      return "constant";
    case LrSchedule::kLinear:
      return "linear";
    case LrSchedule::kCosine:
      return "cosine";
  }
  return "?";
}

double lr_multiplier(LrSchedule schedule,
                     int64_t step,
                     int64_t total_steps,
                     int64_t warmup_steps,
                     double min_ratio) {
  // Warmup: step / warmup, so the very first update uses lr 0 exactly as in transformers.
  if (step < warmup_steps) {
    return static_cast<double>(step) / static_cast<double>(std::max<int64_t>(1, warmup_steps));
  }
  if (schedule == LrSchedule::kConstant) return 1.0;
  const double decay_steps = static_cast<double>(std::max<int64_t>(1, total_steps - warmup_steps));
  const double progress = std::clamp((step - warmup_steps) / decay_steps, 0.0, 1.0);
  const double shape = schedule == LrSchedule::kLinear
                           ? 1.0 - progress
                           : 0.5 * (1.0 + std::cos(M_PI * progress));  // num_cycles = 0.5
  return min_ratio + (1.0 - min_ratio) * shape;
}

double residual_ramp(int64_t step, int64_t ramp_steps) {
  if (ramp_steps <= 0) return 1.0;
  return std::min(1.0, static_cast<double>(step) / static_cast<double>(ramp_steps));
}

}  // namespace sentzoo
