#pragma once
// FeedForward: fc2(act(fc1(x))) with or without biases (REFERENCE.md §1.1 FFN row, §2), the
// activations by EncoderConfig::hidden_act, and their TorchScript twins.

#include <torch/torch.h>

#include <string>

#include "models/encoder_config.h"

namespace sentzoo {

class ScriptWriter;

namespace detail {
/// gelu (exact erf, HF "gelu"), gelu_new (tanh approximation) or relu.
torch::Tensor activation(const torch::Tensor& x, Activation act);
/// The TorchScript expression equal to activation(x, act), x an expression.
std::string activation_script(Activation act, const std::string& x);
/// The pooler's activation (EncoderConfig::pooler_activation) and its TorchScript expression.
torch::Tensor pooler_activation(const torch::Tensor& x, PoolerActivation act);
std::string pooler_activation_script(PoolerActivation act, const std::string& x);
}  // namespace detail

/// fc1: hidden -> intermediate, fc2: intermediate -> hidden.
struct FeedForwardImpl : torch::nn::Module {
  FeedForwardImpl(int64_t hidden, int64_t intermediate, Activation act, bool bias);
  /// x: (B, T, hidden) -> (B, T, hidden)
  torch::Tensor forward(const torch::Tensor& x);
  /// The TorchScript expression equal to forward(x) (models/script.h).
  std::string script(ScriptWriter& s, const std::string& x) const;
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  const Activation act;
};
TORCH_MODULE(FeedForward);

}  // namespace sentzoo
