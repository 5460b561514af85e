// Automatic threshold: exact sort-and-sweep (binary) and coordinate-wise exact line search
// (K classes), REFERENCE.md §9.2. Objectives are compared as exact integer fractions, so
// "equally good" is decided without rounding.
#include "metrics/threshold.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "metrics/threshold_checks.h"

namespace sentzoo {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// A threshold below / above every score: one unit (or |score|, when larger) beyond it, so that
// it stays finite and is never absorbed by rounding.
double below(double lowest) { return lowest - std::max(1.0, std::abs(lowest)); }
double above(double highest) { return highest + std::max(1.0, std::abs(highest)); }

// Objective value as an exact fraction num/den (den > 0).
struct Fraction {
  int64_t num = 0, den = 1;
  double value() const { return static_cast<double>(num) / static_cast<double>(den); }
};
int compare(const Fraction& a, const Fraction& b) {
  // Numerators and denominators are at most 2n, so the products fit easily in int64.
  const int64_t l = a.num * b.den, r = b.num * a.den;
  return (l > r) - (l < r);
}

Fraction objective_at(int64_t tp, int64_t fp, int64_t tn, int64_t fn, ThresholdObjective o) {
  if (o == ThresholdObjective::kAccuracy) return {tp + tn, tp + fp + tn + fn};
  const int64_t den = 2 * tp + fp + fn;  // F1 = 2tp / (2tp + fp + fn), 0 when 0/0 (sklearn)
  return den == 0 ? Fraction{0, 1} : Fraction{2 * tp, den};
}

// Distinct sorted values with, per value, the count of labels equal to 1 and to 0.
struct Levels {
  std::vector<double> value;
  std::vector<int64_t> pos, neg;
};
Levels levels_of(const std::vector<double>& scores, const std::vector<int>& labels) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  Levels l;
  for (size_t i : order) {
    if (l.value.empty() || scores[i] != l.value.back()) {
      l.value.push_back(scores[i]);
      l.pos.push_back(0);
      l.neg.push_back(0);
    }
    ++(labels[i] == 1 ? l.pos.back() : l.neg.back());
  }
  return l;
}

// Threshold for split s of sorted distinct values v: 0 = below all, v.size() = above all.
double threshold_of_split(const std::vector<double>& v, size_t s) {
  if (s == 0) return below(v.front());
  if (s == v.size()) return above(v.back());
  return detail::split_point(v[s - 1], v[s]);
}

void check_scored(const std::vector<double>& scores,
                  const std::vector<int>& labels,
                  const char* what) {
  if (scores.size() != labels.size())
    throw std::invalid_argument(
        fmt::format("{}: {} scores but {} labels", what, scores.size(), labels.size()));
  if (scores.empty()) throw std::invalid_argument(fmt::format("{}: empty set", what));
  for (size_t i = 0; i < scores.size(); ++i)
    if (!std::isfinite(scores[i]))
      throw std::invalid_argument(
          fmt::format("{}: non-finite score {} at index {}", what, scores[i], i));
  detail::check_binary_labels(labels, what);
}

void check_keys(const nlohmann::json& j,
                std::initializer_list<const char*> keys,
                const char* what) {
  if (!j.is_object()) throw std::invalid_argument(fmt::format("{}: expected a JSON object", what));
  for (const auto& item : j.items())
    if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return item.key() == k; }))
      throw std::invalid_argument(fmt::format("{}: unknown key '{}'", what, item.key()));
  for (const char* k : keys)
    if (!j.contains(k)) throw std::invalid_argument(fmt::format("{}: missing key '{}'", what, k));
}

}  // namespace

void to_json(nlohmann::json& j, const BinaryThreshold& t) {
  j = {{"threshold", t.threshold}, {"value", t.value}, {"optimal_splits", t.optimal_splits}};
}

void from_json(const nlohmann::json& j, BinaryThreshold& t) {
  check_keys(j, {"threshold", "value", "optimal_splits"}, "BinaryThreshold");
  t = {j.at("threshold").get<double>(),
       j.at("value").get<double>(),
       j.at("optimal_splits").get<int64_t>()};
}

void to_json(nlohmann::json& j, const ClassWeights& w) {
  j = {{"scaling", w.scaling == ClassScaling::kAdditive ? "additive" : "multiplicative"},
       {"offsets", w.offsets},
       {"value", w.value},
       {"rounds", w.rounds}};
}

