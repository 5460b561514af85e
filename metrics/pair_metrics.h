#pragma once
// The one evaluation of scored pairs, shared by the trainer's dev evaluation
// (train/objectives/) and sentzoo-eval (eval/pair_eval.h): the metrics that apply to the labels.
//   K-class scores  -> accuracy with per-class offsets tuned on valid (on test itself without)
//   0/1 labels      -> threshold metrics, threshold tuned on valid (on test itself without)
//                      (metrics/threshold.h), plus Spearman and Pearson of the raw scores
//   graded labels   -> Spearman (primary) and Pearson

#include <optional>
#include <vector>

#include "metrics/metrics.h"

namespace sentzoo {

/// One labelled set, scored by a model.
struct ScoredPairs {
  std::vector<double> scores;                // (N) cosine or logit: higher = more similar
  std::vector<std::vector<double>> classes;  // (N, K) logits of a K-class model, else empty
  std::vector<double> labels;                // (N) 0/1, graded, or class ids 0..K-1
};

/// True when every label is 0 or 1.
bool binary_labels(const std::vector<double>& labels);

/// Metrics of `test`, tuned on `valid` when given (both scored by the same model). Binary
/// metrics apply only when test and valid labels are all 0/1.
Metrics evaluate_scored_pairs(const ScoredPairs& test, const std::optional<ScoredPairs>& valid);

}  // namespace sentzoo
