#pragma once
// Multi-task loss weighting (REFERENCE.md §10; blog 8870 多任务学习漫谈(一); Kendall, Gal,
// Cipolla 2018). A LossWeighting turns per-task losses into the one scalar the trainer
// backpropagates; it is stateful (recorded initial losses, learned log σ²).
//
//   auto w = sentzoo::make_loss_weighting("uncertainty", {{"num_tasks", 2}});
//   params.insert(params.end(), w->parameters().begin(), w->parameters().end());  // optimizer
//   torch::Tensor total = w->combine({loss_nli, loss_sts});   // () fp32; then total.backward()
//
// With per-step task sampling the trainer passes an undefined tensor for the tasks not drawn
// this step: combine() then weights only the defined ones (the generalised mean averages over
// them). Names: fixed, initial, prior, realtime, generalized_mean, uncertainty.

#include <torch/torch.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sentzoo {

class LossWeighting {
 public:
  virtual ~LossWeighting() = default;
  /// One () scalar from per-task () losses; undefined entries are tasks absent from this step.
  virtual torch::Tensor combine(const std::vector<torch::Tensor>& losses) = 0;
  /// Learned parameters (uncertainty: s = log σ², one per task); empty for the others.
  virtual std::vector<torch::Tensor> parameters() const { return {}; }
  /// State to save with a checkpoint (recorded initial losses, learned values) and restore.
  virtual nlohmann::json state() const { return nlohmann::json::object(); }
  virtual void load_state(const nlohmann::json& state) {}
  /// The name it was made with.
  virtual std::string name() const = 0;
};

/// fixed {"weights": [..]} (default all 1) · initial {"initial": [..]} (default: the first loss
/// seen per task) · prior {"priors": [..]} (required) · realtime {"eps": 1e-12} ·
/// generalized_mean {"gamma": 1} (0 = geometric) · uncertainty {"num_tasks": n, "init": 0}.
/// Unknown names/keys throw std::invalid_argument listing the valid ones.
std::unique_ptr<LossWeighting> make_loss_weighting(
    const std::string& name, const nlohmann::json& params = nlohmann::json::object());

/// The names make_loss_weighting accepts.
std::vector<std::string> loss_weighting_names();

// Theoretical initial and prior losses for "initial"/"prior" (blog 8870 eqs. init, prior).

/// K-class cross-entropy at initialisation (uniform prediction): log K.
double initial_loss_cross_entropy(int64_t num_classes);
/// Entropy −Σ p_k log p_k of the label prior from class counts.
double prior_loss_cross_entropy(const std::vector<double>& class_counts);
/// L2 regression at initialisation (prediction 0): E‖y‖² over targets (N) or (N, D).
double initial_loss_regression(const torch::Tensor& targets);
/// L2 regression predicting the mean: E‖y − μ‖².
double prior_loss_regression(const torch::Tensor& targets);

}  // namespace sentzoo
