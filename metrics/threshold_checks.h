#pragma once
// Is a tuned threshold telling us anything? (issue #15) A threshold above every score predicts
// "never a match", one below every score "always a match": both reach the accuracy of the
// majority class and nothing more, yet look like any other number in a table (PAWS-X reported
// 1.0000 for a cosine). These checks turn such cases into warnings and give the majority-class
// baseline that every accuracy should be read against.

#include <cstdint>
#include <string>
#include <vector>

#include "metrics/threshold.h"

namespace sentzoo {

/// How a threshold splits one scored set (predict 1 iff score > threshold).
struct ThresholdSplit {
  int64_t total = 0;
  int64_t predicted_positive = 0;  // scores above the threshold
  int64_t labelled_positive = 0;
  double min_score = 0, max_score = 0;
};
ThresholdSplit threshold_split(const ScoredSet& set, double threshold);

/// Accuracy of always predicting the set's majority class: max(#1, #0) / n, the best constant
/// prediction (0.5 for a balanced set). Throws std::invalid_argument for an empty set.
double majority_accuracy(const std::vector<int>& labels);

/// Empty when `threshold` splits `set` usefully, else one sentence naming `what` (e.g.
/// "accuracy threshold") and `set_name` (e.g. "test"):
///   above every score -> "... is above every test score (max 0.9312): it predicts no pair as a
///                         match"
///   below every score -> "... is below every test score (min 0.1040): it predicts every pair as
///                         a match"
///   nearly so         -> fewer than 1% of the pairs on one side while at least 5% carry that
///                         label: "... predicts 3 of 2000 test pairs (0.15%) as matches, while
///                         44.20% are labelled matches"
std::string degenerate_threshold_warning(const ScoredSet& set,
                                         double threshold,
                                         const std::string& what,
                                         const std::string& set_name);

}  // namespace sentzoo
