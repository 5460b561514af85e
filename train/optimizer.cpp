// AdamW parameter groups (train/optimizer.h).
#include "train/optimizer.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>

#include "core/compat.h"
#include "train/adamw_kernel.h"

namespace sentzoo {

void OptimizerConfig::validate() const {
  if (!(lr > 0))
    throw std::invalid_argument("OptimizerConfig: lr must be > 0, got " + std::to_string(lr));
  if (weight_decay < 0) throw std::invalid_argument("OptimizerConfig: weight_decay must be >= 0");
  if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
    throw std::invalid_argument("OptimizerConfig: beta1 and beta2 must be in [0, 1)");
  }
  if (!(eps > 0)) throw std::invalid_argument("OptimizerConfig: eps must be > 0");
}

WeightDecaySplit split_for_weight_decay(const torch::nn::Module& module,
                                        const OptimizerConfig& config) {
  WeightDecaySplit split;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) {
    const auto& p = item.value();
    if (!p.requires_grad()) continue;
    const bool embedding = item.key().find("embed") != std::string::npos;
    const bool decays = p.dim() >= 2 && (!embedding || config.decay_embeddings);
    (decays ? split.decay_names : split.no_decay_names).push_back(item.key());
    (decays ? split.decay : split.no_decay).push_back(p);
  }
  return split;
}

std::unique_ptr<torch::optim::AdamW> make_adamw(const torch::nn::Module& module,
                                                const OptimizerConfig& config) {
  config.validate();
  auto split = split_for_weight_decay(module, config);
  auto options = [&](double decay) {
    return std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(config.lr)
                                                            .betas({config.beta1, config.beta2})
                                                            .eps(config.eps)
                                                            .weight_decay(decay));
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(split.decay, options(config.weight_decay));
  groups.emplace_back(split.no_decay, options(0.0));
  return std::make_unique<FusedAdamW>(std::move(groups), torch::optim::AdamWOptions(config.lr));
}

namespace {

bool fusable(const torch::Tensor& p, const torch::Tensor& grad, const torch::Tensor& m,
             const torch::Tensor& v) {
  const auto dtype = p.scalar_type();
  if (!p.device().is_cpu() || (dtype != torch::kFloat && dtype != torch::kDouble)) return false;
  for (const auto* t : {&p, &grad, &m, &v}) {
    if (t->scalar_type() != dtype || !t->is_contiguous() || t->is_sparse()) return false;
  }
  return true;
}

// One parallel pass: each chunk goes to the vectorised kernel (train/adamw_kernel.h).
void fused_update(torch::Tensor& p, const torch::Tensor& grad, torch::Tensor& m, torch::Tensor& v,
                  const AdamWStepConstants& c) {
  AT_DISPATCH_FLOATING_TYPES(p.scalar_type(), "fused_adamw", [&] {
    scalar_t* pp = p.data_ptr<scalar_t>();
    scalar_t* mp = m.data_ptr<scalar_t>();
    scalar_t* vp = v.data_ptr<scalar_t>();
    const scalar_t* gp = grad.data_ptr<scalar_t>();
    at::parallel_for(0, p.numel(), /*grain_size=*/32768, [&](int64_t begin, int64_t end) {
      adamw_update(pp + begin, gp + begin, mp + begin, vp + begin, end - begin, c);
    });
  });
}

}  // namespace

torch::Tensor FusedAdamW::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  using State = torch::optim::AdamWParamState;
  for (auto& group : param_groups_) {
    auto& options = static_cast<torch::optim::AdamWOptions&>(group.options());
    TORCH_CHECK(!options.amsgrad(), "FusedAdamW: amsgrad is not supported");
    const auto [beta1, beta2] = options.betas();
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const auto& grad = p.grad();
      TORCH_CHECK(!grad.is_sparse(), "FusedAdamW: sparse gradients are not supported");
      const auto key = compat::optimizer_state_key<decltype(state_)>(p);
      if (state_.find(key) == state_.end()) {
        auto fresh = std::make_unique<State>();
        fresh->step(0);
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        state_[key] = std::move(fresh);
      }
      auto& state = static_cast<State&>(*state_[key]);
      state.step(state.step() + 1);
      AdamWStepConstants c;
      c.decay = 1 - options.lr() * options.weight_decay();
      c.beta1 = beta1;
      c.beta2 = beta2;
      c.eps = options.eps();
      c.sqrt_bias_correction2 = std::sqrt(1 - std::pow(beta2, state.step()));
      c.step_size = options.lr() / (1 - std::pow(beta1, state.step()));
      auto& m = state.exp_avg();
      auto& v = state.exp_avg_sq();
      if (fusable(p, grad, m, v)) {
        fused_update(p, grad, m, v, c);
        continue;
      }
      // LibTorch's own sequence (torch/csrc/api/src/optim/adamw.cpp).
      if (options.weight_decay() != 0) p.mul_(c.decay);
      m.mul_(beta1).add_(grad, 1 - beta1);
      v.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      p.addcdiv_(m, (v.sqrt() / c.sqrt_bias_correction2).add_(c.eps), -c.step_size);
    }
  }
  return loss;
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

}  // namespace sentzoo
