// Rotary position embedding (REFERENCE.md §1.2). The table is computed in float64 like HF's
// RoFormerSinusoidalPositionalEmbedding (numpy) and cast once, so fp32 results match HF exactly.
// The TorchScript twin sits right below the forward (models/script.h).

#include "models/rotary.h"

#include <fmt/format.h>

#include "models/script.h"

namespace sentzoo {

namespace detail {

torch::Tensor rotate_every_two(const torch::Tensor& x) {
  auto x1 = x.slice(/*dim=*/-1, 0, c10::nullopt, 2);  // even channels
  auto x2 = x.slice(/*dim=*/-1, 1, c10::nullopt, 2);  // odd channels
  return torch::stack({-x2, x1}, /*dim=*/-1).flatten(-2);
}

torch::Tensor rope_inv_freq(int64_t head_dim, double base, torch::Device device) {
  auto opts = torch::TensorOptions().dtype(torch::kFloat64).device(device);
  // theta_i = base^(-2i/d), i = 0 .. d/2-1
  auto i = torch::arange(0, head_dim / 2, opts);
  return torch::pow(base, -2.0 * i / static_cast<double>(head_dim));
}

torch::Tensor rope_angles(const torch::Tensor& positions, int64_t head_dim, double base) {
  auto inv_freq = rope_inv_freq(head_dim, base, positions.device());
  return positions.to(torch::kFloat64).unsqueeze(-1) * inv_freq;  // (T, d/2)
}

torch::Tensor apply_rotary(const torch::Tensor& x, const torch::Tensor& angles) {
  // sin/cos in float64, then cast to fp32 (HF casts its float64 table to fp32 too).
  auto cos = angles.cos().to(torch::kFloat);  // (T, d/2)
  auto sin = angles.sin().to(torch::kFloat);
  auto x1 = x.slice(-1, 0, c10::nullopt, 2);
  auto x2 = x.slice(-1, 1, c10::nullopt, 2);
  // out_2i = x_2i cos - x_2i+1 sin; out_2i+1 = x_2i+1 cos + x_2i sin (interleaved, not half-split)
  auto out = torch::stack({x1 * cos - x2 * sin, x2 * cos + x1 * sin}, /*dim=*/-1).flatten(-2);
  return out.to(x.scalar_type());
}

}  // namespace detail

RotaryEmbeddingImpl::RotaryEmbeddingImpl(int64_t head_dim_, double base_)
    : head_dim(head_dim_), base(base_) {
  TORCH_CHECK(head_dim % 2 == 0, "RotaryEmbedding: head_dim must be even, got ", head_dim);
}

torch::Tensor RotaryEmbeddingImpl::forward(const torch::Tensor& x) const {
  // positions 0..T-1 from tensor ops (STYLE §10 pair 1): cumsum of ones along T, so a traced
  // graph stays valid at other lengths.
  auto row = x.select(-1, 0).reshape({-1, x.size(-2)}).select(0, 0);  // (T)
  auto positions = torch::ones_like(row, torch::kLong).cumsum(0) - 1;
  return detail::apply_rotary(x, detail::rope_angles(positions, head_dim, base));
}

std::string RotaryEmbeddingImpl::script(ScriptWriter& s, const std::string& x) const {
  // forward + rope_angles + apply_rotary, op for op; x is (B, H, T, D).
  const std::string name = fmt::format("_rope_{}", head_dim);
  const std::string inv_freq =
      s.constant(fmt::format("rope_inv_freq_{}", head_dim), detail::rope_inv_freq(head_dim, base));
  s.define(name,
           fmt::format(R"TS(
def {name}(self, x: Tensor) -> Tensor:
    row = x.select(-1, 0).reshape([-1, x.size(-2)]).select(0, 0)
    positions = torch.ones_like(row).long().cumsum(0) - 1
    angles = positions.double().unsqueeze(-1) * {inv_freq}
    cos = angles.cos().float()
    sin = angles.sin().float()
    x1 = x[:, :, :, 0::2]
    x2 = x[:, :, :, 1::2]
    out = torch.stack([x1 * cos - x2 * sin, x2 * cos + x1 * sin], -1).flatten(-2)
    return out.to(x.dtype)
)TS",
                       fmt::arg("name", name),
                       fmt::arg("inv_freq", inv_freq)));
  return fmt::format("self.{}({})", name, x);
}

}  // namespace sentzoo
