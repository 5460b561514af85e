// AdamW parameter groups (train/optimizer.h).
#include "train/optimizer.h"

#include <torch/torch.h>

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
  return std::make_unique<torch::optim::AdamW>(std::move(groups),
                                               torch::optim::AdamWOptions(config.lr));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

}  // namespace sentzoo
