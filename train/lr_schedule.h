#pragma once
// Learning-rate schedules as pure functions of the step (Hugging Face `get_*_schedule_with_warmup`
// semantics: the multiplier at optimizer step s, s = 0 for the first update).

#include <cstdint>
#include <string>

namespace sentzoo {

enum class LrSchedule { kConstant, kLinear, kCosine };

/// "constant" | "linear" | "cosine"; the error lists the valid names.
LrSchedule parse_lr_schedule(const std::string& name);
std::string to_string(LrSchedule schedule);

/// Multiplier in [0, 1] of the base learning rate at `step` of `total_steps`: linear warmup from
/// 0 over `warmup_steps`, then constant, linear decay to `min_ratio`, or half-cosine to
/// `min_ratio`.
double lr_multiplier(LrSchedule schedule,
                     int64_t step,
                     int64_t total_steps,
                     int64_t warmup_steps,
                     double min_ratio = 0.0);

/// RoFormerV2's residual ramp (REFERENCE.md §1.6): α rises linearly from 0 to 1 over
/// `ramp_steps` optimizer steps; 1 when ramp_steps <= 0.
double residual_ramp(int64_t step, int64_t ramp_steps);

}  // namespace sentzoo
