// The two thresholds of evaluate_binary, the majority-class baseline and degenerate-threshold
// warnings (metrics/threshold_checks.h), on hand-computed cases.

#include "metrics/threshold_checks.h"

#include <gtest/gtest.h>

namespace sentzoo {
namespace {

// Scores 0.1 .. 0.8 with labels 0 1 0 1 0 0 1 1. By hand, over every split (match iff > t):
//   t = 0.65 (0.7, 0.8 matches): tp 2, fp 0, fn 2, tn 4 -> accuracy 6/8 = 0.75, the best;
//   t = 0.15 (all but 0.1):      tp 4, fp 3, fn 0       -> F1 8/11 = 0.7273, the best
//                                (precision 4/7, recall 1), where accuracy is only 5/8.
// No other split ties either optimum, so the two thresholds differ.
const ScoredSet kTwoOptima{{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8}, {0, 1, 0, 1, 0, 0, 1, 1}};

TEST(ThresholdChecks, AccuracyAndF1ComeFromTheirOwnThresholds) {
  const Metrics m = evaluate_binary(kTwoOptima, std::nullopt);
  EXPECT_NEAR(m.values.at("accuracy_threshold"), 0.65, 1e-12);
  EXPECT_NEAR(m.values.at("f1_threshold"), 0.15, 1e-12);
  EXPECT_DOUBLE_EQ(m.values.at("accuracy"), 6.0 / 8);
  EXPECT_DOUBLE_EQ(m.values.at("f1"), 8.0 / 11);
  EXPECT_DOUBLE_EQ(m.values.at("precision"), 4.0 / 7);
  EXPECT_DOUBLE_EQ(m.values.at("recall"), 1.0);
  EXPECT_DOUBLE_EQ(m.values.at("majority_accuracy"), 0.5);
  EXPECT_FALSE(m.info.count("accuracy_threshold_warning"));
  EXPECT_FALSE(m.info.count("f1_threshold_warning"));
  EXPECT_FALSE(m.info.count("baseline_warning"));
}

TEST(ThresholdChecks, MajorityBaselineIsTheBestConstantPrediction) {
  EXPECT_DOUBLE_EQ(majority_accuracy({1, 1, 0}), 2.0 / 3);
  EXPECT_DOUBLE_EQ(majority_accuracy({0, 0, 0, 1}), 0.75);
  EXPECT_DOUBLE_EQ(majority_accuracy({1}), 1.0);
  EXPECT_THROW(majority_accuracy({}), std::invalid_argument);
}

TEST(ThresholdChecks, ThresholdAboveOrBelowEveryScoreIsDegenerate) {
  const ScoredSet& s = kTwoOptima;
  EXPECT_EQ(degenerate_threshold_warning(s, 1.0, "accuracy threshold", "test"),
            "accuracy threshold 1.0000 is above every test score (max 0.8000): it predicts no "
            "pair as a match");
  EXPECT_EQ(degenerate_threshold_warning(s, 0.8, "accuracy threshold", "test"),
            "accuracy threshold 0.8000 is above every test score (max 0.8000): it predicts no "
            "pair as a match");  // strict rule: a score equal to the threshold is no match
  EXPECT_EQ(degenerate_threshold_warning(s, 0.05, "F1 threshold", "valid"),
            "F1 threshold 0.0500 is below every valid score (min 0.1000): it predicts every pair "
            "as a match");
  EXPECT_EQ(degenerate_threshold_warning(s, 0.45, "F1 threshold", "test"), "");
}

TEST(ThresholdChecks, NearlyOneSidedOnlyWhenTheLabelsAreNot) {
  // 1000 scores i/1000, 400 labelled matches; a threshold leaving 3 matches (0.3%) is flagged.
  ScoredSet s;
  for (int i = 0; i < 1000; ++i) s.scores.push_back(i / 1000.0), s.labels.push_back(i % 5 < 2);
  EXPECT_EQ(degenerate_threshold_warning(s, 0.9965, "accuracy threshold", "test"),
            "accuracy threshold 0.9965 predicts 3 of 1000 test pairs (0.30%) as matches, while "
            "40.00% are labelled matches");
  EXPECT_EQ(degenerate_threshold_warning(s, 0.0025, "accuracy threshold", "test"),
            "accuracy threshold 0.0025 predicts 3 of 1000 test pairs (0.30%) as non-matches, "
            "while 60.00% are labelled non-matches");
  // The same split is right when matches are that rare in the labels (2%).
  for (size_t i = 0; i < s.labels.size(); ++i) s.labels[i] = i >= 980;
  EXPECT_EQ(degenerate_threshold_warning(s, 0.9965, "accuracy threshold", "test"), "");
}

TEST(ThresholdChecks, EvaluateBinaryWarnsAboutAOneClassTuningSet) {
  // Valid has no match, so the accuracy optimum there is "never a match": a threshold above
  // every valid score (0.3 + 1), which is above every test score too. Test accuracy is then the
  // share of non-matches, 1/2: no better than the majority class.
  const ScoredSet valid{{0.1, 0.2, 0.3}, {0, 0, 0}};
  const ScoredSet test{{0.2, 0.9}, {0, 1}};
  const Metrics m = evaluate_binary(test, valid);
  EXPECT_DOUBLE_EQ(m.values.at("accuracy_threshold"), 1.3);
  EXPECT_EQ(m.info.at("accuracy_threshold_warning"),
            "accuracy threshold 1.3000 is above every test score (max 0.9000): it predicts no "
            "pair as a match");
  EXPECT_DOUBLE_EQ(m.values.at("majority_accuracy"), 0.5);
  EXPECT_EQ(m.info.at("baseline_warning"),
            "accuracy 0.5000 is no better than always predicting the majority class (0.5000)");
}

}  // namespace
}  // namespace sentzoo
