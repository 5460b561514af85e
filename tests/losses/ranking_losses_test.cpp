// In-batch negatives, triplet and cross-encoder losses against float64 loops (REFERENCE.md §6).

#include <gtest/gtest.h>

#include <cmath>

#include "losses/bce.h"
#include "losses/in_batch_negatives.h"
#include "losses/similarity.h"
#include "losses/triplet.h"
#include "tests/losses/loss_test_util.h"

namespace sentzoo {
namespace {

double cosine(const torch::Tensor& a, const torch::Tensor& b) {
  return (a * b).sum().item<double>() /
         std::sqrt((a * a).sum().item<double>() * (b * b).sum().item<double>());
}

/// −log softmax(row)[target] in float64.
double nll(const std::vector<double>& row, size_t target) {
  double m = *std::max_element(row.begin(), row.end()), z = 0;
  for (double x : row) z += std::exp(x - m);
  return m + std::log(z) - row[target];
}

class Ranking : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::manual_seed(0);
    a = torch::randn({5, 4}, torch::kDouble);
    p = a + 0.8 * torch::randn({5, 4}, torch::kDouble);
    n = torch::randn({5, 4}, torch::kDouble);
  }
  torch::Tensor a, p, n;
};

TEST_F(Ranking, InBatchNegativesEqualsLoopWithHardNegativesAndSymmetry) {
  const double scale = 20;
  double fwd = 0, fwd_hard = 0, bwd = 0;
  for (int64_t i = 0; i < 5; ++i) {
    std::vector<double> row, row_hard, col;
    for (int64_t j = 0; j < 5; ++j) row.push_back(scale * cosine(a[i], p[j]));
    row_hard = row;
    for (int64_t j = 0; j < 5; ++j) row_hard.push_back(scale * cosine(a[i], n[j]));
    for (int64_t j = 0; j < 5; ++j) col.push_back(scale * cosine(a[j], p[i]));
    fwd += nll(row, i) / 5, fwd_hard += nll(row_hard, i) / 5, bwd += nll(col, i) / 5;
  }
  EXPECT_NEAR(in_batch_negatives_loss(a, p).item<double>(), fwd, 1e-10);
  EXPECT_NEAR(in_batch_negatives_loss(a, p, {n}).item<double>(), fwd_hard, 1e-10);
  EXPECT_NEAR(
      in_batch_negatives_loss(a, p, {}, scale, true).item<double>(), (fwd + bwd) / 2, 1e-10);
  EXPECT_NEAR(
      in_batch_negatives_loss(a, p, {n}, scale, true).item<double>(), (fwd_hard + bwd) / 2, 1e-10);
  // REFERENCE.md §6: equals cross_entropy(scale·S, arange(B))
  auto ce = torch::nn::functional::cross_entropy(scale * cos_sim_matrix(a, p), torch::arange(5));
  EXPECT_NEAR(in_batch_negatives_loss(a, p).item<double>(), ce.item<double>(), 1e-12);
  testing::expect_gradient_matches_fd(
      [&](const torch::Tensor& x) { return in_batch_negatives_loss(x, p, {n}, scale, true); }, a);
}

TEST_F(Ranking, InBatchNegativesDecreasesAsPositivesCloseIn) {
  double last = in_batch_negatives_loss(a, p).item<double>();
  for (double t : {0.3, 0.6, 0.9}) {
    const double now = in_batch_negatives_loss(a, (1 - t) * p + t * a).item<double>();
    EXPECT_LT(now, last);
    last = now;
  }
}

TEST_F(Ranking, TripletEqualsLoopForBothDistances) {
  for (auto distance : {PairDistance::kEuclidean, PairDistance::kCosine}) {
    const double m = distance == PairDistance::kEuclidean ? 1.5 : 0.3;
    auto dist = [&](const torch::Tensor& x, const torch::Tensor& y) {
      return distance == PairDistance::kCosine ? 1 - cosine(x, y)
                                               : (x - y + 1e-6).pow(2).sum().sqrt().item<double>();
    };
    double acc = 0;
    for (int64_t i = 0; i < 5; ++i)
      acc += std::max(0.0, dist(a[i], p[i]) - dist(a[i], n[i]) + m) / 5;
    EXPECT_NEAR(triplet_loss(a, p, n, m, distance).item<double>(), acc, 1e-12);
    testing::expect_gradient_matches_fd(
        [&](const torch::Tensor& x) { return triplet_loss(x, p, n, m, distance); }, a);
  }
}

TEST(CrossEncoderLosses, BceAndCeEqualLoops) {
  torch::manual_seed(3);
  auto logits = torch::randn({6}, torch::kDouble) * 3;
  auto y = torch::tensor({1., 0., 1., 0.5, 0., 1.}, torch::kDouble);
  for (double pw : {0.0, 2.0}) {
    double acc = 0;
    for (int64_t i = 0; i < 6; ++i) {
      const double x = logits[i].item<double>(), t = y[i].item<double>();
      const double w = pw > 0 ? pw : 1.0;
      acc += -(w * t * std::log(1 / (1 + std::exp(-x))) +
               (1 - t) * std::log(1 - 1 / (1 + std::exp(-x))));
    }
    EXPECT_NEAR(cross_encoder_bce_loss(logits, y, pw).item<double>(), acc / 6, 1e-12);
    EXPECT_NEAR(cross_encoder_bce_loss(logits.unsqueeze(1), y, pw).item<double>(), acc / 6, 1e-12);
  }
  testing::expect_gradient_matches_fd(
      [&](const torch::Tensor& x) { return cross_encoder_bce_loss(x, y); }, logits);
  auto k_logits = torch::randn({6, 3}, torch::kDouble);
  auto k_labels = torch::tensor({0, 2, 1, 1, 0, 2});
  double acc = 0;
  for (int64_t i = 0; i < 6; ++i) {
    std::vector<double> row;
    for (int64_t c = 0; c < 3; ++c) row.push_back(k_logits[i][c].item<double>());
    acc += nll(row, k_labels[i].item<int64_t>()) / 6;
  }
  EXPECT_NEAR(cross_encoder_ce_loss(k_logits, k_labels).item<double>(), acc, 1e-12);
  testing::expect_gradient_matches_fd(
      [&](const torch::Tensor& x) { return cross_encoder_ce_loss(x, k_labels); }, k_logits);
}

}  // namespace
}  // namespace sentzoo
