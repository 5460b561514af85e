// All-gather keeping the local gradient path (dist/gather_with_grad.h).
#include "dist/gather_with_grad.h"

namespace sentzoo {

namespace {

struct ScaleGradient : torch::autograd::Function<ScaleGradient> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx,
                               const torch::Tensor& x,
                               double factor) {
    ctx->saved_data["factor"] = factor;
    return x.clone();
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    return {grads[0] * ctx->saved_data["factor"].toDouble(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor scale_gradient(const torch::Tensor& x, double factor) {
  return ScaleGradient::apply(x, factor);
}

torch::Tensor gather_with_grad(Communicator& communicator,
                               const torch::Tensor& local,
                               const std::string& what) {
  TORCH_CHECK(!local.defined() || local.dim() >= 1,
              "gather_with_grad: expected [rows, ...], found a scalar");
  auto parts = communicator.all_gather(local.defined() ? local.detach() : local, what);
  if (local.defined())
    parts[communicator.rank()] = scale_gradient(local, communicator.world_size());
  return torch::cat(parts, 0);
}

}  // namespace sentzoo
