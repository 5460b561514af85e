#pragma once
// AdamW with decoupled weight decay and the usual exclusions (biases, norm gains and, by default,
// embedding tables get no decay), as in BERT / sentence-transformers fine-tuning. The update is
// torch::optim::AdamW's, fused into one pass per parameter on the CPU (FusedAdamW).

#include <torch/nn/module.h>
#include <torch/optim/adamw.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sentzoo {

struct OptimizerConfig {
  double lr = 2e-5;            // peak learning rate, e.g. 2e-5
  double weight_decay = 0.01;  // decoupled (AdamW)
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  bool decay_embeddings = false;  // embedding tables join the decayed group when true
  void validate() const;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    OptimizerConfig, lr, weight_decay, beta1, beta2, eps, decay_embeddings)

struct WeightDecaySplit {
  std::vector<std::string> decay_names, no_decay_names;
  std::vector<torch::Tensor> decay, no_decay;
};

/// 1-D parameters (biases, norm gains, scalars) never decay; parameters whose name contains
/// "embed" decay only with decay_embeddings. Frozen parameters (requires_grad false) are left out.
WeightDecaySplit split_for_weight_decay(const torch::nn::Module& module,
                                        const OptimizerConfig& config);

/// torch::optim::AdamW (same options, state and torch::save format) whose step() updates each
/// contiguous CPU fp32/fp64 parameter in one parallel pass (decay, both moments, bias-corrected
/// update) instead of ~10 separate ATen ops, each a full sweep over the parameter. Why: that
/// sweep dominates the optimizer step, ~4% of a RoFormerV2-small training step (bench/).
/// Other parameters (CUDA, bf16, strided) take LibTorch's own sequence of ops. No amsgrad.
class FusedAdamW : public torch::optim::AdamW {
 public:
  using torch::optim::AdamW::AdamW;
  torch::Tensor step(LossClosure closure = nullptr) override;
};

/// AdamW over the module's trainable parameters in two groups (decay, no decay).
std::unique_ptr<torch::optim::AdamW> make_adamw(const torch::nn::Module& module,
                                                const OptimizerConfig& config);

/// Sets the learning rate of every group.
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);

}  // namespace sentzoo
