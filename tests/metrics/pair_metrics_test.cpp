// The one pair evaluation (metrics/pair_metrics.h) on hand-computed cases: which metrics apply
// to which labels, and that a valid set, when given, is what tunes the threshold.
#include "metrics/pair_metrics.h"

#include <gtest/gtest.h>

namespace sentzoo {
namespace {

TEST(PairMetrics, GradedLabelsGiveRankCorrelations) {
  // Ranks of the labels (1, 3, 2, 4) against scores 1..4: d = (0, 1, 1, 0), rho = 1 - 6*2/60.
  const Metrics m = evaluate_scored_pairs({{1, 2, 3, 4}, {}, {0.5, 3.5, 2.0, 5.0}}, std::nullopt);
  EXPECT_EQ(m.primary, "spearman");
  EXPECT_NEAR(m.values.at("spearman"), 0.8, 1e-12);
  EXPECT_TRUE(m.values.count("pearson"));
  EXPECT_FALSE(m.values.count("accuracy"));
}

TEST(PairMetrics, BinaryLabelsTuneTheThresholdOnTheSetItselfWithoutValid) {
  // Sorted: 0.01(0) 0.05(0) 0.95(0) 0.96(1): a threshold in (0.95, 0.96) is right on all four.
  const ScoredPairs test{{0.05, 0.95, 0.96, 0.01}, {}, {0, 0, 1, 0}};
  const Metrics m = evaluate_scored_pairs(test, std::nullopt);
  EXPECT_EQ(m.primary, "accuracy");
  EXPECT_DOUBLE_EQ(m.values.at("accuracy"), 1.0);
  EXPECT_EQ(m.info.at("threshold_source"), "self");
  EXPECT_TRUE(m.values.count("spearman"));
}

TEST(PairMetrics, ValidTunesTheThresholdAppliedToTest) {
  // Any threshold valid can choose lies in (0.1, 0.9): on test it predicts (0, 1, 1, 0), 3/4
  // right, where tuning on test itself would reach 4/4.
  const ScoredPairs test{{0.05, 0.95, 0.96, 0.01}, {}, {0, 0, 1, 0}};
  const ScoredPairs valid{{0.1, 0.9}, {}, {0, 1}};
  const Metrics m = evaluate_scored_pairs(test, valid);
  EXPECT_DOUBLE_EQ(m.values.at("accuracy"), 0.75);
  EXPECT_EQ(m.info.at("threshold_source"), "valid");
}

TEST(PairMetrics, GradedValidKeepsTheRankCorrelationsOnly) {
  const ScoredPairs test{{0.05, 0.95, 0.96, 0.01}, {}, {0, 0, 1, 0}};
  const ScoredPairs valid{{0.1, 0.9, 0.5}, {}, {0, 5, 2.5}};
  const Metrics m = evaluate_scored_pairs(test, valid);
  EXPECT_EQ(m.primary, "spearman");
  EXPECT_FALSE(m.values.count("accuracy"));
}

TEST(PairMetrics, ClassLogitsGiveClassAccuracy) {
  // Argmax is right on 2 of 3; an offset of class 2 over class 1 in (0.1, 0.5) fixes the third.
  const ScoredPairs test{{}, {{2.0, 0.0, 0.0}, {0.0, 1.0, 0.5}, {0.0, 1.0, 0.9}}, {0, 1, 2}};
  const Metrics m = evaluate_scored_pairs(test, std::nullopt);
  EXPECT_EQ(m.primary, "accuracy");
  EXPECT_DOUBLE_EQ(m.values.at("accuracy_argmax"), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.values.at("accuracy"), 1.0);
  EXPECT_FALSE(m.values.count("spearman"));
}

}  // namespace
}  // namespace sentzoo
