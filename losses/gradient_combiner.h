#pragma once
// Combining per-task gradients of the shared parameters into one update (REFERENCE.md §10:
// gradient-norm normalisation and MGDA from blog 8896, main-vs-auxiliary from blog 8907, PCGrad
// from Yu et al. 2020). Every method is a weight vector w over the task gradients, u = Σ w_i g_i,
// computed from the Gram matrix G_ij = ⟨g_i, g_j⟩, which is built once per step (fp64, n × n).
//
// Trainer use (one backward per task; grads of the shared parameters only):
//   auto comb = sentzoo::make_gradient_combiner("mgda", {});
//   std::vector<std::vector<torch::Tensor>> g(n);
//   for (t : tasks) { zero_grad(); loss_t.backward(); g[t] = clone of each shared p.grad(); }
//   auto u = comb->combine(g);            // one tensor per shared parameter, fp32
//   for (k) shared[k].mutable_grad() = u[k];  optimizer.step();
// Task-specific heads keep their own task's gradient. combine() disables autocast and upcasts
// bf16/fp16 gradients to fp32 (fp64 stays fp64).
// Names: sum, mean, grad_norm, mgda, pcgrad, main_aux.

#include <torch/torch.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace sentzoo {

class GradientCombiner {
 public:
  virtual ~GradientCombiner() = default;
  /// u = Σ w_i g_i from flattened per-task gradients g_i (P), all the same size.
  torch::Tensor combine(const std::vector<torch::Tensor>& grads);
  /// The same for per-task lists of tensors (one per shared parameter, same shapes for every
  /// task); returns one tensor per parameter (own storage, safe to assign as .grad()).
  /// Undefined entries count as zero gradients.
  std::vector<torch::Tensor> combine(const std::vector<std::vector<torch::Tensor>>& grads);
  /// w (n) fp64 from the Gram matrix (n, n) fp64.
  virtual torch::Tensor weights(const torch::Tensor& gram) = 0;
  /// w of the last combine(), for logging.
  const torch::Tensor& last_weights() const { return last_weights_; }
  virtual std::string name() const = 0;

 private:
  torch::Tensor last_weights_;
};

/// sum {} · mean {} · grad_norm {"eps": 1e-12} · mgda {"max_iters": 1000, "tol": 1e-10} ·
/// pcgrad {"seed": 0, "reduction": "sum"|"mean"} · main_aux {"main": 0, "max_iters": 1000,
/// "tol": 1e-12}. Unknown names/keys throw std::invalid_argument listing the valid ones.
std::unique_ptr<GradientCombiner> make_gradient_combiner(
    const std::string& name, const nlohmann::json& params = nlohmann::json::object());

/// The names make_gradient_combiner accepts.
std::vector<std::string> gradient_combiner_names();

namespace detail {

/// G_ij = ⟨g_i, g_j⟩ as (n, n) fp64; gradients are read in fp32 (fp64 if given fp64).
torch::Tensor gram_matrix(const std::vector<torch::Tensor>& grads);

/// MGDA (blog 8896): α = argmin_{α∈Δⁿ} ‖Σ α_i g_i‖² by Frank-Wolfe with exact line search:
/// τ = argmin_i (Gα)_i, γ = argmin ‖(1−γ)g̃ + γg_τ‖², α ← (1−γ)α + γe_τ, plus away steps
/// (which converge linearly where plain Frank-Wolfe zig-zags). Stops when the duality gap
/// αᵀGα − (Gα)_τ ≤ tol·max G_ii. Returns α (n) fp64.
torch::Tensor mgda_weights(const torch::Tensor& gram, int64_t max_iters = 1000, double tol = 1e-10);

/// Main vs auxiliary (blog 8907): u = g_main + Σ λ_i g_i with λ = argmin_{λ≥0} ‖u‖², so that
/// ⟨u, g_i⟩ ≥ 0 for every auxiliary i. One auxiliary: λ = relu(−⟨g₀, g₁⟩)/‖g₁‖². Several:
/// repeat the one-task formula on the task with the largest KKT violation (the blog's argmin
/// rule, extended to also shrink a λ_i > 0 whose ⟨g_i, u⟩ > 0). Returns w (n), w_main = 1.
torch::Tensor main_aux_weights(const torch::Tensor& gram,
                               int64_t main = 0,
                               int64_t max_iters = 1000,
                               double tol = 1e-12);

/// PCGrad (Yu et al. 2020) in Gram coordinates: row i of the result holds the coefficients c_ik
/// with g_i' = Σ_k c_ik g_k after projecting g_i, for j in orders[i] (j ≠ i), onto the normal
/// plane of g_j whenever ⟨g_i', g_j⟩ < 0. (n, n) fp64.
torch::Tensor pcgrad_coefficients(const torch::Tensor& gram,
                                  const std::vector<std::vector<int64_t>>& orders);

}  // namespace detail

}  // namespace sentzoo