void from_json(const nlohmann::json& j, ClassWeights& w) {
  check_keys(j, {"scaling", "offsets", "value", "rounds"}, "ClassWeights");
  const auto scaling = j.at("scaling").get<std::string>();
  if (scaling != "additive" && scaling != "multiplicative")
    throw std::invalid_argument(fmt::format(
        "ClassWeights: unknown scaling '{}' (expected one of: additive, multiplicative)", scaling));
  w.scaling = scaling == "additive" ? ClassScaling::kAdditive : ClassScaling::kMultiplicative;
  w.offsets = j.at("offsets").get<std::vector<double>>();
  w.value = j.at("value").get<double>();
  w.rounds = j.at("rounds").get<int>();
}

double detail::split_point(double a, double b) {
  const double m = a + (b - a) / 2;
  // Adjacent doubles (m rounds to b) or b - a overflowing: `score > a` still splits a from b.
  return m < b ? m : a;
}

ThresholdObjective parse_threshold_objective(const std::string& name) {
  if (name == "accuracy") return ThresholdObjective::kAccuracy;
  if (name == "f1") return ThresholdObjective::kF1;
  throw std::invalid_argument(
      fmt::format("unknown threshold objective '{}' (expected one of: accuracy, f1)", name));
}

std::string to_string(ThresholdObjective objective) {
  return objective == ThresholdObjective::kAccuracy ? "accuracy" : "f1";
}

// ---- binary -----------------------------------------------------------------------------------

BinaryThreshold best_threshold(const ScoredSet& set, ThresholdObjective objective) {
  check_scored(set.scores, set.labels, "best_threshold");
  const Levels l = levels_of(set.scores, set.labels);
  const size_t m = l.value.size();
  int64_t tp = std::accumulate(l.pos.begin(), l.pos.end(), int64_t{0});
  int64_t fp = std::accumulate(l.neg.begin(), l.neg.end(), int64_t{0});
  int64_t tn = 0, fn = 0;
  // Split s predicts levels s..m-1 (0-based) positive. Sweep s upward: level s-1 turns negative.
  std::vector<size_t> optimal;
  Fraction best{-1, 1};
  for (size_t s = 0; s <= m; ++s) {
    if (s > 0) {
      tp -= l.pos[s - 1], fn += l.pos[s - 1];
      fp -= l.neg[s - 1], tn += l.neg[s - 1];
    }
    const Fraction f = objective_at(tp, fp, tn, fn, objective);
    const int c = compare(f, best);
    if (c > 0) best = f, optimal.clear();
    if (c >= 0) optimal.push_back(s);
  }
  const size_t chosen = optimal[(optimal.size() - 1) / 2];  // lower median of the optimal splits
  return {threshold_of_split(l.value, chosen), best.value(), static_cast<int64_t>(optimal.size())};
}

std::vector<int> predict_binary(const std::vector<double>& scores, double threshold) {
  std::vector<int> out(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) out[i] = scores[i] > threshold ? 1 : 0;
  return out;
}

Metrics evaluate_binary(const ScoredSet& test, const std::optional<ScoredSet>& valid) {
  check_scored(test.scores, test.labels, "evaluate_binary (test)");
  const ScoredSet& tune = valid ? *valid : test;
  const BinaryThreshold acc = best_threshold(tune, ThresholdObjective::kAccuracy);
  const BinaryThreshold f1t = best_threshold(tune, ThresholdObjective::kF1);

  const BinaryCounts at_acc =
      binary_counts(test.labels, predict_binary(test.scores, acc.threshold));
  const BinaryCounts at_f1 = binary_counts(test.labels, predict_binary(test.scores, f1t.threshold));
  const int64_t positives = std::count(test.labels.begin(), test.labels.end(), 1);
  const bool both = positives > 0 && positives < static_cast<int64_t>(test.labels.size());

  Metrics m;
  m.values = {{"accuracy", accuracy(at_acc)},
              {"accuracy_threshold", acc.threshold},
              {"f1", f1(at_f1)},
              {"f1_threshold", f1t.threshold},
              {"precision", precision(at_f1)},
              {"recall", recall(at_f1)},
              {"mcc", mcc(at_f1)},
              {"ap", average_precision(test.labels, test.scores)},
              {"roc_auc",
               both ? roc_auc(test.labels, test.scores) : std::numeric_limits<double>::quiet_NaN()},
              {"tuned_accuracy", acc.value},
              {"tuned_f1", f1t.value},
              {"majority_accuracy", majority_accuracy(test.labels)}};
  m.primary = "accuracy";
  m.info["threshold_source"] = valid ? "valid" : "self";
  m.info["threshold_rule"] = "predict 1 iff score > threshold";
  // Warnings (issue #15): a threshold that puts (nearly) every pair on one side, on the set it
  // is applied to or the one it was tuned on, and an accuracy no better than a constant.
  for (const auto& [key, t] :
       {std::pair{"accuracy_threshold", acc.threshold}, std::pair{"f1_threshold", f1t.threshold}}) {
    const std::string what =
        key == std::string("f1_threshold") ? "F1 threshold" : "accuracy threshold";
    std::string warning = degenerate_threshold_warning(test, t, what, "test");
    if (warning.empty() && valid) warning = degenerate_threshold_warning(*valid, t, what, "valid");
    if (!warning.empty()) m.info[std::string(key) + "_warning"] = warning;
  }
  if (m.values["accuracy"] <= m.values["majority_accuracy"])
    m.info["baseline_warning"] = fmt::format(
        "accuracy {:.4f} is no better than always predicting the majority class ({:.4f})",
        m.values["accuracy"],
        m.values["majority_accuracy"]);
  return m;
}

