// Metrics on hand-computed cases (ties included) and properties; the scipy/sklearn goldens are
// in metrics_fixture_test.cpp.
#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "eval/report.h"
#include "metrics/metrics_similarity.h"

namespace sentzoo {
namespace {

TEST(AverageRanks, TiesShareTheirAverageRank) {
  // sorted: 1 (rank 1), 2 2 (ranks 2,3 -> 2.5), 5 (4), 7 7 7 (5,6,7 -> 6)
  const std::vector<double> x = {7, 2, 5, 7, 1, 2, 7};
  const std::vector<double> want = {6, 2.5, 4, 6, 1, 2.5, 6};
  EXPECT_EQ(detail::average_ranks(x), want);
}

TEST(Spearman, IsPlusMinusOneOnMonotoneInputs) {
  const std::vector<double> x = {0.1, 0.5, 0.2, 3.0, -1.0};
  std::vector<double> up, down;
  for (double v : x) up.push_back(std::exp(v)), down.push_back(-v * v * v);
  EXPECT_NEAR(spearman(x, up), 1.0, 1e-12);
  EXPECT_NEAR(spearman(x, down), -1.0, 1e-12);
}

TEST(Spearman, HandComputedWithTies) {
  // ranks x: 1 2.5 2.5 4; ranks y: 1.5 1.5 3 4. Pearson of those, by hand:
  // dx = -1.5 0 0 1.5, dy = -1 -1 0.5 1.5; sxy = 1.5 + 2.25 = 3.75; sxx = 4.5; syy = 4.5
  const std::vector<double> x = {1, 2, 2, 3}, y = {0, 0, 1, 2};
  EXPECT_NEAR(spearman(x, y), 3.75 / 4.5, 1e-15);
}

TEST(Pearson, HandComputedAndConstantIsNaN) {
  // x = 1 2 3, y = 1 3 2: dx = -1 0 1, dy = -1 1 0 -> r = 1 / 2
  EXPECT_NEAR(pearson({1, 2, 3}, {1, 3, 2}), 0.5, 1e-15);
  EXPECT_TRUE(std::isnan(pearson({1, 2, 3}, {4, 4, 4})));
  EXPECT_TRUE(std::isnan(pearson({0.1, 0.1, 0.1}, {1, 2, 3})));  // mean(0.1 x 3) != 0.1
  EXPECT_THROW(pearson({1, 2}, {1, 2, 3}), std::invalid_argument);
  EXPECT_THROW(pearson({1}, {1}), std::invalid_argument);
}

TEST(BinaryMetrics, HandComputedConfusion) {
  const std::vector<int> y = {1, 1, 1, 0, 0, 0, 0, 1};
  const std::vector<int> p = {1, 0, 1, 1, 0, 0, 0, 0};
  const BinaryCounts c = binary_counts(y, p);  // tp 2, fn 2, fp 1, tn 3
  EXPECT_EQ(c.tp, 2);
  EXPECT_EQ(c.fn, 2);
  EXPECT_EQ(c.fp, 1);
  EXPECT_EQ(c.tn, 3);
  EXPECT_DOUBLE_EQ(accuracy(c), 5.0 / 8);
  EXPECT_DOUBLE_EQ(precision(c), 2.0 / 3);
  EXPECT_DOUBLE_EQ(recall(c), 0.5);
  EXPECT_DOUBLE_EQ(f1(c), 4.0 / 7);
  EXPECT_DOUBLE_EQ(mcc(c), (2.0 * 3 - 1 * 2) / std::sqrt(3.0 * 4 * 4 * 5));
  EXPECT_DOUBLE_EQ(precision(binary_counts({1, 0}, {0, 0})), 0.0);  // zero_division -> 0
  EXPECT_DOUBLE_EQ(mcc(binary_counts({1, 0}, {0, 0})), 0.0);
  EXPECT_THROW(binary_counts({2}, {1}), std::invalid_argument);
}

TEST(AveragePrecision, TiedScoresFormOneStep) {
  // scores 0.9 (y=1), 0.5 0.5 (y=1, y=0), 0.1 (y=1). Steps: {0.9}: R=1/3 P=1;
  // {0.5,0.5}: R=2/3 P=2/3; {0.1}: R=1 P=3/4. AP = 1/3 + 1/3*2/3 + 1/3*3/4.
  const double want = 1.0 / 3 + (1.0 / 3) * (2.0 / 3) + (1.0 / 3) * 0.75;
  EXPECT_NEAR(average_precision({1, 1, 0, 1}, {0.9, 0.5, 0.5, 0.1}), want, 1e-15);
  EXPECT_EQ(average_precision({0, 0}, {0.3, 0.1}), 0.0);
}

TEST(RocAuc, TiesCountHalfAndOneClassThrows) {
  // pairs (pos, neg): (0.9, 0.5) 1, (0.9, 0.2) 1, (0.5, 0.5) 1/2, (0.5, 0.2) 1 -> 3.5 / 4
  EXPECT_DOUBLE_EQ(roc_auc({1, 1, 0, 0}, {0.9, 0.5, 0.5, 0.2}), 3.5 / 4);
  EXPECT_THROW(roc_auc({1, 1}, {0.1, 0.2}), std::invalid_argument);
}

TEST(RocAuc, EqualsBruteForcePairCountOnRandomTiedData) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<int> y(50);
    std::vector<double> s(50);
    for (int i = 0; i < 50; ++i) y[i] = rng() % 2, s[i] = static_cast<double>(rng() % 6);
    y[0] = 0, y[1] = 1;
    double wins = 0, pairs = 0;
    for (int i = 0; i < 50; ++i)
      for (int j = 0; j < 50; ++j)
        if (y[i] == 1 && y[j] == 0) pairs += 1, wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
    EXPECT_NEAR(roc_auc(y, s), wins / pairs, 1e-12);
  }
}

