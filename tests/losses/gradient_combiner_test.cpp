// Gradient combiners (REFERENCE.md §10 items 5-7, PCGrad): MGDA against a brute-force simplex
// search, main-vs-auxiliary constraints, PCGrad against a direct vector implementation.

#include "losses/gradient_combiner.h"

#include <gtest/gtest.h>

#include "core/compat.h"

namespace sentzoo {
namespace {

std::vector<torch::Tensor> random_grads(int64_t n, int64_t P, uint64_t seed) {
  torch::manual_seed(seed);
  std::vector<torch::Tensor> g;
  for (int64_t i = 0; i < n; ++i) g.push_back(torch::randn({P}, torch::kDouble));
  return g;
}

torch::Tensor weighted(const std::vector<torch::Tensor>& g, const torch::Tensor& w) {
  auto u = torch::zeros_like(g[0]);
  for (size_t i = 0; i < g.size(); ++i) u += w[static_cast<int64_t>(i)].item<double>() * g[i];
  return u;
}

TEST(GradientCombiner, GramMatrixIsPairwiseDots) {
  auto g = random_grads(3, 7, 0);
  auto G = detail::gram_matrix(g);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_NEAR(G[i][j].item<double>(), g[i].dot(g[j]).item<double>(), 1e-12);
}

TEST(GradientCombiner, MgdaIsTheMinimumNormPointOfTheConvexHull) {
  for (uint64_t seed = 0; seed < 6; ++seed) {
    auto g = random_grads(3, 4, seed);
    g[2] = -0.5 * g[0] + 0.3 * g[1];  // some conflict
    auto alpha = detail::mgda_weights(detail::gram_matrix(g));
    EXPECT_NEAR(alpha.sum().item<double>(), 1.0, 1e-12);
    EXPECT_GE(alpha.min().item<double>(), 0.0);
    const double got = weighted(g, alpha).norm().item<double>();
    // brute force over the simplex on a 0.0025 grid
    auto G = detail::gram_matrix(g);
    auto Ga = G.accessor<double, 2>();
    double best = 1e300;
    for (int a = 0; a <= 400; ++a)
      for (int b = 0; a + b <= 400; ++b) {
        const double w[3] = {a / 400.0, b / 400.0, (400 - a - b) / 400.0};
        double s = 0;
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 3; ++j) s += w[i] * w[j] * Ga[i][j];
        best = std::min(best, std::sqrt(std::max(0.0, s)));
      }
    EXPECT_LE(got, best + 1e-9) << "seed " << seed;
    EXPECT_GE(got, best - 1e-2) << "seed " << seed;  // grid resolution
    // optimality of the min-norm point: ⟨g_i, u⟩ ≥ ‖u‖² for every task
    auto u = weighted(g, alpha);
    for (const auto& gi : g) EXPECT_GE(gi.dot(u).item<double>(), u.dot(u).item<double>() - 1e-8);
  }
}

TEST(GradientCombiner, MgdaTwoTasksHasTheClosedForm) {
  auto g = random_grads(2, 5, 7);
  auto alpha = detail::mgda_weights(detail::gram_matrix(g));
  // argmin_γ ‖γ g₀ + (1−γ) g₁‖² = ⟨g₁ − g₀, g₁⟩ / ‖g₀ − g₁‖², clipped to [0, 1]
  const double gamma =
      std::clamp(((g[1] - g[0]).dot(g[1]) / (g[0] - g[1]).pow(2).sum()).item<double>(), 0.0, 1.0);
  EXPECT_NEAR(alpha[0].item<double>(), gamma, 1e-9);
}

TEST(GradientCombiner, MainAuxOneAuxiliaryUsesTheClosedForm) {
  auto g = random_grads(2, 6, 3);
  g[1] = -g[0] + 0.5 * g[1];  // conflicting auxiliary
  auto w = detail::main_aux_weights(detail::gram_matrix(g));
  const double lambda =
      std::max(0.0, -g[0].dot(g[1]).item<double>()) / g[1].dot(g[1]).item<double>();
  EXPECT_EQ(w[0].item<double>(), 1.0);
  EXPECT_NEAR(w[1].item<double>(), lambda, 1e-12);
  EXPECT_NEAR(weighted(g, w).dot(g[1]).item<double>(), 0.0, 1e-10);
  // an agreeing auxiliary is left out
  auto agree = std::vector<torch::Tensor>{g[0], g[0] + 0.1 * g[1]};
  EXPECT_EQ(detail::main_aux_weights(detail::gram_matrix(agree))[1].item<double>(), 0.0);
}

TEST(GradientCombiner, MainAuxUpdateNeverHurtsAnAuxiliaryAndIsMinimal) {
  for (uint64_t seed = 0; seed < 6; ++seed) {
    auto g = random_grads(3, 5, 10 + seed);
    g[1] = g[1] - 0.8 * g[0];
    g[2] = g[2] - 0.6 * g[0];
    auto w = detail::main_aux_weights(detail::gram_matrix(g));
    auto u = weighted(g, w);
    for (int i = 1; i < 3; ++i) EXPECT_GE(u.dot(g[i]).item<double>(), -1e-9) << "seed " << seed;
    // brute force min ‖g₀ + λ₁g₁ + λ₂g₂‖ over a λ grid in [0, 3]²
    auto G = detail::gram_matrix(g);
    auto Ga = G.accessor<double, 2>();
    double best = 1e300;
    for (int a = 0; a <= 300; ++a)
      for (int b = 0; b <= 300; ++b) {
        const double w[3] = {1.0, a / 100.0, b / 100.0};
        double s = 0;
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 3; ++j) s += w[i] * w[j] * Ga[i][j];
        best = std::min(best, std::sqrt(std::max(0.0, s)));
      }
    EXPECT_LE(u.norm().item<double>(), best + 1e-9) << "seed " << seed;
  }
}

