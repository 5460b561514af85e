// Evaluation metrics (REFERENCE.md §8). Float64 throughout; formulas follow scipy 1.13 and
// scikit-learn 1.5 so the golden fixture (tools/reference/gen_eval_fixtures.py) matches to 1e-9.
#include "metrics/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace sentzoo {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_sizes(size_t a, size_t b, const char* what) {
  if (a != b) throw std::invalid_argument(fmt::format("{}: size mismatch ({} vs {})", what, a, b));
}

void check_finite(const std::vector<double>& x, const char* what) {
  for (size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i]))
      throw std::invalid_argument(
          fmt::format("{}: non-finite score {} at index {}", what, x[i], i));
}

double ratio(double num, double den) { return den == 0 ? 0.0 : num / den; }

// Indices sorted by score, descending; stable so the result does not depend on the sort.
std::vector<size_t> order_descending(const std::vector<double>& scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(
      order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  return order;
}

}  // namespace

// ---- Metrics record ---------------------------------------------------------------------------

double Metrics::primary_value() const {
  const auto it = values.find(primary);
  if (it == values.end())
    throw std::out_of_range(fmt::format("Metrics: primary metric '{}' is not in values", primary));
  return it->second;
}

bool Metrics::better(double candidate, double incumbent) const {
  if (std::isnan(candidate)) return false;
  if (std::isnan(incumbent)) return true;
  return greater_is_better ? candidate > incumbent : candidate < incumbent;
}

void to_json(nlohmann::json& j, const Metrics& m) {
  nlohmann::json values = nlohmann::json::object();
  for (const auto& [key, value] : m.values)
    values[key] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
  j = nlohmann::json{{"primary", m.primary},
                     {"greater_is_better", m.greater_is_better},
                     {"values", values},
                     {"info", m.info}};
}

void from_json(const nlohmann::json& j, Metrics& m) {
  if (!j.is_object()) throw std::invalid_argument("Metrics: expected a JSON object");
  for (const auto& item : j.items())
    if (item.key() != "primary" && item.key() != "greater_is_better" && item.key() != "values" &&
        item.key() != "info")
      throw std::invalid_argument(fmt::format("Metrics: unknown key '{}'", item.key()));
  if (!j.contains("values")) throw std::invalid_argument("Metrics: missing key 'values'");
  Metrics out;
  for (const auto& item : j.at("values").items())
    out.values[item.key()] = item.value().is_null() ? kNaN : item.value().get<double>();
  out.primary = j.value("primary", std::string());
  out.greater_is_better = j.value("greater_is_better", true);
  if (j.contains("info")) out.info = j.at("info").get<std::map<std::string, std::string>>();
  if (!out.primary.empty()) out.primary_value();  // throws when the primary is missing
  m = std::move(out);
}

// ---- correlation ------------------------------------------------------------------------------

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  check_sizes(x.size(), y.size(), "pearson");
  if (x.size() < 2) throw std::invalid_argument("pearson: needs at least 2 points");
  check_finite(x, "pearson");
  check_finite(y, "pearson");
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  // Two-pass centred sums, as scipy: r = <x - mx, y - my> / (|x - mx| |y - my|), clipped.
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  // scipy returns NaN (with a ConstantInputWarning) when an input is constant; test equality,
  // not sxx == 0: the mean of n equal values can differ from them by rounding (0.1 x 3).
  const auto constant = [](const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [&](double e) { return e == v.front(); });
  };
  if (constant(x) || constant(y)) return kNaN;
  const double r = sxy / (std::sqrt(sxx) * std::sqrt(syy));
  return std::clamp(r, -1.0, 1.0);
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  check_sizes(x.size(), y.size(), "spearman");
  check_finite(x, "spearman");
  check_finite(y, "spearman");
  return pearson(detail::average_ranks(x), detail::average_ranks(y));
}

