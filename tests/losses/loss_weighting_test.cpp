// Loss weightings (REFERENCE.md §10 items 1-4, uncertainty weighting): values and gradients.

#include "losses/loss_weighting.h"

#include <gtest/gtest.h>

#include <cmath>

namespace sentzoo {
namespace {

/// Two task losses that depend on a shared parameter x: L1 = 3x², L2 = (x − 1)² + 0.5.
struct TwoTasks {
  torch::Tensor x = torch::tensor({0.3}, torch::kDouble).requires_grad_(true);
  std::vector<torch::Tensor> losses() const {
    return {3 * x.pow(2).sum(), (x - 1).pow(2).sum() + 0.5};
  }
  double grad_of(const torch::Tensor& total) {
    x.mutable_grad() = torch::Tensor();
    total.backward();
    return x.grad().item<double>();
  }
};
const double x0 = 0.3, l1 = 3 * x0 * x0, l2 = (x0 - 1) * (x0 - 1) + 0.5;
const double g1 = 6 * x0, g2 = 2 * (x0 - 1);

TEST(LossWeighting, FixedIsTheWeightedSum) {
  TwoTasks t;
  auto w = make_loss_weighting("fixed", {{"weights", {2.0, 0.5}}});
  auto total = w->combine(t.losses());
  EXPECT_NEAR(total.item<double>(), 2 * l1 + 0.5 * l2, 1e-12);
  EXPECT_NEAR(t.grad_of(total), 2 * g1 + 0.5 * g2, 1e-12);
  EXPECT_NEAR(make_loss_weighting("fixed")->combine(t.losses()).item<double>(), l1 + l2, 1e-12);
}

TEST(LossWeighting, InitialRecordsTheFirstLossesAndDividesByThem) {
  TwoTasks t;
  auto w = make_loss_weighting("initial");
  EXPECT_NEAR(w->combine(t.losses()).item<double>(), 2.0, 1e-12);  // first step: L_i / L_i
  {
    torch::NoGradGuard no_grad;
    t.x.fill_(0.5);
  }
  const double m1 = 0.75, m2 = 0.75;  // L1(0.5), L2(0.5)
  auto total = w->combine(t.losses());
  EXPECT_NEAR(total.item<double>(), m1 / l1 + m2 / l2, 1e-12);
  EXPECT_NEAR(t.grad_of(total), 6 * 0.5 / l1 + 2 * (0.5 - 1) / l2, 1e-12);
  // given values (e.g. log K for K-class CE), and the recorded state round-trips
  auto given = make_loss_weighting("initial", {{"initial", {2.0, 4.0}}});
  EXPECT_NEAR(given->combine(t.losses()).item<double>(), m1 / 2 + m2 / 4, 1e-12);
  auto restored = make_loss_weighting("initial");
  restored->load_state(w->state());
  EXPECT_NEAR(restored->combine(t.losses()).item<double>(), m1 / l1 + m2 / l2, 1e-12);
}

TEST(LossWeighting, PriorDividesByPriorsAndHelpersMatchFormulas) {
  TwoTasks t;
  auto w = make_loss_weighting("prior", {{"priors", {0.5, 2.0}}});
  EXPECT_NEAR(w->combine(t.losses()).item<double>(), l1 / 0.5 + l2 / 2.0, 1e-12);
  EXPECT_NEAR(initial_loss_cross_entropy(3), std::log(3.0), 1e-15);
  EXPECT_NEAR(prior_loss_cross_entropy({1, 1, 2}),
              -(0.25 * std::log(0.25) * 2 + 0.5 * std::log(0.5)),
              1e-15);
  auto y = torch::tensor({1.0, 2.0, 3.0, 6.0}, torch::kDouble);  // mean 3
  EXPECT_NEAR(initial_loss_regression(y), (1 + 4 + 9 + 36) / 4.0, 1e-12);
  EXPECT_NEAR(prior_loss_regression(y), (4 + 1 + 0 + 9) / 4.0, 1e-12);
  EXPECT_THROW(make_loss_weighting("prior"), std::invalid_argument);
}

TEST(LossWeighting, RealTimeGradientIsTheGeometricMeanDirection) {
  TwoTasks t;
  auto total = make_loss_weighting("realtime")->combine(t.losses());
  EXPECT_NEAR(total.item<double>(), 2.0, 1e-12);
  // ∇ Σ L_i / sg(L_i) = Σ ∇L_i / L_i = ∇ Σ log L_i
  EXPECT_NEAR(t.grad_of(total), g1 / l1 + g2 / l2, 1e-12);
}

TEST(LossWeighting, GeneralizedMeanCoversArithmeticGeometricMaxMin) {
  TwoTasks t;
  auto mean_with = [&](double gamma) {
    return make_loss_weighting("generalized_mean", {{"gamma", gamma}})->combine(t.losses());
  };
  EXPECT_NEAR(mean_with(1).item<double>(), (l1 + l2) / 2, 1e-12);
  EXPECT_NEAR(mean_with(2).item<double>(), std::sqrt((l1 * l1 + l2 * l2) / 2), 1e-12);
  EXPECT_NEAR(mean_with(0).item<double>(), std::sqrt(l1 * l2), 1e-12);
  EXPECT_NEAR(mean_with(200).item<double>(), std::max(l1, l2), 1e-2);
  EXPECT_NEAR(mean_with(-200).item<double>(), std::min(l1, l2), 1e-2);
  // γ = 0: gradient of the geometric mean √(L1 L2)
  EXPECT_NEAR(t.grad_of(mean_with(0)), 0.5 * std::sqrt(l1 * l2) * (g1 / l1 + g2 / l2), 1e-12);
}

TEST(LossWeighting, UncertaintyLearnsLogVarianceAtLogLoss) {
  TwoTasks t;
  auto w = make_loss_weighting("uncertainty", {{"num_tasks", 2}, {"init", 0.5}});
  ASSERT_EQ(w->parameters().size(), 1u);
  auto s = w->parameters()[0];
  auto total = w->combine(t.losses());
  EXPECT_NEAR(total.item<double>(),
              0.5 * (std::exp(-0.5) * l1 + 0.5) + 0.5 * (std::exp(-0.5) * l2 + 0.5),
              1e-6);
  total.backward();
  // ∂/∂s_i ½(e^{−s} L_i + s) = ½(1 − e^{−s} L_i), zero at s_i = log L_i
  EXPECT_NEAR(s.grad()[0].item<double>(), 0.5 * (1 - std::exp(-0.5) * l1), 1e-6);
  EXPECT_NEAR(s.grad()[1].item<double>(), 0.5 * (1 - std::exp(-0.5) * l2), 1e-6);
  auto copy = make_loss_weighting("uncertainty", {{"num_tasks", 2}});
  copy->load_state(w->state());
  EXPECT_TRUE(torch::allclose(copy->parameters()[0], s));
}

TEST(LossWeighting, SkipsTasksAbsentFromTheStep) {
  TwoTasks t;
  auto losses = t.losses();
  losses[0] = torch::Tensor();  // task 0 not sampled this step
  EXPECT_NEAR(
      make_loss_weighting("fixed", {{"weights", {2.0, 0.5}}})->combine(losses).item<double>(),
      0.5 * l2,
      1e-12);
  EXPECT_NEAR(
      make_loss_weighting("generalized_mean", {{"gamma", 0.0}})->combine(losses).item<double>(),
      l2,
      1e-12);
}

TEST(LossWeighting, FactoryIsStrict) {
  for (const auto& name : loss_weighting_names()) {
    nlohmann::json p = nlohmann::json::object();
    if (name == "prior") p = {{"priors", {1.0}}};
    if (name == "uncertainty") p = {{"num_tasks", 1}};
    EXPECT_EQ(make_loss_weighting(name, p)->name(), name);
  }
  try {
    make_loss_weighting("geometric");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("expected one of: fixed, initial, prior"),
              std::string::npos);
  }
  EXPECT_THROW(make_loss_weighting("generalized_mean", {{"gama", 1}}), std::invalid_argument);
}

}  // namespace
}  // namespace sentzoo
