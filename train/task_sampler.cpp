// Multi-task sampling (train/task_sampler.h).
#include "train/task_sampler.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "train/run_control.h"

namespace sentzoo {

TaskSampling parse_task_sampling(const std::string& name) {
  if (name == "proportional") return TaskSampling::kProportional;
  if (name == "temperature") return TaskSampling::kTemperature;
  if (name == "round_robin") return TaskSampling::kRoundRobin;
  throw std::invalid_argument("unknown task sampling '" + name +
                              "' (expected one of: proportional, temperature, round_robin)");
}

TaskSampler::TaskSampler(std::vector<double> sizes,
                         TaskSampling mode,
                         double temperature,
                         uint64_t seed)
    : mode_(mode), seed_(seed) {
  if (sizes.empty()) throw std::invalid_argument("TaskSampler: no tasks");
  if (mode == TaskSampling::kTemperature && !(temperature > 0)) {
    throw std::invalid_argument("TaskSampler: temperature must be > 0");
  }
  double total = 0;
  for (double& s : sizes) {
    if (!(s > 0)) throw std::invalid_argument("TaskSampler: every task size must be > 0");
    if (mode == TaskSampling::kTemperature) s = std::pow(s, 1.0 / temperature);
    if (mode == TaskSampling::kRoundRobin) s = 1.0;
    total += s;
  }
  double running = 0;
  for (double s : sizes) {
    probabilities_.push_back(s / total);
    running += s / total;
    cumulative_.push_back(running);
  }
  cumulative_.back() = 1.0;
}

size_t TaskSampler::task_at(int64_t step) const {
  if (mode_ == TaskSampling::kRoundRobin) return static_cast<size_t>(step) % probabilities_.size();
  std::mt19937_64 rng(derived_seed(seed_, /*stream=*/0x7A5C, static_cast<uint64_t>(step)));
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  return std::min<size_t>(it - cumulative_.begin(), probabilities_.size() - 1);
}

}  // namespace sentzoo
