// Loss weightings for multi-task training (REFERENCE.md §10 items 1-4 and uncertainty weighting).

#include "losses/loss_weighting.h"

#include <cmath>

#include "losses/json_params.h"
#include "losses/similarity.h"

namespace sentzoo {

namespace {

using json = nlohmann::json;

torch::Tensor checked_loss(const torch::Tensor& loss, size_t task, const std::string& what) {
  TORCH_CHECK(
      loss.numel() == 1, what, ": task ", task, " loss must be a scalar, got ", loss.sizes());
  return to_loss_precision(loss.reshape({}));
}

void check_count(size_t have, size_t want, const std::string& what) {
  TORCH_CHECK(want == 0 || have == want, what, ": expected ", want, " task losses, got ", have);
}

/// Σ w_i L_i over defined losses; the weight may depend on the task and on the loss itself.
template <class WeightFn>
torch::Tensor weighted_sum(const std::vector<torch::Tensor>& losses,
                           const std::string& what,
                           WeightFn weight) {
  torch::Tensor total;
  for (size_t i = 0; i < losses.size(); ++i) {
    if (!losses[i].defined()) continue;
    auto term = weight(i, checked_loss(losses[i], i, what));
    total = total.defined() ? total + term : term;
  }
  TORCH_CHECK(total.defined(), what, ": no task loss given");
  return total;
}

// L = Σ w_i L_i.
class FixedWeighting : public LossWeighting {
 public:
  explicit FixedWeighting(std::vector<double> w) : weights_(std::move(w)) {}
  torch::Tensor combine(const std::vector<torch::Tensor>& losses) override {
    check_count(losses.size(), weights_.size(), "fixed");
    return weighted_sum(losses, "fixed", [&](size_t i, const torch::Tensor& l) {
      return weights_.empty() ? l : l * weights_[i];
    });
  }
  std::string name() const override { return "fixed"; }

 private:
  std::vector<double> weights_;
};

// L = Σ L_i / L_i^(init) (eq. init) or Σ L_i / L_i^(prior) (eq. prior). Without given initial
// values, the first value seen for each task (detached) is recorded and kept.
class NormalisedWeighting : public LossWeighting {
 public:
  NormalisedWeighting(std::string name, std::vector<double> reference)
      : name_(std::move(name)), reference_(std::move(reference)) {
    for (double r : reference_)
      if (!(r > 0)) throw std::invalid_argument(name_ + ": reference losses must be > 0");
  }
  torch::Tensor combine(const std::vector<torch::Tensor>& losses) override {
    if (name_ == "prior") check_count(losses.size(), reference_.size(), name_);
    if (reference_.size() < losses.size()) reference_.resize(losses.size(), 0.0);
    return weighted_sum(losses, name_, [&](size_t i, const torch::Tensor& l) {
      if (reference_[i] <= 0) {
        reference_[i] = l.detach().item<double>();
        TORCH_CHECK(reference_[i] > 0,
                    name_,
                    ": the initial loss of task ",
                    i,
                    " must be > 0, got ",
                    reference_[i]);
      }
      return l / reference_[i];
    });
  }
  json state() const override { return {{"reference", reference_}}; }
  void load_state(const json& s) override {
    reference_ = s.at("reference").get<std::vector<double>>();
  }
  std::string name() const override { return name_; }

 private:
  std::string name_;
  std::vector<double> reference_;  // 0 = not recorded yet
};

// L = Σ L_i / sg(L_i) (eq. sg): gradient Σ ∇L_i / L_i = ∇ Σ log L_i, the geometric mean's
// direction. The value is the number of tasks.
class RealTimeWeighting : public LossWeighting {
 public:
  explicit RealTimeWeighting(double eps) : eps_(eps) {}
  torch::Tensor combine(const std::vector<torch::Tensor>& losses) override {
    return weighted_sum(losses, "realtime", [&](size_t, const torch::Tensor& l) {
      return l / l.detach().clamp_min(eps_);
    });
  }
  std::string name() const override { return "realtime"; }

 private:
  double eps_;
};

// L(γ) = ((1/n) Σ L_i^γ)^(1/γ); γ = 0 is the geometric mean exp((1/n) Σ log L_i).
class GeneralizedMeanWeighting : public LossWeighting {
 public:
  explicit GeneralizedMeanWeighting(double gamma) : gamma_(gamma) {}
  torch::Tensor combine(const std::vector<torch::Tensor>& losses) override {
    std::vector<torch::Tensor> present;
    for (size_t i = 0; i < losses.size(); ++i)
      if (losses[i].defined()) present.push_back(checked_loss(losses[i], i, "generalized_mean"));
    TORCH_CHECK(!present.empty(), "generalized_mean: no task loss given");
    auto l = torch::stack(present);  // (n)
    if (gamma_ == 0) return l.log().mean().exp();
    return l.pow(gamma_).mean().pow(1.0 / gamma_);
  }
  std::string name() const override { return "generalized_mean"; }