std::vector<double> detail::average_ranks(const std::vector<double>& x) {
  std::vector<size_t> order(x.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
  std::vector<double> ranks(x.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
    // Positions i..j (0-based) share ranks i+1..j+1; their average is (i + j) / 2 + 1.
    const double rank = 0.5 * static_cast<double>(i + j) + 1.0;
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

// ---- binary classification --------------------------------------------------------------------

void detail::check_binary_labels(const std::vector<int>& labels, const char* what) {
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] != 0 && labels[i] != 1)
      throw std::invalid_argument(
          fmt::format("{}: expected a 0/1 label, found {} at index {}", what, labels[i], i));
}

BinaryCounts binary_counts(const std::vector<int>& labels, const std::vector<int>& predictions) {
  check_sizes(labels.size(), predictions.size(), "binary_counts");
  detail::check_binary_labels(labels, "binary_counts (labels)");
  detail::check_binary_labels(predictions, "binary_counts (predictions)");
  BinaryCounts c;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (predictions[i] == 1)
      ++(labels[i] == 1 ? c.tp : c.fp);
    else
      ++(labels[i] == 1 ? c.fn : c.tn);
  }
  return c;
}

double accuracy(const BinaryCounts& c) {
  return ratio(static_cast<double>(c.tp + c.tn), static_cast<double>(c.total()));
}
double precision(const BinaryCounts& c) {
  return ratio(static_cast<double>(c.tp), static_cast<double>(c.tp + c.fp));
}
double recall(const BinaryCounts& c) {
  return ratio(static_cast<double>(c.tp), static_cast<double>(c.tp + c.fn));
}
double f1(const BinaryCounts& c) {
  return ratio(2.0 * static_cast<double>(c.tp), static_cast<double>(2 * c.tp + c.fp + c.fn));
}

double mcc(const BinaryCounts& c) {
  // sklearn matthews_corrcoef: cov(y, p) / sqrt(cov(y, y) cov(p, p)); 0 when a factor is 0.
  const double tp = static_cast<double>(c.tp), fp = static_cast<double>(c.fp);
  const double tn = static_cast<double>(c.tn), fn = static_cast<double>(c.fn);
  const double den = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn);
  if (den == 0) return 0.0;
  return (tp * tn - fp * fn) / std::sqrt(den);
}

double average_precision(const std::vector<int>& labels, const std::vector<double>& scores) {
  check_sizes(labels.size(), scores.size(), "average_precision");
  detail::check_binary_labels(labels, "average_precision");
  check_finite(scores, "average_precision");
  const int64_t positives = std::count(labels.begin(), labels.end(), 1);
  if (positives == 0) return 0.0;  // sklearn: recall := 1 everywhere, so every step is 0
  const auto order = order_descending(scores);
  // Walk thresholds from the highest score down; a block of tied scores is one threshold.
  double ap = 0, prev_recall = 0;
  int64_t tp = 0, seen = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) {
      tp += labels[order[j]];
      ++seen;
      ++j;
    }
    const double r = static_cast<double>(tp) / static_cast<double>(positives);
    const double p = static_cast<double>(tp) / static_cast<double>(seen);
    ap += (r - prev_recall) * p;
    prev_recall = r;
    i = j;
  }
  return ap;
}

double roc_auc(const std::vector<int>& labels, const std::vector<double>& scores) {
  check_sizes(labels.size(), scores.size(), "roc_auc");
  detail::check_binary_labels(labels, "roc_auc");
  check_finite(scores, "roc_auc");
  const int64_t positives = std::count(labels.begin(), labels.end(), 1);
  const int64_t negatives = static_cast<int64_t>(labels.size()) - positives;
  if (positives == 0 || negatives == 0)
    throw std::invalid_argument(
        "roc_auc: only one class present in labels; ROC AUC is not defined");
  // Mann-Whitney U with average ranks = the trapezoid area under the ROC curve (ties -> 1/2).
  const auto ranks = detail::average_ranks(scores);
  double rank_sum = 0;
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] == 1) rank_sum += ranks[i];
  const double p = static_cast<double>(positives), n = static_cast<double>(negatives);
  return (rank_sum - p * (p + 1) / 2) / (p * n);
}

double accuracy(const std::vector<int>& labels, const std::vector<int>& predictions) {
  check_sizes(labels.size(), predictions.size(), "accuracy");
  if (labels.empty()) throw std::invalid_argument("accuracy: empty input");
  int64_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) correct += labels[i] == predictions[i];
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

}  // namespace sentzoo
