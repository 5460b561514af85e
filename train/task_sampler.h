#pragma once
// Which task a multi-task step trains (REFERENCE.md §1.6: one task per step, sampled by weight).
// Stateless in the step: task_at(step) is a pure function of (seed, step), so resuming needs no
// sampler state.

#include <cstdint>
#include <string>
#include <vector>

namespace sentzoo {

enum class TaskSampling { kProportional, kTemperature, kRoundRobin };

/// "proportional" | "temperature" | "round_robin".
TaskSampling parse_task_sampling(const std::string& name);

class TaskSampler {
 public:
  /// `sizes`: one positive number per task (its example count, or an explicit sampling weight).
  /// proportional: p ∝ size; temperature: p ∝ size^(1/T) (T = 1 is proportional, large T is
  /// uniform); round_robin: step % tasks.
  TaskSampler(std::vector<double> sizes, TaskSampling mode, double temperature, uint64_t seed);

  size_t task_at(int64_t step) const;
  const std::vector<double>& probabilities() const { return probabilities_; }

 private:
  TaskSampling mode_;
  uint64_t seed_;
  std::vector<double> probabilities_;
  std::vector<double> cumulative_;
};

}  // namespace sentzoo