 private:
  double gamma_;
};

// Kendall et al. 2018 with s_i = log σ_i²: L = Σ ½(e^{−s_i} L_i + s_i) (the regression form,
// the usual implementation for every task; REFERENCE.md §10).
class UncertaintyWeighting : public LossWeighting {
 public:
  UncertaintyWeighting(int64_t num_tasks, double init)
      : log_var_(torch::full({num_tasks}, init, torch::kFloat).requires_grad_(true)) {}
  torch::Tensor combine(const std::vector<torch::Tensor>& losses) override {
    check_count(losses.size(), static_cast<size_t>(log_var_.size(0)), "uncertainty");
    return weighted_sum(losses, "uncertainty", [&](size_t i, const torch::Tensor& l) {
      auto s = log_var_[static_cast<int64_t>(i)].to(l.scalar_type());
      return 0.5 * (torch::exp(-s) * l + s);
    });
  }
  std::vector<torch::Tensor> parameters() const override { return {log_var_}; }
  json state() const override {
    auto v = log_var_.detach().to(torch::kDouble).contiguous();
    return {
        {"log_var", std::vector<double>(v.data_ptr<double>(), v.data_ptr<double>() + v.numel())}};
  }
  void load_state(const json& s) override {
    auto v = s.at("log_var").get<std::vector<double>>();
    TORCH_CHECK(static_cast<int64_t>(v.size()) == log_var_.size(0), "uncertainty: state size");
    torch::NoGradGuard no_grad;
    log_var_.copy_(torch::tensor(v, torch::kDouble));
  }
  std::string name() const override { return "uncertainty"; }

 private:
  torch::Tensor log_var_;  // (n) s_i = log σ_i², learned
};

}  // namespace

std::vector<std::string> loss_weighting_names() {
  return {"fixed", "initial", "prior", "realtime", "generalized_mean", "uncertainty"};
}

std::unique_ptr<LossWeighting> make_loss_weighting(const std::string& name, const json& p) {
  using detail::check_keys;
  using detail::param_or;
  const std::string what = "loss weighting '" + name + "'";
  using Doubles = std::vector<double>;
  if (name == "fixed") {
    check_keys(p, {"weights"}, what);
    return std::make_unique<FixedWeighting>(param_or(p, "weights", Doubles{}, what));
  }
  if (name == "initial") {
    check_keys(p, {"initial"}, what);
    return std::make_unique<NormalisedWeighting>(name, param_or(p, "initial", Doubles{}, what));
  }
  if (name == "prior") {
    check_keys(p, {"priors"}, what);
    auto priors = detail::param_required<Doubles>(p, "priors", what);
    if (priors.empty()) throw std::invalid_argument(what + ": 'priors' must not be empty");
    return std::make_unique<NormalisedWeighting>(name, priors);
  }
  if (name == "realtime") {
    check_keys(p, {"eps"}, what);
    return std::make_unique<RealTimeWeighting>(param_or(p, "eps", 1e-12, what));
  }
  if (name == "generalized_mean") {
    check_keys(p, {"gamma"}, what);
    return std::make_unique<GeneralizedMeanWeighting>(param_or(p, "gamma", 1.0, what));
  }
  if (name == "uncertainty") {
    check_keys(p, {"num_tasks", "init"}, what);
    // Every parameter is read before any check throws: the reads are also the parameter list
    // (losses/json_params.h ParamRecorder).
    const auto n = detail::param_required<int64_t>(p, "num_tasks", what);
    const double init = param_or(p, "init", 0.0, what);
    if (n < 1) throw std::invalid_argument(what + ": num_tasks must be >= 1");
    return std::make_unique<UncertaintyWeighting>(n, init);
  }
  throw std::invalid_argument("unknown loss weighting '" + name + "' (expected one of: " +
                              detail::join_names(loss_weighting_names()) + ")");
}

double initial_loss_cross_entropy(int64_t num_classes) {
  TORCH_CHECK(num_classes > 1, "initial_loss_cross_entropy: need K > 1, got ", num_classes);
  return std::log(static_cast<double>(num_classes));
}

double prior_loss_cross_entropy(const std::vector<double>& class_counts) {
  double total = 0, h = 0;
  for (double c : class_counts) total += c;
  TORCH_CHECK(total > 0, "prior_loss_cross_entropy: counts must sum to > 0");
  for (double c : class_counts)
    if (c > 0) h -= c / total * std::log(c / total);
  return h;
}

double initial_loss_regression(const torch::Tensor& targets) {
  auto y = targets.to(torch::kDouble).reshape({targets.size(0), -1});
  return y.pow(2).sum(/*dim=*/1).mean().item<double>();
}

double prior_loss_regression(const torch::Tensor& targets) {
  auto y = targets.to(torch::kDouble).reshape({targets.size(0), -1});
  return (y - y.mean(/*dim=*/0)).pow(2).sum(/*dim=*/1).mean().item<double>();
}

}  // namespace sentzoo
