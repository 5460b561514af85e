#pragma once
// Helpers for the loss tests: float64 random inputs, central finite differences, fixture loading.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "tests/test_util.h"

namespace sentzoo::testing {

/// Central differences of a scalar function f at x (float64), step h: (P) shaped like x.
inline torch::Tensor finite_difference(const std::function<torch::Tensor(const torch::Tensor&)>& f,
                                       const torch::Tensor& x,
                                       double h = 1e-6) {
  auto grad = torch::zeros_like(x);
  auto flat = x.detach().clone().reshape({-1});
  auto g = grad.view({-1});
  for (int64_t i = 0; i < flat.numel(); ++i) {
    const double orig = flat[i].item<double>();
    flat[i] = orig + h;
    const double up = f(flat.view(x.sizes())).item<double>();
    flat[i] = orig - h;
    const double down = f(flat.view(x.sizes())).item<double>();
    flat[i] = orig;
    g[i] = (up - down) / (2 * h);
  }
  return grad;
}

/// Autograd gradient of f at x.
inline torch::Tensor autograd_gradient(const std::function<torch::Tensor(const torch::Tensor&)>& f,
                                       const torch::Tensor& x) {
  auto xr = x.detach().clone().requires_grad_(true);
  f(xr).backward();
  return xr.grad();
}

/// Asserts autograd matches central differences (float64) within atol.
inline void expect_gradient_matches_fd(const std::function<torch::Tensor(const torch::Tensor&)>& f,
                                       const torch::Tensor& x,
                                       double atol = 1e-6) {
  auto fd = finite_difference(f, x);
  auto ag = autograd_gradient(f, x);
  EXPECT_TRUE(torch::allclose(ag, fd, /*rtol=*/1e-5, atol)) << "autograd\n" << ag << "\nfd\n" << fd;
}

/// tests/fixtures/losses/<name>, version-checked.
inline nlohmann::json load_loss_fixture(const std::string& name) {
  const auto path = fixture_dir() / "losses" / name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  auto j = nlohmann::json::parse(in);
  if (j.value("version", 0) != 1)
    throw std::runtime_error(path.string() +
                             ": unexpected version ---> HINT: re-run "
                             "`.venv-ref/bin/python tools/reference/gen_loss_fixtures.py`");
  return j;
}

/// A flat JSON list as a float64 tensor of the given shape.
inline torch::Tensor json_tensor(const nlohmann::json& values, std::vector<int64_t> shape) {
  return torch::tensor(values.get<std::vector<double>>(), torch::kDouble).reshape(shape);
}

}  // namespace sentzoo::testing
