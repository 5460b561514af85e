// Degenerate thresholds and the majority-class baseline (metrics/threshold_checks.h).
#include "metrics/threshold_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace sentzoo {

ThresholdSplit threshold_split(const ScoredSet& set, double threshold) {
  ThresholdSplit s;
  s.total = static_cast<int64_t>(set.scores.size());
  if (s.total == 0) return s;
  s.min_score = *std::min_element(set.scores.begin(), set.scores.end());
  s.max_score = *std::max_element(set.scores.begin(), set.scores.end());
  for (double v : set.scores) s.predicted_positive += v > threshold;
  for (int y : set.labels) s.labelled_positive += y == 1;
  return s;
}

double majority_accuracy(const std::vector<int>& labels) {
  if (labels.empty()) throw std::invalid_argument("majority_accuracy: empty set");
  const auto pos = std::count(labels.begin(), labels.end(), 1);
  const auto n = static_cast<int64_t>(labels.size());
  return static_cast<double>(std::max<int64_t>(pos, n - pos)) / static_cast<double>(n);
}

std::string degenerate_threshold_warning(const ScoredSet& set,
                                         double threshold,
                                         const std::string& what,
                                         const std::string& set_name) {
  const ThresholdSplit s = threshold_split(set, threshold);
  if (s.total == 0) return {};
  const auto head = fmt::format("{} {:.4f}", what, threshold);
  if (s.predicted_positive == 0)
    return fmt::format("{} is above every {} score (max {:.4f}): it predicts no pair as a match",
                       head,
                       set_name,
                       s.max_score);
  if (s.predicted_positive == s.total)
    return fmt::format("{} is below every {} score (min {:.4f}): it predicts every pair as a match",
                       head,
                       set_name,
                       s.min_score);
  const double n = static_cast<double>(s.total);
  const double predicted = static_cast<double>(s.predicted_positive) / n;
  const double labelled = static_cast<double>(s.labelled_positive) / n;
  // Nearly one-sided: the rarer prediction under 1% while its label is common (>= 5%).
  const bool few_matches = predicted < 0.01 && labelled >= 0.05;
  const bool few_non_matches = 1 - predicted < 0.01 && 1 - labelled >= 0.05;
  if (!few_matches && !few_non_matches) return {};
  const bool pos = few_matches;
  return fmt::format("{} predicts {} of {} {} pairs ({:.2f}%) as {}, while {:.2f}% are labelled {}",
                     head,
                     pos ? s.predicted_positive : s.total - s.predicted_positive,
                     s.total,
                     set_name,
                     100 * (pos ? predicted : 1 - predicted),
                     pos ? "matches" : "non-matches",
                     100 * (pos ? labelled : 1 - labelled),
                     pos ? "matches" : "non-matches");
}

}  // namespace sentzoo
