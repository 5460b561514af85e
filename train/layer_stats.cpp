// Per-layer gradient, weight and update norms of one optimizer step (train/layer_stats.h).
#include "train/layer_stats.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

namespace sentzoo {

std::string layer_group(const std::string& parameter_name) {
  // "layers.<digits>." anywhere, at the start of the name or after a dot.
  for (size_t at = parameter_name.find("layers."); at != std::string::npos;
       at = parameter_name.find("layers.", at + 1)) {
    if (at > 0 && parameter_name[at - 1] != '.') continue;
    size_t end = at + 7;
    while (end < parameter_name.size() && std::isdigit(static_cast<unsigned char>(parameter_name[end])))
      ++end;
    if (end > at + 7 && end < parameter_name.size() && parameter_name[end] == '.')
      return parameter_name.substr(at, end - at);
  }
  if (parameter_name.rfind("embeddings.", 0) == 0 ||
      parameter_name.find(".embeddings.") != std::string::npos)
    return "embeddings";
  return "other";
}

namespace {
// Sort key of a group: embeddings, then layers by number, then other.
std::pair<int, long> group_order(const std::string& group) {
  if (group == "embeddings") return {0, 0};
  if (group == "other") return {2, 0};
  return {1, std::stol(group.substr(7))};
}

double squared_norm(const torch::Tensor& t) {
  const double n = t.detach().to(torch::kDouble).norm().item<double>();
  return n * n;
}
}  // namespace

LayerStats::LayerStats(const std::vector<std::pair<std::string, torch::Tensor>>& named) {
  std::map<std::pair<int, long>, std::string> ordered;
  for (const auto& [name, parameter] : named) {
    const std::string group = layer_group(name);
    ordered.emplace(group_order(group), group);
  }
  for (const auto& [key, group] : ordered) groups_.push_back(group);
  for (const auto& [name, parameter] : named) {
    const auto index =
        std::find(groups_.begin(), groups_.end(), layer_group(name)) - groups_.begin();
    parameters_.emplace_back(size_t(index), parameter);
  }
}

void LayerStats::before_update() {
  torch::NoGradGuard no_grad;
  grad_sq_.assign(groups_.size(), 0.0);
  before_.clear();
  for (const auto& [group, parameter] : parameters_) {
    if (parameter.grad().defined()) grad_sq_[group] += squared_norm(parameter.grad());
    before_.push_back(parameter.detach().clone());
  }
}

std::vector<LayerGroupStats> LayerStats::after_update() {
  torch::NoGradGuard no_grad;
  if (before_.size() != parameters_.size())
    throw std::logic_error("LayerStats::after_update without before_update");
  std::vector<double> weight_sq(groups_.size(), 0.0), update_sq(groups_.size(), 0.0);
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const auto& [group, parameter] = parameters_[i];
    weight_sq[group] += squared_norm(parameter);
    update_sq[group] += squared_norm(parameter.detach() - before_[i]);
  }
  before_.clear();
  std::vector<LayerGroupStats> out;
  for (size_t g = 0; g < groups_.size(); ++g) {
    out.push_back({groups_[g], std::sqrt(grad_sq_[g]), std::sqrt(weight_sq[g]),
                   std::sqrt(update_sq[g])});
  }
  return out;
}

}  // namespace sentzoo
