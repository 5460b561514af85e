// CoSENT and AnglE (REFERENCE.md §4): brute-force float64 loops, invariances, the degenerate
// batch, finite differences, and the similarity helpers.

#include "losses/cosent.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>

#include "core/compat.h"
#include "losses/similarity.h"
#include "tests/losses/loss_test_util.h"

namespace sentzoo {
namespace {

class CoSENT : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(0); }
};

// log(1 + Σ_{y_i < y_j} exp(λ(s_i − s_j))), written as a stable log-sum-exp over the terms
double brute_cosent(const torch::Tensor& s, const torch::Tensor& y, double scale) {
  std::vector<double> terms{0.0};
  for (int64_t i = 0; i < s.size(0); ++i)
    for (int64_t j = 0; j < s.size(0); ++j)
      if (y[i].item<double>() < y[j].item<double>())
        terms.push_back(scale * (s[i].item<double>() - s[j].item<double>()));
  const double m = *std::max_element(terms.begin(), terms.end());
  double acc = 0;
  for (double t : terms) acc += std::exp(t - m);
  return m + std::log(acc);
}

double brute_cos(const torch::Tensor& a, const torch::Tensor& b) {
  double ab = 0, aa = 0, bb = 0;
  for (int64_t k = 0; k < a.size(0); ++k) {
    const double x = a[k].item<double>(), y = b[k].item<double>();
    ab += x * y, aa += x * x, bb += y * y;
  }
  return ab / std::sqrt(aa * bb);
}

TEST_F(CoSENT, EqualsBruteForceLoop) {
  auto s = torch::rand({9}, torch::kDouble) * 2 - 1;
  auto y = torch::tensor({0., 1., 1., 2., 5., 3., 3., 0., 4.}, torch::kDouble);
  for (double scale : {1.0, 20.0})
    EXPECT_NEAR(cosent_loss(s, y, scale).item<double>(), brute_cosent(s, y, scale), 1e-9);
}

TEST_F(CoSENT, EmbeddingLossUsesPairwiseCosine) {
  auto u = torch::randn({6, 5}, torch::kDouble), v = torch::randn({6, 5}, torch::kDouble);
  auto y = torch::tensor({3., 1., 4., 1., 5., 9.}, torch::kDouble);
  std::vector<double> cos;
  for (int64_t i = 0; i < 6; ++i) cos.push_back(brute_cos(u[i], v[i]));
  EXPECT_NEAR(cosent_embedding_loss(u, v, y).item<double>(),
              brute_cosent(torch::tensor(cos, torch::kDouble), y, 20.0),
              1e-9);
}

TEST_F(CoSENT, InvariantToIncreasingLabelTransformAndPermutation) {
  auto s = torch::rand({8}, torch::kDouble);
  auto y = torch::tensor({0.5, 1., 2., 2., 3.5, 4., 5., 0.}, torch::kDouble);
  const double base = cosent_loss(s, y).item<double>();
  EXPECT_NEAR(cosent_loss(s, 3 * y - 7).item<double>(), base, 1e-12);  // affine, a > 0
  EXPECT_NEAR(cosent_loss(s, torch::exp(y) + y.pow(3)).item<double>(), base, 1e-12);  // monotone
  auto perm = torch::randperm(8);
  EXPECT_NEAR(cosent_loss(s.index({perm}), y.index({perm})).item<double>(), base, 1e-12);
  // a decreasing transform reverses the order and changes the loss
  EXPECT_GT(std::abs(cosent_loss(s, -y).item<double>() - base), 1e-3);
}

TEST_F(CoSENT, NoOrderedPairGivesZeroWithZeroGradient) {
  for (auto dtype : {torch::kDouble, torch::kFloat, torch::kBFloat16}) {
    auto s = torch::randn({5}).to(dtype).requires_grad_(true);
    auto loss = cosent_loss(s, torch::full({5}, 2.0));
    loss.backward();
    EXPECT_EQ(loss.item<double>(), 0.0);
    EXPECT_EQ(s.grad().abs().sum().item<double>(), 0.0);
  }
  auto one = torch::randn({1}, torch::kDouble).requires_grad_(true);  // a single pair
  EXPECT_EQ(cosent_loss(one, torch::ones({1})).item<double>(), 0.0);
}