TEST(Accuracy, CountsEqualEntriesForKClasses) {
  EXPECT_DOUBLE_EQ(accuracy(std::vector<int>{0, 2, 1, 2}, std::vector<int>{0, 1, 1, 2}), 0.75);
}

TEST(MetricsRecord, JsonRoundTripKeepsNaNAndRejectsUnknownKeys) {
  Metrics m;
  m.values = {{"accuracy", 0.875}, {"roc_auc", std::nan("")}};
  m.primary = "accuracy";
  m.info["threshold_source"] = "valid";
  const nlohmann::json j = m;
  EXPECT_TRUE(j["values"]["roc_auc"].is_null());
  const Metrics back = j.get<Metrics>();
  EXPECT_EQ(back.values.at("accuracy"), 0.875);
  EXPECT_TRUE(std::isnan(back.values.at("roc_auc")));
  EXPECT_EQ(back.info, m.info);
  EXPECT_EQ(back.primary_value(), 0.875);
  nlohmann::json bad = j;
  bad["primry"] = "x";
  EXPECT_THROW(bad.get<Metrics>(), std::invalid_argument);
  bad = j;
  bad["primary"] = "f1";
  EXPECT_THROW(bad.get<Metrics>(), std::out_of_range);
  EXPECT_TRUE(m.better(0.9, 0.8));
  m.greater_is_better = false;
  EXPECT_TRUE(m.better(0.7, 0.8));
}

TEST(FormatMetrics, MarksThePrimaryAndListsInfo) {
  Metrics m;
  m.values = {{"accuracy", 0.86754}, {"ap", std::nan("")}};
  m.primary = "accuracy";
  m.info["threshold_source"] = "valid";
  EXPECT_EQ(format_metrics(m), "accuracy 0.8675* | ap nan | threshold_source=valid");
}

TEST(SimilarityScores, MatchFloat64Loops) {
  const auto a = torch::randn({5, 7}, torch::kFloat);
  auto b = torch::randn({5, 7}, torch::kFloat);
  b[2].zero_();  // zero row: cosine 0
  const auto A = a.accessor<float, 2>();
  const auto B = b.accessor<float, 2>();
  const auto cos = similarity_scores(a, b, Similarity::kCosine);
  const auto dot = similarity_scores(a, b, Similarity::kDot);
  const auto euc = similarity_scores(a, b, Similarity::kEuclidean);
  const auto man = similarity_scores(a, b, Similarity::kManhattan);
  for (int i = 0; i < 5; ++i) {
    double d = 0, na = 0, nb = 0, e = 0, m = 0;
    for (int k = 0; k < 7; ++k) {
      d += double(A[i][k]) * B[i][k], na += double(A[i][k]) * A[i][k],
          nb += double(B[i][k]) * B[i][k];
      e += (double(A[i][k]) - B[i][k]) * (double(A[i][k]) - B[i][k]);
      m += std::abs(double(A[i][k]) - B[i][k]);
    }
    EXPECT_NEAR(cos[i], nb == 0 ? 0.0 : d / std::sqrt(na * nb), 1e-12);
    EXPECT_NEAR(dot[i], d, 1e-12);
    EXPECT_NEAR(euc[i], -std::sqrt(e), 1e-12);
    EXPECT_NEAR(man[i], -m, 1e-12);
  }
  EXPECT_EQ(parse_similarity("manhattan"), Similarity::kManhattan);
  EXPECT_THROW(parse_similarity("cos"), std::invalid_argument);
}

}  // namespace
}  // namespace sentzoo