// ---- K classes --------------------------------------------------------------------------------

std::vector<double> ClassWeights::weights() const {
  std::vector<double> w(offsets.size());
  for (size_t k = 0; k < w.size(); ++k) w[k] = std::exp(offsets[k]);
  return w;
}

namespace {

// Scores in the space where the offsets add: logits as given, probabilities as log p.
std::vector<std::vector<double>> to_log_space(const std::vector<std::vector<double>>& scores,
                                              ClassScaling scaling) {
  if (scores.empty()) throw std::invalid_argument("class scores: empty set");
  const size_t K = scores.front().size();
  if (K == 0) throw std::invalid_argument("class scores: rows have no classes");
  std::vector<std::vector<double>> out = scores;
  for (size_t n = 0; n < out.size(); ++n) {
    if (out[n].size() != K)
      throw std::invalid_argument(
          fmt::format("class scores: row {} has {} classes, expected {}", n, out[n].size(), K));
    for (double& s : out[n]) {
      const bool ok =
          scaling == ClassScaling::kAdditive ? std::isfinite(s) : (std::isfinite(s) && s >= 0);
      if (!ok)
        throw std::invalid_argument(fmt::format(
            "class scores: row {} has {} (expected {})",
            n,
            s,
            scaling == ClassScaling::kAdditive ? "finite logits" : "probabilities >= 0"));
      if (scaling == ClassScaling::kMultiplicative) s = std::log(s);  // 0 -> -inf: never wins
    }
  }
  return out;
}

std::vector<int> argmax_shifted(const std::vector<std::vector<double>>& s,
                                const std::vector<double>& b) {
  std::vector<int> out(s.size());
  for (size_t n = 0; n < s.size(); ++n) {
    size_t best = 0;
    for (size_t k = 1; k < b.size(); ++k)
      if (s[n][k] + b[k] > s[n][best] + b[best]) best = k;  // strict: lowest index on ties
    out[n] = static_cast<int>(best);
  }
  return out;
}

int64_t count_correct(const std::vector<int>& labels, const std::vector<int>& predictions) {
  int64_t c = 0;
  for (size_t i = 0; i < labels.size(); ++i) c += labels[i] == predictions[i];
  return c;
}

// Candidate values of b_k with the other offsets fixed (the sweep of §9.2), best first: the
// median of the optimal intervals, then the other intervals by decreasing count. Several are
// returned because near-equal breakpoints can make the sweep's count (b_k > c_n) and the
// prediction arithmetic (s_nk + b_k > M_n) disagree by rounding; the caller keeps the first that
// truly improves. Empty when no sample's prediction depends on b_k.
std::vector<double> line_search(const std::vector<std::vector<double>>& s,
                                const std::vector<int>& labels,
                                const std::vector<double>& b,
                                size_t k,
                                size_t max_candidates) {
  // Per sample: breakpoint c_n = max_{j!=k}(s_nj + b_j) - s_nk; class k wins iff b_k > c_n.
  // A sample counts when k wins and y = k, or k loses and y = the runner-up o_n.
  std::vector<std::pair<double, int>> points;  // (c_n, +1 if y = k, -1 if y = o_n)
  for (size_t n = 0; n < s.size(); ++n) {
    double M = -kInf;
    int o = -1;
    for (size_t j = 0; j < b.size(); ++j)
      if (j != k && (o < 0 || s[n][j] + b[j] > M)) M = s[n][j] + b[j], o = static_cast<int>(j);
    if (!std::isfinite(M) || !std::isfinite(s[n][k])) continue;  // prediction cannot change
    if (labels[n] == static_cast<int>(k))
      points.emplace_back(M - s[n][k], +1);
    else if (labels[n] == o)
      points.emplace_back(M - s[n][k], -1);
  }
  if (points.empty()) return {};
  std::sort(points.begin(), points.end());
  // Interval 0 (b_k below every breakpoint): all o_n-labelled samples are right.
  int64_t correct =
      std::count_if(points.begin(), points.end(), [](const auto& p) { return p.second < 0; });
  std::vector<double> cuts;             // distinct breakpoints
  std::vector<int64_t> count{correct};  // count[i] for interval i (between cuts i-1 and i)
  for (size_t i = 0; i < points.size();) {
    size_t j = i;
    for (; j < points.size() && points[j].first == points[i].first; ++j)
      correct += points[j].second;  // b_k passes c_n: y = k turns right, y = o_n wrong
    cuts.push_back(points[i].first);
    count.push_back(correct);
    i = j;
  }
  const int64_t best = *std::max_element(count.begin(), count.end());
  std::vector<size_t> optimal;
  for (size_t i = 0; i < count.size(); ++i)
    if (count[i] == best) optimal.push_back(i);
  const size_t median = optimal[(optimal.size() - 1) / 2];
  std::vector<size_t> order(count.size());
  std::iota(order.begin(), order.end(), size_t{0});
  const auto dist = [&](size_t i) { return i > median ? i - median : median - i; };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t c) {
    return count[a] != count[c] ? count[a] > count[c] : dist(a) < dist(c);
  });
  order.resize(std::min(order.size(), max_candidates));
  std::vector<double> out;
  for (size_t i : order) out.push_back(threshold_of_split(cuts, i));
  return out;
}

}  // namespace

