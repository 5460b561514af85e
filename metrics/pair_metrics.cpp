// The one evaluation of scored pairs (metrics/pair_metrics.h).
#include "metrics/pair_metrics.h"

#include <algorithm>

#include "metrics/threshold.h"

namespace sentzoo {

namespace {

std::vector<int> int_labels(const std::vector<double>& labels) {
  return std::vector<int>(labels.begin(), labels.end());
}

}  // namespace

bool binary_labels(const std::vector<double>& labels) {
  return std::all_of(labels.begin(), labels.end(), [](double y) { return y == 0.0 || y == 1.0; });
}

Metrics evaluate_scored_pairs(const ScoredPairs& test, const std::optional<ScoredPairs>& valid) {
  if (!test.classes.empty()) {
    std::optional<ScoredClasses> tuning;
    if (valid) tuning = ScoredClasses{valid->classes, int_labels(valid->labels)};
    return evaluate_classes(
        ScoredClasses{test.classes, int_labels(test.labels)}, tuning, ClassScaling::kAdditive);
  }
  Metrics metrics;
  if (binary_labels(test.labels) && (!valid || binary_labels(valid->labels))) {
    std::optional<ScoredSet> tuning;
    if (valid) tuning = ScoredSet{valid->scores, int_labels(valid->labels)};
    metrics = evaluate_binary(ScoredSet{test.scores, int_labels(test.labels)}, tuning);
  } else {
    metrics.primary = "spearman";
  }
  metrics.values["spearman"] = spearman(test.scores, test.labels);
  metrics.values["pearson"] = pearson(test.scores, test.labels);
  return metrics;
}

}  // namespace sentzoo
