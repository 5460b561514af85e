// Pair losses against brute-force float64 loops and finite differences: cosine MSE, SBERT
// softmax classifier, contrastive and online contrastive (REFERENCE.md §5, §6).

#include <gtest/gtest.h>

#include <cmath>

#include "losses/contrastive.h"
#include "losses/cosine_mse.h"
#include "losses/softmax_classifier.h"
#include "tests/losses/loss_test_util.h"

namespace sentzoo {
namespace {

double loop_dot(const torch::Tensor& a, const torch::Tensor& b) {
  double s = 0;
  for (int64_t k = 0; k < a.size(0); ++k) s += a[k].item<double>() * b[k].item<double>();
  return s;
}
double cosine(const torch::Tensor& a, const torch::Tensor& b) {
  return loop_dot(a, b) / std::sqrt(loop_dot(a, a) * loop_dot(b, b));
}
double euclid(const torch::Tensor& a, const torch::Tensor& b) {
  double s = 0;
  for (int64_t k = 0; k < a.size(0); ++k) {
    const double d = a[k].item<double>() - b[k].item<double>() + 1e-6;  // torch's eps
    s += d * d;
  }
  return std::sqrt(s);
}

class PairLosses : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::manual_seed(0);
    u = torch::randn({7, 4}, torch::kDouble);
    v = u + torch::randn({7, 4}, torch::kDouble);
  }
  torch::Tensor u, v;
  torch::Tensor binary = torch::tensor({1, 0, 1, 1, 0, 0, 1});
};

TEST_F(PairLosses, CosineMseEqualsLoopWithScaledLabels) {
  auto y = torch::tensor({0., 5., 2.5, 1., 4., 3., 2.}, torch::kDouble);
  double acc = 0;
  for (int64_t i = 0; i < 7; ++i) acc += std::pow(cosine(u[i], v[i]) - y[i].item<double>() / 5, 2);
  EXPECT_NEAR(cosine_mse_loss(u, v, y, /*label_scale=*/5.0).item<double>(), acc / 7, 1e-12);
  testing::expect_gradient_matches_fd(
      [&](const torch::Tensor& x) { return cosine_mse_loss(x, v, y, 5.0); }, u);
}

TEST_F(PairLosses, SoftmaxClassifierEqualsLoop) {
  SoftmaxFeatures f;
  f.multiplication = true;  // [u; v; |u−v|; u*v]
  const int64_t K = 3, D = 4;
  auto W = torch::randn({K, 4 * D}, torch::kDouble), b = torch::randn({K}, torch::kDouble);
  auto labels = torch::tensor({0, 2, 1, 1, 0, 2, 1});
  double acc = 0;
  for (int64_t i = 0; i < 7; ++i) {
    std::vector<double> x;
    for (int64_t k = 0; k < D; ++k) x.push_back(u[i][k].item<double>());
    for (int64_t k = 0; k < D; ++k) x.push_back(v[i][k].item<double>());
    for (int64_t k = 0; k < D; ++k)
      x.push_back(std::abs(u[i][k].item<double>() - v[i][k].item<double>()));
    for (int64_t k = 0; k < D; ++k) x.push_back(u[i][k].item<double>() * v[i][k].item<double>());
    std::vector<double> z(K);
    double norm = 0;
    for (int64_t c = 0; c < K; ++c) {
      z[c] = b[c].item<double>();
      for (int64_t k = 0; k < 4 * D; ++k) z[c] += W[c][k].item<double>() * x[k];
      norm += std::exp(z[c]);
    }
    acc += std::log(norm) - z[labels[i].item<int64_t>()];
  }
  EXPECT_NEAR(softmax_classifier_loss(u, v, labels, W, b, f).item<double>(), acc / 7, 1e-12);
  testing::expect_gradient_matches_fd(
      [&](const torch::Tensor& x) { return softmax_classifier_loss(x, v, labels, W, b, f); }, u);
}

TEST_F(PairLosses, SoftmaxHeadOwnsOnlyTheClassifier) {
  SoftmaxHead head(/*dim=*/4, /*num_labels=*/3);
  auto params = head->named_parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params["classifier.weight"].sizes(), torch::IntArrayRef({3, 12}));
  head->to(torch::kDouble);
  auto labels = torch::tensor({0, 2, 1, 1, 0, 2, 1});
  auto want =
      softmax_classifier_loss(u, v, labels, head->classifier->weight, head->classifier->bias);
  EXPECT_NEAR(head->loss(u, v, labels).item<double>(), want.item<double>(), 1e-12);
  EXPECT_EQ(head->forward(u, v).sizes(), torch::IntArrayRef({7, 3}));
}

TEST_F(PairLosses, ContrastiveEqualsLoopForBothDistances) {
  for (auto distance : {PairDistance::kCosine, PairDistance::kEuclidean}) {
    const double m = distance == PairDistance::kCosine ? 0.5 : 2.0;
    double acc = 0;
    for (int64_t i = 0; i < 7; ++i) {
      const double d =
          distance == PairDistance::kCosine ? 1 - cosine(u[i], v[i]) : euclid(u[i], v[i]);
      acc += binary[i].item<int64_t>() ? 0.5 * d * d : 0.5 * std::pow(std::max(0.0, m - d), 2);
    }
    EXPECT_NEAR(contrastive_loss(u, v, binary, m, distance).item<double>(), acc / 7, 1e-12);
    EXPECT_NEAR(
        contrastive_loss(u, v, binary, m, distance, /*mean=*/false).item<double>(), acc, 1e-12);
    testing::expect_gradient_matches_fd(
        [&](const torch::Tensor& x) { return contrastive_loss(x, v, binary, m, distance); }, u);
  }
}

TEST_F(PairLosses, OnlineContrastiveKeepsOnlyHardPairs) {
  const double m = 0.5;
  std::vector<double> d(7);
  double max_pos = -1e9, min_neg = 1e9;
  for (int64_t i = 0; i < 7; ++i) {
    d[i] = 1 - cosine(u[i], v[i]);
    if (binary[i].item<int64_t>())
      max_pos = std::max(max_pos, d[i]);
    else
      min_neg = std::min(min_neg, d[i]);
  }
  double acc = 0;
  for (int64_t i = 0; i < 7; ++i) {
    if (binary[i].item<int64_t>() && d[i] > min_neg) acc += d[i] * d[i];
    if (!binary[i].item<int64_t>() && d[i] < max_pos) acc += std::pow(std::max(0.0, m - d[i]), 2);
  }
  EXPECT_NEAR(online_contrastive_loss(u, v, binary, m).item<double>(), acc, 1e-12);
  testing::expect_gradient_matches_fd(
      [&](const torch::Tensor& x) { return online_contrastive_loss(x, v, binary, m); }, u);
}

TEST_F(PairLosses, OnlineContrastiveWithoutHardPairsIsZeroWithZeroGradient) {
  // positives identical (d = 0), negatives opposite (d = 2): nothing is hard
  auto a = u.slice(0, 0, 4).clone().requires_grad_(true);
  auto b = torch::cat({a.slice(0, 0, 2).detach(), -a.slice(0, 2, 4).detach()});
  auto loss = online_contrastive_loss(a, b, torch::tensor({1, 1, 0, 0}));
  loss.backward();
  EXPECT_EQ(loss.item<double>(), 0.0);
  EXPECT_EQ(a.grad().abs().sum().item<double>(), 0.0);
}

}  // namespace
}  // namespace sentzoo
