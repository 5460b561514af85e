#pragma once
// Automatic threshold (REFERENCE.md §9, CoSENT(二) = kexue.fm/archives/8860): tuned on valid by
// an exact sort-and-sweep (§9.2), then applied unchanged to test. Works on any score where
// higher means "more positive": cosine (dual encoder), probability or logit (cross encoder).
//
// Rule: predict 1 iff score > threshold (strict, as the published `y_pred > tanh(t)`).
// Candidates: one split between every pair of adjacent *distinct* valid scores, placed at their
// midpoint (so tied scores are never split and the threshold never equals a valid score, unlike
// sentence-transformers #384), plus the two extremes min - max(1, |min|) (all positive) and
// max + max(1, |max|) (all negative), kept finite so thresholds survive JSON. Tie-break among
// equally good splits: the median split (lower median) in score order. Because it only uses the
// order of the scores, the chosen split is the same under any increasing map of the scores
// (probability vs logit, cosine vs tanh), which the widest-gap rule is not; and it sits in the
// middle of a plateau, where a derivative-free search (the published Powell) would also settle.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "metrics/metrics.h"

namespace sentzoo {

enum class ThresholdObjective { kAccuracy, kF1 };
/// "accuracy" | "f1"; an unknown name throws, listing the valid ones.
ThresholdObjective parse_threshold_objective(const std::string& name);
std::string to_string(ThresholdObjective objective);

/// Scores and 0/1 labels of one evaluation set.
struct ScoredSet {
  std::vector<double> scores;  // e.g. cosine(a, b) or p(positive); higher = more positive
  std::vector<int> labels;     // 0 or 1
};

/// The best threshold on a set and what it achieves there.
struct BinaryThreshold {
  double threshold = 0;        // predict 1 iff score > threshold
  double value = 0;            // objective (accuracy or F1) on the tuning set at this threshold
  int64_t optimal_splits = 0;  // how many candidate splits reach `value` (ties broken by median)
};

/// {"threshold", "value", "optimal_splits"}, to store a tuned threshold with a checkpoint (§9.1);
/// from_json is strict (unknown keys throw).
void to_json(nlohmann::json& j, const BinaryThreshold& t);
void from_json(const nlohmann::json& j, BinaryThreshold& t);

/// Exact global optimum of `objective` over all candidate thresholds: O(n log n).
BinaryThreshold best_threshold(const ScoredSet& set, ThresholdObjective objective);

/// 1 where score > threshold, else 0.
std::vector<int> predict_binary(const std::vector<double>& scores, double threshold);

/// The §9 protocol for binary pairs: accuracy and F1 thresholds are tuned on `valid` when given
/// (info "threshold_source" = "valid"), else on `test` itself ("self", sentence-transformers'
/// behaviour, #755). Reports on `test`: accuracy, accuracy_threshold, f1, f1_threshold,
/// precision, recall and mcc (at the F1 threshold, as sentence-transformers), ap, roc_auc (NaN
/// when test has one class), tuned_accuracy / tuned_f1 (the optimum on the tuning set) and
/// majority_accuracy (always predicting test's majority class). Info "accuracy_threshold_warning"
/// / "f1_threshold_warning" when a threshold is degenerate on test or valid, "baseline_warning"
/// when accuracy does not beat majority_accuracy (metrics/threshold_checks.h). Primary: accuracy.
Metrics evaluate_binary(const ScoredSet& test, const std::optional<ScoredSet>& valid);

// ---- K classes (§9.2): argmax of scores shifted per class --------------------------------------

enum class ClassScaling {
  kAdditive,        // argmax_k(z_nk + b_k), for logits
  kMultiplicative,  // argmax_k(p_nk * w_k), w_k = exp(b_k), for probabilities (p >= 0)
};

/// Per-class offsets in log space; predictions use the same arithmetic on valid and test.
struct ClassWeights {
  ClassScaling scaling = ClassScaling::kAdditive;
  std::vector<double> offsets;  // b_k; for kMultiplicative the weight is exp(b_k)
  double value = 0;             // accuracy on the tuning set
  int rounds = 0;               // full passes over the classes until none improved
  /// exp(offsets): multiplicative weights (meaningful for kMultiplicative).
  std::vector<double> weights() const;
};

/// {"scaling": "additive"|"multiplicative", "offsets", "value", "rounds"}; strict like above.
void to_json(nlohmann::json& j, const ClassWeights& w);
void from_json(const nlohmann::json& j, ClassWeights& w);

/// Coordinate-wise exact line search maximizing accuracy (§9.2): for class k with the others
/// fixed, sample n switches to k at b_k = max_{j!=k}(s_nj + b_j) - s_nk; sweep those breakpoints
/// and move b_k to the midpoint of the best interval (median of the optimal ones) only when the
/// true accuracy strictly improves. Starts from b = 0 (plain argmax), stops after a pass with no
/// improvement or `max_rounds`: a coordinate-wise optimum, not necessarily the global one for
/// K > 2 (exact for K = 2). Breakpoints equal up to a few ulps can make the sweep and the
/// prediction arithmetic disagree; the next 7 intervals by count are then tried before giving up.
/// `scores` is N rows of K; ties in argmax go to the lowest class index.
ClassWeights tune_class_weights(const std::vector<std::vector<double>>& scores,
                                const std::vector<int>& labels,
                                ClassScaling scaling,
                                int max_rounds = 100);

/// argmax_k of the shifted scores (lowest index on ties).
std::vector<int> predict_classes(const std::vector<std::vector<double>>& scores,
                                 const ClassWeights& weights);

/// Labels + N×K scores of one K-class evaluation set.
struct ScoredClasses {
  std::vector<std::vector<double>> scores;
  std::vector<int> labels;  // 0..K-1
};

/// The §9 protocol for K classes: weights tuned on valid when given ("threshold_source" =
/// "valid"), else on test ("self"). Values: accuracy (tuned weights), accuracy_argmax (plain
/// argmax), tuned_accuracy (on the tuning set), class_weight_<k> (b_k, or w_k when
/// multiplicative). Primary: accuracy.
Metrics evaluate_classes(const ScoredClasses& test,
                         const std::optional<ScoredClasses>& valid,
                         ClassScaling scaling);

namespace detail {
/// The midpoint of a < b, or a when rounding would reach b: a <= result < b, so `x > result`
/// separates a from b exactly.
double split_point(double a, double b);
}  // namespace detail

}  // namespace sentzoo
