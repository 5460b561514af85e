#pragma once
// Rotary position embedding, RoFormer's interleaved-pair convention (kexue.fm/archives/8265;
// REFERENCE.md §1.2): pair (2i, 2i+1) is rotated by m*theta_i, theta_i = base^(-2i/d).

#include <torch/torch.h>

#include <string>

namespace sentzoo {

class ScriptWriter;

namespace detail {
/// [x0, x1, x2, x3, ...] -> [-x1, x0, -x3, x2, ...] on the last dim.
torch::Tensor rotate_every_two(const torch::Tensor& x);
/// (d/2) inverse frequencies theta_i = base^(-2i/d) in float64.
torch::Tensor rope_inv_freq(int64_t head_dim, double base, torch::Device device = torch::kCPU);
/// (T, d/2) angles m*theta_i for positions (T) in float64, theta_i = base^(-2i/d).
torch::Tensor rope_angles(const torch::Tensor& positions, int64_t head_dim, double base);
/// Rotates x (..., T, d) by the angles (T, d/2): out = x*cos + rotate_every_two(x)*sin.
torch::Tensor apply_rotary(const torch::Tensor& x, const torch::Tensor& angles);
}  // namespace detail

/// Parameter-free module: rope(x) rotates (B, H, T, D) by positions 0..T-1.
struct RotaryEmbeddingImpl : torch::nn::Module {
  RotaryEmbeddingImpl(int64_t head_dim, double base = 10000.0);
  /// x: (B, H, T, D); positions are derived from tensors so traces stay length-generic.
  torch::Tensor forward(const torch::Tensor& x) const;
  /// The TorchScript expression equal to forward(x), x an expression (models/script.h).
  std::string script(ScriptWriter& s, const std::string& x) const;
  const int64_t head_dim;
  const double base;
};
TORCH_MODULE(RotaryEmbedding);

}  // namespace sentzoo
