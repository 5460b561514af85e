// Binary automatic threshold (REFERENCE.md §9): the sweep equals a brute-force search over all
// candidate thresholds on random and heavily tied data, the rule at the boundary, the
// valid -> test protocol.
#include "metrics/threshold.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

namespace sentzoo {
namespace {

ScoredSet random_set(std::mt19937& rng, int n, int levels, double p_pos) {
  ScoredSet s;
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> g(0, 1);
  for (int i = 0; i < n; ++i) {
    const int y = u(rng) < p_pos ? 1 : 0;
    // levels == 0: continuous scores; otherwise few distinct values (heavy ties).
    const double score = levels == 0 ? g(rng) + y : std::floor(u(rng) * levels + y) / levels;
    s.labels.push_back(y);
    s.scores.push_back(score);
  }
  return s;
}

double objective(const ScoredSet& s, double t, ThresholdObjective o) {
  const BinaryCounts c = binary_counts(s.labels, predict_binary(s.scores, t));
  return o == ThresholdObjective::kAccuracy ? accuracy(c) : f1(c);
}

// Every candidate, ascending: below all, each midpoint of adjacent distinct scores, above all.
std::vector<double> all_candidates(const ScoredSet& s) {
  const std::set<double> distinct(s.scores.begin(), s.scores.end());
  const std::vector<double> u(distinct.begin(), distinct.end());
  std::vector<double> c = {u.front() - 1e6};
  for (size_t i = 0; i + 1 < u.size(); ++i) c.push_back((u[i] + u[i + 1]) / 2);
  c.push_back(u.back() + 1e6);
  return c;
}

TEST(BestThreshold, EqualsBruteForceOverAllCandidates) {
  for (int seed = 0; seed < 300; ++seed) {
    std::mt19937 rng(seed);
    const int n = 1 + seed % 61;
    const int levels = std::vector<int>{0, 1, 2, 3, 5, 10}[seed % 6];
    const ScoredSet s = random_set(rng, n, levels, /*p_pos=*/0.1 + 0.8 * (seed % 7) / 6.0);
    for (auto o : {ThresholdObjective::kAccuracy, ThresholdObjective::kF1}) {
      const auto cand = all_candidates(s);
      std::vector<double> values;
      for (double t : cand) values.push_back(objective(s, t, o));
      const double best = *std::max_element(values.begin(), values.end());
      std::vector<double> optimal;
      for (size_t i = 0; i < cand.size(); ++i)
        if (values[i] >= best - 1e-12) optimal.push_back(cand[i]);
      const double median = optimal[(optimal.size() - 1) / 2];  // the documented tie-break

      const BinaryThreshold got = best_threshold(s, o);
      const std::string tag = "seed " + std::to_string(seed) + " " + to_string(o);
      EXPECT_NEAR(got.value, best, 1e-12) << tag;
      EXPECT_NEAR(objective(s, got.threshold, o), best, 1e-12) << tag;
      EXPECT_EQ(got.optimal_splits, static_cast<int64_t>(optimal.size())) << tag;
      EXPECT_EQ(predict_binary(s.scores, got.threshold), predict_binary(s.scores, median)) << tag;
      const bool interior = median != cand.front() && median != cand.back();
      if (interior) {
        EXPECT_NEAR(got.threshold, median, 1e-12) << tag;  // the midpoint itself
      }
      // No tie bug: the threshold is never one of the scores.
      EXPECT_EQ(std::count(s.scores.begin(), s.scores.end(), got.threshold), 0) << tag;
    }
  }
}

TEST(BestThreshold, ScoreEqualToThresholdIsNegative) {
  EXPECT_EQ(predict_binary({0.5, 0.5000001, 0.4999999}, 0.5), (std::vector<int>{0, 1, 0}));
  // Tied scores are never split: 0.3 appears with both labels and the threshold leaves it whole.
  const ScoredSet s{{0.1, 0.3, 0.3, 0.3, 0.9}, {0, 1, 0, 1, 1}};
  const BinaryThreshold t = best_threshold(s, ThresholdObjective::kAccuracy);
  EXPECT_DOUBLE_EQ(t.threshold, 0.2);  // splits {0.1} | {0.3 x3, 0.9}: 4 of 5 right
  EXPECT_DOUBLE_EQ(t.value, 0.8);
}

TEST(BestThreshold, ExtremesAndAdjacentDoubles) {
  // All positive: the best split is "everything positive", below the lowest score.
  const ScoredSet pos{{0.2, 0.7, 0.7}, {1, 1, 1}};
  const BinaryThreshold t = best_threshold(pos, ThresholdObjective::kAccuracy);
  EXPECT_LT(t.threshold, 0.2);
  EXPECT_EQ(t.value, 1.0);
  const ScoredSet neg{{-3e20, 5.0}, {0, 0}};
  const BinaryThreshold u = best_threshold(neg, ThresholdObjective::kAccuracy);
  EXPECT_GT(u.threshold, 5.0);
  EXPECT_TRUE(std::isfinite(u.threshold));
  const double a = 0.1, b = std::nextafter(a, 1.0);
  const double m = detail::split_point(a, b);
  EXPECT_FALSE(a > m);
  EXPECT_TRUE(b > m);
  EXPECT_THROW(best_threshold({{}, {}}, ThresholdObjective::kAccuracy), std::invalid_argument);
  EXPECT_THROW(best_threshold({{std::nan("")}, {1}}, ThresholdObjective::kF1),
               std::invalid_argument);
}

TEST(BestThreshold, SameSplitUnderIncreasingMapOfScores) {
  // Probability vs logit of a cross encoder: the order decides the split, not the scale.
  for (int seed = 0; seed < 50; ++seed) {
    std::mt19937 rng(seed);
    ScoredSet p = random_set(rng, 40, 8, 0.5);
    for (double& v : p.scores) v = 0.05 + 0.9 * v / 2;  // into (0, 1)
    ScoredSet logit = p;
    for (double& v : logit.scores) v = std::log(v / (1 - v));
    for (auto o : {ThresholdObjective::kAccuracy, ThresholdObjective::kF1}) {
      const auto tp = best_threshold(p, o), tl = best_threshold(logit, o);
      EXPECT_EQ(predict_binary(p.scores, tp.threshold), predict_binary(logit.scores, tl.threshold));
    }
  }
}

TEST(EvaluateBinary, TunesOnValidAndAppliesToTest) {
  // valid: best accuracy threshold is between 0.4 and 0.6 (0.5); test alone would pick 0.75.
  const ScoredSet valid{{0.1, 0.2, 0.4, 0.6, 0.8, 0.9}, {0, 0, 0, 1, 1, 1}};
  const ScoredSet test{{0.1, 0.6, 0.7, 0.8, 0.9}, {0, 0, 0, 1, 1}};
  const Metrics m = evaluate_binary(test, valid);
  EXPECT_EQ(m.info.at("threshold_source"), "valid");
  EXPECT_DOUBLE_EQ(m.values.at("accuracy_threshold"), 0.5);
  EXPECT_DOUBLE_EQ(m.values.at("tuned_accuracy"), 1.0);
  EXPECT_DOUBLE_EQ(m.values.at("accuracy"), 3.0 / 5);  // 0.6, 0.7 are false positives
  EXPECT_EQ(m.primary, "accuracy");

  const Metrics self = evaluate_binary(test, std::nullopt);
  EXPECT_EQ(self.info.at("threshold_source"), "self");
  EXPECT_DOUBLE_EQ(self.values.at("accuracy_threshold"), 0.75);
  EXPECT_DOUBLE_EQ(self.values.at("accuracy"), 1.0);
  // Threshold-free metrics do not depend on where the threshold came from.
  EXPECT_EQ(self.values.at("ap"), m.values.at("ap"));
  EXPECT_EQ(self.values.at("roc_auc"), m.values.at("roc_auc"));
}

TEST(EvaluateBinary, F1MetricsAreAtTheF1Threshold) {
  std::mt19937 rng(3);
  const ScoredSet valid = random_set(rng, 200, 7, 0.4), test = random_set(rng, 150, 7, 0.4);
  const Metrics m = evaluate_binary(test, valid);
  const double t = best_threshold(valid, ThresholdObjective::kF1).threshold;
  EXPECT_EQ(m.values.at("f1_threshold"), t);
  const BinaryCounts c = binary_counts(test.labels, predict_binary(test.scores, t));
  EXPECT_EQ(m.values.at("f1"), f1(c));
  EXPECT_EQ(m.values.at("precision"), precision(c));
  EXPECT_EQ(m.values.at("recall"), recall(c));
  EXPECT_EQ(m.values.at("mcc"), mcc(c));
}

}  // namespace
}  // namespace sentzoo
