// Gradient combiners over the Gram matrix of per-task gradients (REFERENCE.md §10 items 5-7).

#include "losses/gradient_combiner.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "losses/json_params.h"
#include "losses/similarity.h"

namespace sentzoo {

// ---- detail math (Gram coordinates, fp64) ---------------------------------------------------

namespace detail {

torch::Tensor gram_matrix(const std::vector<torch::Tensor>& grads) {
  const int64_t n = static_cast<int64_t>(grads.size());
  auto gram = torch::zeros({n, n}, torch::kDouble);
  auto G = gram.accessor<double, 2>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j <= i; ++j)
      G[i][j] = G[j][i] = torch::dot(grads[i], grads[j]).item<double>();
  return gram;
}

torch::Tensor mgda_weights(const torch::Tensor& gram, int64_t max_iters, double tol) {
  const int64_t n = gram.size(0);
  auto G = gram.accessor<double, 2>();
  std::vector<double> alpha(n, 1.0 / n), Ga(n), d(n), Gd(n);
  double max_diag = 0;
  for (int64_t i = 0; i < n; ++i) max_diag = std::max(max_diag, G[i][i]);
  for (int64_t it = 0; it < max_iters && max_diag > 0; ++it) {
    for (int64_t i = 0; i < n; ++i) {
      Ga[i] = 0;
      for (int64_t k = 0; k < n; ++k) Ga[i] += G[i][k] * alpha[k];
    }
    const double f = std::inner_product(alpha.begin(), alpha.end(), Ga.begin(), 0.0);  // ‖g̃‖²
    // toward vertex τ = argmin_i ⟨g_i, g̃⟩ (the blog's step); away vertex: the worst active one
    const int64_t tau = std::min_element(Ga.begin(), Ga.end()) - Ga.begin();
    int64_t away = -1;
    for (int64_t i = 0; i < n; ++i)
      if (alpha[i] > 0 && (away < 0 || Ga[i] > Ga[away])) away = i;
    const double gap = f - Ga[tau];  // Frank-Wolfe duality gap
    if (gap <= tol * max_diag) break;
    // Away steps (Lacoste-Julien & Jaggi 2015) only change the path, not the fixed point; plain
    // Frank-Wolfe zig-zags for thousands of steps when the optimum lies on a face.
    const bool toward = gap >= Ga[away] - f;
    double step_max = 1.0;
    for (int64_t i = 0; i < n; ++i) d[i] = toward ? -alpha[i] : alpha[i];
    if (toward) {
      d[tau] += 1.0;
    } else {
      d[away] -= 1.0;
      step_max = alpha[away] < 1 ? alpha[away] / (1 - alpha[away]) : 1e300;
    }
    // exact line search on ‖g̃ + γ Σ d_i g_i‖², γ ∈ [0, step_max]
    double dGa = 0, dGd = 0;
    for (int64_t i = 0; i < n; ++i) {
      Gd[i] = 0;
      for (int64_t k = 0; k < n; ++k) Gd[i] += G[i][k] * d[k];
      dGa += d[i] * Ga[i];
      dGd += d[i] * Gd[i];
    }
    const double gamma = dGd > 0 ? std::clamp(-dGa / dGd, 0.0, step_max) : step_max;
    for (int64_t i = 0; i < n; ++i) alpha[i] = std::max(0.0, alpha[i] + gamma * d[i]);
    const double sum = std::accumulate(alpha.begin(), alpha.end(), 0.0);
    for (auto& x : alpha) x /= sum;
  }
  return torch::tensor(alpha, torch::kDouble);
}

torch::Tensor main_aux_weights(const torch::Tensor& gram,
                               int64_t main,
                               int64_t max_iters,
                               double tol) {
  const int64_t n = gram.size(0);
  TORCH_CHECK(
      main >= 0 && main < n, "main_aux: main task ", main, " out of range for ", n, " tasks");
  auto G = gram.accessor<double, 2>();
  std::vector<double> w(n, 0.0);
  w[main] = 1.0;
  double scale = 0;
  for (int64_t i = 0; i < n; ++i) scale = std::max(scale, G[i][i]);
  for (int64_t it = 0; it < max_iters; ++it) {
    // ⟨g_i, u⟩ for each auxiliary; pick the largest KKT violation
    int64_t tau = -1;
    double worst = tol * scale, tau_dot = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (i == main || G[i][i] <= 0) continue;
      double dot = 0;
      for (int64_t k = 0; k < n; ++k) dot += G[i][k] * w[k];
      const double violation = w[i] > 0 ? std::abs(dot) : std::max(0.0, -dot);
      if (violation > worst) worst = violation, tau = i, tau_dot = dot;
    }
    if (tau < 0) break;
    // one-auxiliary formula after removing the current term: λ = relu(−⟨g_τ, r⟩)/‖g_τ‖²
    const double r_dot = tau_dot - w[tau] * G[tau][tau];
    w[tau] = std::max(0.0, -r_dot) / G[tau][tau];
  }
  return torch::tensor(w, torch::kDouble);
}