ClassWeights tune_class_weights(const std::vector<std::vector<double>>& scores,
                                const std::vector<int>& labels,
                                ClassScaling scaling,
                                int max_rounds) {
  const auto s = to_log_space(scores, scaling);
  if (labels.size() != s.size())
    throw std::invalid_argument(
        fmt::format("tune_class_weights: {} score rows but {} labels", s.size(), labels.size()));
  const size_t K = s.front().size();
  for (size_t n = 0; n < labels.size(); ++n)
    if (labels[n] < 0 || labels[n] >= static_cast<int>(K))
      throw std::invalid_argument(fmt::format(
          "tune_class_weights: label {} at index {} is not in 0..{}", labels[n], n, K - 1));

  ClassWeights w;
  w.scaling = scaling;
  w.offsets.assign(K, 0.0);
  int64_t correct = count_correct(labels, argmax_shifted(s, w.offsets));
  for (w.rounds = 0; w.rounds < max_rounds;) {
    ++w.rounds;
    bool improved = false;
    for (size_t k = 0; k < K && K > 1; ++k) {
      // Accept only on a strict gain measured with the exact prediction arithmetic, so the
      // reported accuracy is the true one and the search cannot cycle.
      for (double candidate : line_search(s, labels, w.offsets, k, /*max_candidates=*/8)) {
        std::vector<double> b = w.offsets;
        b[k] = candidate;
        const int64_t c = count_correct(labels, argmax_shifted(s, b));
        if (c > correct) {
          w.offsets = std::move(b), correct = c, improved = true;
          break;
        }
      }
    }
    if (!improved) break;
  }
  w.value = static_cast<double>(correct) / static_cast<double>(labels.size());
  return w;
}

std::vector<int> predict_classes(const std::vector<std::vector<double>>& scores,
                                 const ClassWeights& weights) {
  const auto s = to_log_space(scores, weights.scaling);
  if (s.front().size() != weights.offsets.size())
    throw std::invalid_argument(fmt::format("predict_classes: scores have {} classes, weights {}",
                                            s.front().size(),
                                            weights.offsets.size()));
  return argmax_shifted(s, weights.offsets);
}

Metrics evaluate_classes(const ScoredClasses& test,
                         const std::optional<ScoredClasses>& valid,
                         ClassScaling scaling) {
  const ScoredClasses& tune = valid ? *valid : test;
  const ClassWeights w = tune_class_weights(tune.scores, tune.labels, scaling);
  ClassWeights plain = w;
  std::fill(plain.offsets.begin(), plain.offsets.end(), 0.0);

  Metrics m;
  m.values["accuracy"] = accuracy(test.labels, predict_classes(test.scores, w));
  m.values["accuracy_argmax"] = accuracy(test.labels, predict_classes(test.scores, plain));
  m.values["tuned_accuracy"] = w.value;
  const auto weights = scaling == ClassScaling::kAdditive ? w.offsets : w.weights();
  for (size_t k = 0; k < weights.size(); ++k)
    m.values[fmt::format("class_weight_{}", k)] = weights[k];
  m.primary = "accuracy";
  m.info["threshold_source"] = valid ? "valid" : "self";
  m.info["class_scaling"] = scaling == ClassScaling::kAdditive ? "additive" : "multiplicative";
  return m;
}

}  // namespace sentzoo
