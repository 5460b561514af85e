#pragma once
// Evaluation metrics as pure functions on vectors (REFERENCE.md §8): Pearson/Spearman as scipy
// computes them, binary accuracy/precision/recall/F1/MCC/AP/ROC-AUC as scikit-learn 1.5 does
// (zero_division -> 0, ties handled like sklearn), K-class accuracy, and the Metrics record.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sentzoo {

/// What an evaluator returns (sentence-transformers' shape, STYLE.md §8): a metric map, the key
/// of the primary metric, and its direction. `info` holds string annotations such as
/// "threshold_source" ("valid" or "self").
struct Metrics {
  std::map<std::string, double> values;     // e.g. {"accuracy": 0.87, "accuracy_threshold": 0.8}
  std::string primary;                      // e.g. "accuracy"; must be a key of `values`
  bool greater_is_better = true;            // false for losses
  std::map<std::string, std::string> info;  // e.g. {"threshold_source": "valid"}

  /// values.at(primary), or std::out_of_range naming the missing key.
  double primary_value() const;
  /// True when `candidate` beats `incumbent` in this metric's direction (strictly).
  bool better(double candidate, double incumbent) const;
};

/// {"primary", "greater_is_better", "values", "info"}; non-finite values are written as null
/// (JSON has no NaN) and read back as NaN.
void to_json(nlohmann::json& j, const Metrics& m);
/// Strict: unknown keys, a missing "values" or a primary not in "values" throw.
void from_json(const nlohmann::json& j, Metrics& m);

// ---- correlation (scipy.stats) ----------------------------------------------------------------

/// Pearson r (scipy.stats.pearsonr); NaN when either input is constant. Sizes must match, n >= 2.
double pearson(const std::vector<double>& x, const std::vector<double>& y);
/// Spearman rho = Pearson of average ranks (scipy.stats.spearmanr); NaN for a constant input.
double spearman(const std::vector<double>& x, const std::vector<double>& y);

// ---- binary classification (labels are 0/1) ---------------------------------------------------

/// Confusion counts of binary predictions against binary labels.
struct BinaryCounts {
  int64_t tp = 0, fp = 0, tn = 0, fn = 0;
  int64_t total() const { return tp + fp + tn + fn; }
};
BinaryCounts binary_counts(const std::vector<int>& labels, const std::vector<int>& predictions);

double accuracy(const BinaryCounts& c);
double precision(const BinaryCounts& c);  // 0 when nothing is predicted positive
double recall(const BinaryCounts& c);     // 0 when there are no positives
double f1(const BinaryCounts& c);         // 2tp / (2tp + fp + fn); 0 when that is 0/0
double mcc(const BinaryCounts& c);        // 0 when a marginal is empty (sklearn)

/// Average precision (sklearn average_precision_score): sum over distinct score thresholds,
/// highest first, of (R_k - R_{k-1}) * P_k; tied scores form one step. With no positive label
/// the result is -0 -> 0 as sklearn's (recall is then defined as 1 everywhere).
double average_precision(const std::vector<int>& labels, const std::vector<double>& scores);
/// ROC-AUC (sklearn roc_auc_score): tied positive/negative pairs count 1/2. Throws
/// std::invalid_argument when only one class is present (sklearn raises too).
double roc_auc(const std::vector<int>& labels, const std::vector<double>& scores);

/// Fraction of equal entries (any number of classes).
double accuracy(const std::vector<int>& labels, const std::vector<int>& predictions);

namespace detail {
/// Ranks 1..n with ties given their average rank (scipy.stats.rankdata(method="average")).
std::vector<double> average_ranks(const std::vector<double>& x);
/// Throws std::invalid_argument unless every label is 0 or 1; `what` names the caller.
void check_binary_labels(const std::vector<int>& labels, const char* what);
}  // namespace detail

}  // namespace sentzoo