TEST_F(CoSENT, GradientMatchesFiniteDifferences) {
  auto y = torch::tensor({0., 2., 1., 2., 5., 3.}, torch::kDouble);
  auto v = torch::randn({6, 4}, torch::kDouble);
  testing::expect_gradient_matches_fd(
      [&](const torch::Tensor& u) { return cosent_embedding_loss(u, v, y); },
      torch::randn({6, 4}, torch::kDouble));
  testing::expect_gradient_matches_fd([&](const torch::Tensor& u) { return angle_loss(u, v, y); },
                                      torch::randn({6, 4}, torch::kDouble));
  // cross-encoder logits, no λ
  testing::expect_gradient_matches_fd(
      [&](const torch::Tensor& s) { return cosent_loss(s, y, 1.0); },
      torch::randn({6}, torch::kDouble));
}

TEST_F(CoSENT, LargeScoreGapsStayFiniteInLowPrecision) {
  // bf16 scores far apart: −(1−y)·1e12 would be the only risk; the −inf mask keeps it finite
  auto s = torch::tensor({30.0, -30.0, 10.0, 0.0}).to(torch::kBFloat16).requires_grad_(true);
  auto y = torch::tensor({0., 1., 1., 2.});
  compat::AutocastGuard amp(/*enabled=*/true);
  auto loss = cosent_loss(s, y, 20.0);
  EXPECT_EQ(loss.scalar_type(), torch::kFloat);
  EXPECT_NEAR(loss.item<double>(), brute_cosent(s.to(torch::kDouble), y, 20.0), 1e-6 * 1200);
}

// sentence-transformers util.pairwise_angle_sim: |Σ_k Re + Im of z_k·conj(w_k)| / (‖z‖‖w‖)
TEST(AngleSim, MatchesComplexProductLoop) {
  torch::manual_seed(1);
  auto x = torch::randn({4, 6}, torch::kDouble), y = torch::randn({4, 6}, torch::kDouble);
  auto got = pairwise_angle_sim(x, y);
  for (int64_t i = 0; i < 4; ++i) {
    double sum = 0, nz = 0, nw = 0;
    for (int64_t k = 0; k < 3; ++k) {
      std::complex<double> z(x[i][k].item<double>(), x[i][k + 3].item<double>());
      std::complex<double> w(y[i][k].item<double>(), y[i][k + 3].item<double>());
      const auto q = z * std::conj(w);
      sum += q.real() + q.imag();
      nz += std::norm(z), nw += std::norm(w);
    }
    EXPECT_NEAR(got[i].item<double>(), std::abs(sum) / std::sqrt(nz * nw), 1e-12);
  }
}

TEST(Similarity, CosineMatrixAndPairwiseAgreeWithLoopAndIgnoreAutocast) {
  torch::manual_seed(2);
  auto a = torch::randn({3, 5}), b = torch::randn({4, 5});
  auto m = cos_sim_matrix(a, b);
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 4; ++j)
      EXPECT_NEAR(m[i][j].item<double>(),
                  brute_cos(a[i].to(torch::kDouble), b[j].to(torch::kDouble)),
                  1e-6);
  EXPECT_TRUE(torch::allclose(pairwise_cos_sim(a, b.slice(0, 0, 3)), m.diagonal(), 1e-6, 1e-6));
  compat::AutocastGuard amp(/*enabled=*/true);
  EXPECT_EQ(torch::mm(a, b.t()).scalar_type(), torch::kBFloat16);  // autocast is on here...
  auto m_amp = cos_sim_matrix(a, b);                               // ...but not in the loss
  EXPECT_EQ(m_amp.scalar_type(), torch::kFloat);
  EXPECT_TRUE(torch::equal(m_amp, m));
}

}  // namespace
}  // namespace sentzoo