torch::Tensor pcgrad_coefficients(const torch::Tensor& gram,
                                  const std::vector<std::vector<int64_t>>& orders) {
  const int64_t n = gram.size(0);
  TORCH_CHECK(static_cast<int64_t>(orders.size()) == n, "pcgrad: need one order per task");
  auto G = gram.accessor<double, 2>();
  auto coeff = torch::eye(n, torch::kDouble);
  auto C = coeff.accessor<double, 2>();
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j : orders[i]) {
      if (j == i || G[j][j] <= 0) continue;
      double dot = 0;  // ⟨g_i', g_j⟩
      for (int64_t k = 0; k < n; ++k) dot += C[i][k] * G[k][j];
      if (dot < 0) C[i][j] -= dot / G[j][j];  // g_i' ← g_i' − (⟨g_i', g_j⟩/‖g_j‖²) g_j
    }
  }
  return coeff;
}

}  // namespace detail

// ---- combine ----------------------------------------------------------------------------------

torch::Tensor GradientCombiner::combine(const std::vector<torch::Tensor>& grads) {
  TORCH_CHECK(!grads.empty(), name(), ": no task gradients");
  NoAutocast no_autocast;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> g;
  for (const auto& x : grads) {
    TORCH_CHECK(x.defined() && x.numel() == grads[0].numel(),
                name(),
                ": every task gradient must have ",
                grads[0].numel(),
                " elements");
    g.push_back(to_loss_precision(x.reshape({-1})));
  }
  auto w = weights(detail::gram_matrix(g));
  last_weights_ = w;
  auto u = torch::zeros_like(g[0]);
  for (size_t i = 0; i < g.size(); ++i) {
    const double wi = w[static_cast<int64_t>(i)].item<double>();
    if (wi != 0) u.add_(g[i], wi);
  }
  return u;
}

std::vector<torch::Tensor> GradientCombiner::combine(
    const std::vector<std::vector<torch::Tensor>>& grads) {
  TORCH_CHECK(!grads.empty(), name(), ": no task gradients");
  const size_t num_params = grads[0].size();
  // a task that did not touch a parameter has no gradient there: take the shape from another
  std::vector<torch::Tensor> shape_of(num_params);
  for (size_t k = 0; k < num_params; ++k) {
    for (const auto& task : grads) {
      TORCH_CHECK(task.size() == num_params, name(), ": tasks have different parameter lists");
      if (!shape_of[k].defined() && task[k].defined()) shape_of[k] = task[k];
    }
    TORCH_CHECK(shape_of[k].defined(), name(), ": parameter ", k, " has no gradient in any task");
  }
  std::vector<torch::Tensor> flat;
  for (const auto& task : grads) {
    std::vector<torch::Tensor> parts;
    for (size_t k = 0; k < num_params; ++k) {
      const auto& ref = shape_of[k];
      parts.push_back(task[k].defined()
                          ? to_loss_precision(task[k]).reshape({-1})
                          : torch::zeros({ref.numel()}, to_loss_precision(ref).options()));
    }
    flat.push_back(torch::cat(parts));
  }
  auto u = combine(flat);
  std::vector<torch::Tensor> out;
  int64_t offset = 0;
  for (const auto& ref : shape_of) {
    // own storage, not views of u: the trainer assigns these as .grad(), and optimizers
    // detach_() gradients in zero_grad(), which a view does not allow
    out.push_back(u.slice(/*dim=*/0, offset, offset + ref.numel()).view(ref.sizes()).clone());
    offset += ref.numel();
  }
  return out;
}

// ---- the combiners ----------------------------------------------------------------------------

namespace {

using json = nlohmann::json;

// sum: w = 1; mean: w = 1/n.
class SumCombiner : public GradientCombiner {
 public:
  explicit SumCombiner(bool mean) : mean_(mean) {}
  torch::Tensor weights(const torch::Tensor& gram) override {
    const int64_t n = gram.size(0);
    return torch::full({n}, mean_ ? 1.0 / n : 1.0, torch::kDouble);
  }
  std::string name() const override { return mean_ ? "mean" : "sum"; }