TEST(GradientCombiner, PcGradMatchesDirectProjectionAndRemovesConflicts) {
  auto g = random_grads(3, 6, 5);
  g[1] = g[1] - g[0];  // conflicts with g0
  const std::vector<std::vector<int64_t>> orders{{2, 1}, {0, 2}, {1, 0}};
  auto C = detail::pcgrad_coefficients(detail::gram_matrix(g), orders);
  for (int i = 0; i < 3; ++i) {
    auto gi = g[i].clone();  // Yu et al. 2020, Algorithm 1, on the vectors themselves
    for (auto j : orders[i]) {
      const double d = gi.dot(g[j]).item<double>();
      if (d < 0) gi -= d / g[j].dot(g[j]).item<double>() * g[j];
    }
    EXPECT_TRUE(torch::allclose(weighted(g, C[i]), gi, 1e-12, 1e-12));
  }
  // two tasks: each projected gradient is orthogonal to the other task's original gradient
  std::vector<torch::Tensor> two{g[0], g[1]};
  ASSERT_LT(g[0].dot(g[1]).item<double>(), 0);
  auto C2 = detail::pcgrad_coefficients(detail::gram_matrix(two), {{1}, {0}});
  EXPECT_NEAR(weighted(two, C2[0]).dot(g[1]).item<double>(), 0.0, 1e-10);
  EXPECT_NEAR(weighted(two, C2[1]).dot(g[0]).item<double>(), 0.0, 1e-10);
  // agreeing gradients pass through unchanged
  std::vector<torch::Tensor> same{g[0], 2 * g[0]};
  auto C3 = detail::pcgrad_coefficients(detail::gram_matrix(same), {{1}, {0}});
  EXPECT_TRUE(torch::allclose(C3, torch::eye(2, torch::kDouble)));
}

TEST(GradientCombiner, GradNormSumsUnitGradients) {
  auto g = random_grads(3, 4, 9);
  auto u = make_gradient_combiner("grad_norm")->combine(g);
  EXPECT_TRUE(torch::allclose(u, g[0] / g[0].norm() + g[1] / g[1].norm() + g[2] / g[2].norm()));
}

TEST(GradientCombiner, ListsOfTensorsAndBf16UnderAutocastWork) {
  auto g = random_grads(3, 10, 11);
  std::vector<std::vector<torch::Tensor>> lists;
  for (auto& gi : g) lists.push_back({gi.slice(0, 0, 6).view({2, 3}), gi.slice(0, 6, 10)});
  for (const auto& name : gradient_combiner_names()) {
    SCOPED_TRACE(name);
    auto flat = make_gradient_combiner(name)->combine(g);
    auto parts = make_gradient_combiner(name)->combine(lists);
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0].sizes(), torch::IntArrayRef({2, 3}));
    EXPECT_TRUE(torch::allclose(torch::cat({parts[0].reshape(-1), parts[1]}), flat));
    std::vector<torch::Tensor> low;
    for (auto& gi : g) low.push_back(gi.to(torch::kBFloat16));
    compat::AutocastGuard amp(/*enabled=*/true);
    auto u = make_gradient_combiner(name)->combine(low);
    EXPECT_EQ(u.scalar_type(), torch::kFloat);
    EXPECT_TRUE(torch::allclose(u.to(torch::kDouble), flat, /*rtol=*/3e-2, /*atol=*/3e-2)) << name;
  }
}

TEST(GradientCombiner, ParameterUntouchedByATaskCountsAsZero) {
  auto g = random_grads(2, 5, 4);
  std::vector<std::vector<torch::Tensor>> lists{{g[0].slice(0, 0, 3), torch::Tensor()},
                                                {g[1].slice(0, 0, 3), g[1].slice(0, 3, 5)}};
  auto parts = make_gradient_combiner("sum")->combine(lists);
  EXPECT_TRUE(torch::allclose(parts[0], g[0].slice(0, 0, 3) + g[1].slice(0, 0, 3)));
  EXPECT_TRUE(torch::allclose(parts[1], g[1].slice(0, 3, 5)));
}

TEST(GradientCombiner, FactoryIsStrict) {
  EXPECT_EQ(make_gradient_combiner("pcgrad", {{"seed", 3}, {"reduction", "mean"}})->name(),
            "pcgrad");
  EXPECT_THROW(make_gradient_combiner("pcgrad", {{"reduction", "max"}}), std::invalid_argument);
  EXPECT_THROW(make_gradient_combiner("mgda", {{"iters", 3}}), std::invalid_argument);
  try {
    make_gradient_combiner("cagrad");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(
        std::string(e.what()).find("expected one of: sum, mean, grad_norm, mgda, pcgrad, main_aux"),
        std::string::npos);
  }
  auto main_aux = make_gradient_combiner("main_aux", {{"main", 1}});
  auto g = random_grads(2, 4, 1);
  main_aux->combine(g);
  EXPECT_EQ(main_aux->last_weights()[1].item<double>(), 1.0);
}

}  // namespace
}  // namespace sentzoo
