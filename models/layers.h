#pragma once
// Shared building blocks: Norm (LayerNorm or RoFormerV2's scale-free RMS norm, statistics in
// fp32), FeedForward (fc1 -> act -> fc2, bias on/off) and Embeddings (token + segment + optional
// learned absolute positions, then the embedding norm). REFERENCE.md §1.1, §2.

#include <torch/torch.h>

#include <string>

#include "models/dropout.h"
#include "models/encoder_config.h"

namespace sentzoo {

namespace detail {
/// y = x / sqrt(mean(x^2, -1) + eps), computed in fp32 and cast back (no gamma, no beta).
torch::Tensor rms_norm(const torch::Tensor& x, double eps);
/// LayerNorm over the last dim in fp32 and cast back; weight/bias may be undefined.
torch::Tensor layer_norm(const torch::Tensor& x,
                         const torch::Tensor& weight,
                         const torch::Tensor& bias,
                         double eps);
/// "gelu" (exact erf, HF "gelu"), "gelu_new" (tanh approximation) or "relu".
torch::Tensor activation(const torch::Tensor& x, const std::string& name);
}  // namespace detail

/// LayerNorm (weight, bias) or parameter-free RMS norm; statistics always in fp32.
struct NormImpl : torch::nn::Module {
  NormImpl(const std::string& type, int64_t dim, double eps, bool bias = true);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;  // undefined for rms_norm
  const std::string type;
  const double eps;
};
TORCH_MODULE(Norm);

/// fc2(act(fc1(x))), fc1: hidden -> intermediate, fc2: intermediate -> hidden.
struct FeedForwardImpl : torch::nn::Module {
  FeedForwardImpl(int64_t hidden, int64_t intermediate, const std::string& act, bool bias);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  const std::string act;
};
TORCH_MODULE(FeedForward);

/// tok[ids] + seg[segments] (+ pos[0..T-1]) -> norm (optional) -> dropout.
struct EmbeddingsImpl : torch::nn::Module {
  explicit EmbeddingsImpl(const EncoderConfig& config);
  /// ids, segments: (B, T) int64 -> (B, T, hidden)
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& segments);
  torch::nn::Embedding tok{nullptr}, seg{nullptr}, pos{nullptr};
  Norm norm{nullptr};
  FastDropout dropout{nullptr};
};
TORCH_MODULE(Embeddings);

}  // namespace sentzoo