 private:
  bool mean_;
};

// Blog 8870 eq. grad: u = Σ g_i / ‖g_i‖ (a zero gradient gets weight 0).
class GradNormCombiner : public GradientCombiner {
 public:
  explicit GradNormCombiner(double eps) : eps_(eps) {}
  torch::Tensor weights(const torch::Tensor& gram) override {
    auto norms = gram.diagonal().clamp_min(0).sqrt();
    return torch::where(norms > eps_, 1.0 / norms.clamp_min(eps_), torch::zeros_like(norms));
  }
  std::string name() const override { return "grad_norm"; }

 private:
  double eps_;
};

class MgdaCombiner : public GradientCombiner {
 public:
  MgdaCombiner(int64_t max_iters, double tol) : max_iters_(max_iters), tol_(tol) {}
  torch::Tensor weights(const torch::Tensor& gram) override {
    return detail::mgda_weights(gram, max_iters_, tol_);
  }
  std::string name() const override { return "mgda"; }

 private:
  int64_t max_iters_;
  double tol_;
};

class PcGradCombiner : public GradientCombiner {
 public:
  PcGradCombiner(uint64_t seed, bool mean) : rng_(seed), mean_(mean) {}
  torch::Tensor weights(const torch::Tensor& gram) override {
    const int64_t n = gram.size(0);
    std::vector<std::vector<int64_t>> orders(n);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j)
        if (j != i) orders[i].push_back(j);
      std::shuffle(orders[i].begin(), orders[i].end(), rng_);  // random order per task and step
    }
    auto w = detail::pcgrad_coefficients(gram, orders).sum(/*dim=*/0);  // u = Σ_i g_i'
    return mean_ ? w / static_cast<double>(n) : w;
  }
  std::string name() const override { return "pcgrad"; }

 private:
  std::mt19937_64 rng_;
  bool mean_;
};

class MainAuxCombiner : public GradientCombiner {
 public:
  MainAuxCombiner(int64_t main, int64_t max_iters, double tol)
      : main_(main), max_iters_(max_iters), tol_(tol) {}
  torch::Tensor weights(const torch::Tensor& gram) override {
    return detail::main_aux_weights(gram, main_, max_iters_, tol_);
  }
  std::string name() const override { return "main_aux"; }

 private:
  int64_t main_, max_iters_;
  double tol_;
};

}  // namespace

std::vector<std::string> gradient_combiner_names() {
  return {"sum", "mean", "grad_norm", "mgda", "pcgrad", "main_aux"};
}

std::unique_ptr<GradientCombiner> make_gradient_combiner(const std::string& name, const json& p) {
  using detail::check_keys;
  using detail::param_or;
  const std::string what = "gradient combiner '" + name + "'";
  if (name == "sum" || name == "mean") {
    check_keys(p, {}, what);
    return std::make_unique<SumCombiner>(name == "mean");
  }
  if (name == "grad_norm") {
    check_keys(p, {"eps"}, what);
    return std::make_unique<GradNormCombiner>(param_or(p, "eps", 1e-12, what));
  }
  if (name == "mgda") {
    check_keys(p, {"max_iters", "tol"}, what);
    return std::make_unique<MgdaCombiner>(param_or<int64_t>(p, "max_iters", 1000, what),
                                          param_or(p, "tol", 1e-10, what));
  }
  if (name == "pcgrad") {
    check_keys(p, {"seed", "reduction"}, what);
    const auto reduction = param_or<std::string>(p, "reduction", "sum", what);
    if (reduction != "sum" && reduction != "mean")
      throw std::invalid_argument(what + ": unknown reduction '" + reduction +
                                  "' (expected one of: sum, mean)");
    return std::make_unique<PcGradCombiner>(param_or<uint64_t>(p, "seed", 0, what),
                                            reduction == "mean");
  }
  if (name == "main_aux") {
    check_keys(p, {"main", "max_iters", "tol"}, what);
    return std::make_unique<MainAuxCombiner>(param_or<int64_t>(p, "main", 0, what),
                                             param_or<int64_t>(p, "max_iters", 1000, what),
                                             param_or(p, "tol", 1e-12, what));
  }
  throw std::invalid_argument("unknown gradient combiner '" + name + "' (expected one of: " +
                              detail::join_names(gradient_combiner_names()) + ")");
}

}  // namespace sentzoo
