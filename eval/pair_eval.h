#pragma once
// Evaluation of a PairModel on labelled pairs (sentzoo-eval): scores every pair (cosine of the
// two sentence vectors for a dual encoder, the logit for a cross encoder), then the metrics that
// apply to the labels: 0/1 labels -> threshold metrics with the valid -> test protocol
// (metrics/threshold.h) plus rank correlations; graded labels -> Spearman/Pearson; K-class cross
// encoders -> accuracy with class offsets tuned on valid. Throughput is measured, not estimated.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/progress.h"
#include "data/example.h"
#include "eval/pair_model.h"
#include "metrics/metrics.h"

namespace sentzoo {

/// One scored set.
struct PairScores {
  std::vector<double> scores;  // (N) a score per pair: higher = more similar / positive
  std::vector<int> predicted;  // (N) 0/1 or class id; empty for graded labels
  double seconds = 0;          // wall time to tokenize and score all pairs
  nlohmann::json json;         // the issue #7 record: accuracy, f1, ..., pairs, pairs_per_second
};

struct PairEvaluation {
  PairScores test;
  std::optional<PairScores> valid;
  /// {"test": {...}, "valid": {...}} plus "model": {kind, path metadata}.
  nlohmann::json json() const;
};

/// Scores pairs: dual -> cosine(u, v) (float64), cross -> logit; K-class cross -> (N, K) logits
/// in `classes` and argmax scores. Also returns the seconds spent. `progress` gets `stage` with
/// texts (dual: both sides) or pairs (cross) done.
struct RawScores {
  std::vector<double> scores;
  std::vector<std::vector<double>> classes;  // K-class cross encoders only
  double seconds = 0;
};
RawScores score_pairs(const PairModel& model,
                      const std::vector<PairExample>& pairs,
                      int64_t batch_size = 64,
                      const StageProgress& progress = {},
                      const std::string& stage = "scoring pairs");

/// Evaluates on test (thresholds / class offsets from valid when given). Throws
/// std::runtime_error when the model does not fit the labels (graded labels on a K-class cross
/// encoder, class ids out of range, fewer than 2 pairs). Progress stages: "dual encoder:
/// encoding test texts" (both sides) or "cross encoder: scoring test pairs", then valid.
PairEvaluation evaluate_pairs(const PairModel& model,
                              const std::vector<PairExample>& test,
                              const std::optional<std::vector<PairExample>>& valid,
                              int64_t batch_size = 64,
                              const StageProgress& progress = {});

/// One line for stderr: "test: accuracy 0.8123 f1 ... majority 0.5012 (accuracy threshold
/// 0.7312, F1 threshold 0.6100, from valid), 8 pairs, 1234.5 pairs/s".
std::string summary_line(const PairEvaluation& e);

/// The warnings of one set's JSON (keys ending in "_warning": degenerate thresholds, accuracy
/// not above the majority baseline), for the mains' log and the compare report.
std::vector<std::string> evaluation_warnings(const nlohmann::json& set);

/// TSV rows text1, text2, label, score, predicted (tabs/newlines in texts become spaces).
void write_predictions(const std::string& path,
                       const std::vector<PairExample>& pairs,
                       const PairScores& scores);

namespace detail {
/// The issue #7 JSON keys from a Metrics record ("roc_auc" -> "auc", "accuracy_threshold" also
/// as "threshold", threshold_source "self" -> `self_name`); non-finite values are left out.
nlohmann::json metrics_json(const Metrics& m, const std::string& self_name);
}  // namespace detail

}  // namespace sentzoo
