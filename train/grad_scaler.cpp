// Dynamic loss scaling (train/grad_scaler.h), same state machine as torch's GradScaler.
#include "train/grad_scaler.h"

#include <torch/torch.h>

namespace sentzoo {

GradScaler::GradScaler(GradScalerConfig config) : config_(config), scale_(config.init_scale) {}

torch::Tensor GradScaler::scale(const torch::Tensor& loss) const { return loss * scale_; }

bool GradScaler::unscale_and_check(const std::vector<torch::Tensor>& parameters) {
  torch::NoGradGuard no_grad;
  const double inverse = 1.0 / scale_;
  // One host sync for the whole check: accumulate a non-finite count on the device.
  torch::Tensor bad;
  for (const auto& p : parameters) {
    if (!p.grad().defined()) continue;
    auto g = p.mutable_grad();
    auto count = torch::logical_not(torch::isfinite(g)).sum();
    bad = bad.defined() ? bad + count : count;
    g.mul_(inverse);
  }
  return !bad.defined() || bad.item<int64_t>() == 0;
}

void GradScaler::update(bool found_finite) {
  if (!found_finite) {
    scale_ *= config_.backoff_factor;
    growth_tracker_ = 0;
    ++skipped_;
    return;
  }
  if (++growth_tracker_ >= config_.growth_interval) {
    scale_ *= config_.growth_factor;
    growth_tracker_ = 0;
  }
}

void GradScaler::restore(double scale, int64_t growth_tracker, int64_t skipped) {
  scale_ = scale;
  growth_tracker_ = growth_tracker;
  skipped_ = skipped;
}

}  // namespace sentzoo
