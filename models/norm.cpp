// Norms shared by every encoder (REFERENCE.md §1.1, §2, §12). Each forward has its TorchScript
// twin right below it (models/script.h).

#include "models/norm.h"

#include "models/script.h"

namespace sentzoo {

namespace detail {

torch::Tensor rms_norm(const torch::Tensor& x, double eps) {
  // fp32 statistics under bf16 autocast (REFERENCE §12): pow/mean/rsqrt stay bf16 otherwise.
  // mean(x^2) as ||x||^2 / h: one reduction pass instead of pow (a full-size temporary) + mean.
  auto xf = x.to(torch::kFloat);
  auto mean_square = xf.norm(2, /*dim=*/{-1}, /*keepdim=*/true).pow(2) / double(x.size(-1));
  auto y = xf * torch::rsqrt(mean_square + eps);
  return y.to(x.scalar_type());
}

torch::Tensor layer_norm(const torch::Tensor& x,
                         const torch::Tensor& weight,
                         const torch::Tensor& bias,
                         double eps) {
  auto y = torch::layer_norm(x.to(torch::kFloat),
                             {x.size(-1)},
                             weight.defined() ? weight.to(torch::kFloat) : weight,
                             bias.defined() ? bias.to(torch::kFloat) : bias,
                             eps);
  return y.to(x.scalar_type());
}

}  // namespace detail

NormImpl::NormImpl(NormType type_, int64_t dim, double eps_, bool with_bias)
    : type(type_), eps(eps_) {
  if (type == NormType::kLayerNorm) {
    weight = register_parameter("weight", torch::ones({dim}));
    if (with_bias) bias = register_parameter("bias", torch::zeros({dim}));
  }
}

torch::Tensor NormImpl::forward(const torch::Tensor& x) {
  if (type == NormType::kRmsNorm) return detail::rms_norm(x, eps);
  return detail::layer_norm(x, weight, bias, eps);
}

std::string NormImpl::script(ScriptWriter& s, const std::string& x) const {
  if (type == NormType::kRmsNorm) {
    s.define("_rms_norm", R"TS(
def _rms_norm(self, x: Tensor, eps: float) -> Tensor:
    xf = x.float()
    mean_square = xf.norm(2, [-1], True).pow(2) / float(x.size(-1))
    return (xf * torch.rsqrt(mean_square + eps)).to(x.dtype)
)TS");
    return fmt::format("self._rms_norm({}, {})", x, ScriptWriter::lit(eps));
  }
  s.define("_layer_norm", R"TS(
def _layer_norm(self, x: Tensor, weight: Optional[Tensor], bias: Optional[Tensor], eps: float) -> Tensor:
    w = weight
    if w is not None:
        w = w.float()
    b = bias
    if b is not None:
        b = b.float()
    return torch.layer_norm(x.float(), [x.size(-1)], w, b, eps).to(x.dtype)
)TS");
  return fmt::format("self._layer_norm({}, {}, {}, {})",
                     x,
                     s.optional_weight(weight),
                     s.optional_weight(bias),
                     ScriptWriter::lit(eps));
}

}  // namespace sentzoo
