#pragma once
// Norm: LayerNorm (weight, bias) or RoFormerV2's parameter-free RMS norm (REFERENCE.md §1.1 Norm
// row), statistics always in fp32 (REFERENCE §12), and its TorchScript twin.

#include <torch/torch.h>

#include <string>

#include "models/encoder_config.h"

namespace sentzoo {

class ScriptWriter;

namespace detail {
/// y = x / sqrt(mean(x^2, -1) + eps), computed in fp32 and cast back (no gamma, no beta).
torch::Tensor rms_norm(const torch::Tensor& x, double eps);
/// LayerNorm over the last dim in fp32 and cast back; weight/bias may be undefined.
torch::Tensor layer_norm(const torch::Tensor& x,
                         const torch::Tensor& weight,
                         const torch::Tensor& bias,
                         double eps);
}  // namespace detail

struct NormImpl : torch::nn::Module {
  NormImpl(NormType type, int64_t dim, double eps, bool bias = true);
  /// x: (..., dim) -> (..., dim)
  torch::Tensor forward(const torch::Tensor& x);
  /// The TorchScript expression equal to forward(x), x an expression (models/script.h).
  std::string script(ScriptWriter& s, const std::string& x) const;
  torch::Tensor weight, bias;  // undefined for rms_norm (bias also without use_bias)
  const NormType type;
  const double eps;
};
TORCH_MODULE(Norm);

}  // namespace sentzoo
