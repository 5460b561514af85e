// Pair evaluation for sentzoo-eval (eval/pair_eval.h).

#include "eval/pair_eval.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <set>

#include "io/atomic_file.h"
#include "metrics/metrics_similarity.h"
#include "metrics/pair_metrics.h"
#include "metrics/threshold.h"

namespace sentzoo {

namespace {

double now_seconds() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

std::vector<double> labels_of(const std::vector<PairExample>& pairs) {
  std::vector<double> y;
  for (const auto& p : pairs) y.push_back(p.label);
  return y;
}

void check_classes(const std::vector<PairExample>& pairs, int64_t k, const char* which) {
  for (const auto& p : pairs) {
    if (p.label != std::floor(p.label) || p.label < 0 || p.label >= static_cast<double>(k))
      throw std::runtime_error(fmt::format(
          "{} data: label {} at line {} is not a class id 0..{} of this {}-class cross encoder "
          "(wrong model for these labels?)",
          which,
          p.label,
          p.line,
          k - 1,
          k));
  }
}

}  // namespace

namespace detail {
nlohmann::json metrics_json(const Metrics& m, const std::string& self_name) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [key, value] : m.values) {
    if (!std::isfinite(value)) continue;  // undefined (e.g. AUC with one class): left out
    j[key == "roc_auc" ? "auc" : key] = value;
    if (key == "accuracy_threshold") j["threshold"] = value;  // the issue #7 name
  }
  for (const auto& [key, value] : m.info) j[key] = value == "self" ? self_name : value;
  return j;
}
}  // namespace detail

RawScores score_pairs(const PairModel& model,
                      const std::vector<PairExample>& pairs,
                      int64_t batch_size,
                      const StageProgress& progress,
                      const std::string& stage) {
  RawScores out;
  const double t0 = now_seconds();
  // One stage over all texts: part `offset` of `total` units.
  auto part = [&](int64_t offset, int64_t total) -> Progress {
    if (!progress) return {};
    return [&progress, &stage, offset, total](int64_t done, int64_t) {
      progress(stage, offset + done, total);
    };
  };
  const auto n = static_cast<int64_t>(pairs.size());
  if (model.kind() == "dual") {
    std::vector<std::string> a, b;
    for (const auto& p : pairs) a.push_back(p.text1), b.push_back(p.text2);
    // Side 0 for the first texts, side 1 for the second (separate towers differ).
    auto u = model.encode(a, batch_size, part(0, 2 * n), 0);
    auto v = model.encode(b, batch_size, part(n, 2 * n), 1);
    out.scores = similarity_scores(u, v, Similarity::kCosine);
  } else {
    std::vector<std::pair<std::string, std::string>> ab;
    for (const auto& p : pairs) ab.emplace_back(p.text1, p.text2);
    auto logits = model.score_pairs(ab, batch_size, part(0, n)).to(torch::kDouble).contiguous();
    if (logits.dim() == 1) {
      out.scores.assign(logits.data_ptr<double>(), logits.data_ptr<double>() + logits.numel());
    } else {
      for (int64_t n = 0; n < logits.size(0); ++n) {
        auto row = logits[n];
        out.classes.emplace_back(row.data_ptr<double>(), row.data_ptr<double>() + row.numel());
        out.scores.push_back(row.argmax().item<double>());
      }
    }
  }
  out.seconds = now_seconds() - t0;
  return out;
}

PairEvaluation evaluate_pairs(const PairModel& model,
                              const std::vector<PairExample>& test,
                              const std::optional<std::vector<PairExample>>& valid,
                              int64_t batch_size,
                              const StageProgress& progress) {
  if (test.size() < 2) throw std::runtime_error("test data: need at least 2 pairs");
  if (valid && valid->size() < 2) throw std::runtime_error("valid data: need at least 2 pairs");
  const int64_t k = model.kind() == "cross" ? model.num_labels() : 1;
  if (k > 1) {
    check_classes(test, k, "test");
    if (valid) check_classes(*valid, k, "valid");
  }
  // e.g. "dual encoder: encoding test texts" (both sides), "cross encoder: scoring test pairs".
  auto stage = [&](const char* set) {
    return model.kind() == "dual" ? fmt::format("dual encoder: encoding {} texts", set)
                                  : fmt::format("cross encoder: scoring {} pairs", set);
  };
  RawScores rt = score_pairs(model, test, batch_size, progress, stage("test"));
  std::optional<RawScores> rv;
  if (valid) rv = score_pairs(model, *valid, batch_size, progress, stage("valid"));

  // The metrics come from the one pair evaluation (metrics/pair_metrics.h) the trainer uses too;
  // here they are renamed to the issue #7 keys and the predictions added.
  auto scored = [](const std::vector<PairExample>& pairs, const RawScores& r) {
    return ScoredPairs{r.scores, r.classes, labels_of(pairs)};
  };
  const ScoredPairs st = scored(test, rt);
  std::optional<ScoredPairs> sv;
  if (valid) sv = scored(*valid, *rv);
  const bool binary = k == 1 && binary_labels(st.labels) && (!sv || binary_labels(sv->labels));
  PairEvaluation e;
  auto record = [&](const ScoredPairs& s,
                    const std::optional<ScoredPairs>& tuning,
                    const RawScores& r,
                    const std::string& self_name) {
    PairScores out;
    out.scores = r.scores;
    out.seconds = r.seconds;
    const Metrics m = evaluate_scored_pairs(s, tuning);
    out.json = detail::metrics_json(m, self_name);
    if (k > 1) {
      out.predicted = predict_classes(
          s.classes,
          tune_class_weights(tuning ? tuning->classes : s.classes,
                             tuning ? std::vector<int>(tuning->labels.begin(), tuning->labels.end())
                                    : std::vector<int>(s.labels.begin(), s.labels.end()),
                             ClassScaling::kAdditive));
    } else if (binary) {
      out.predicted = predict_binary(s.scores, m.values.at("accuracy_threshold"));
    }
    return out;
  };
  e.test = record(st, sv, rt, "test");
  if (valid) {
    e.valid = record(*sv, std::nullopt, *rv, "valid");
    if (k > 1) e.valid->predicted.clear();  // class predictions for test only
    if (k == 1 && !binary) {
      // Test labels are graded: valid gets the same rank correlations, no threshold metrics.
      nlohmann::json ranks = nlohmann::json::object();
      for (const char* key : {"spearman", "pearson"})
        if (e.valid->json.contains(key)) ranks[key] = e.valid->json[key];
      e.valid->json = ranks;
      e.valid->predicted.clear();
    }
  }
  auto finish = [](PairScores& s, size_t n) {
    s.json["pairs"] = n;
    s.json["seconds"] = s.seconds;
    s.json["pairs_per_second"] = s.seconds > 0 ? static_cast<double>(n) / s.seconds : 0.0;
    if (!s.predicted.empty()) {
      int64_t pos = 0;
      for (int p : s.predicted) pos += p == 1;
      s.json["predicted_positive"] = pos;
    }
  };
  finish(e.test, test.size());
  if (valid) finish(*e.valid, valid->size());
  return e;
}

nlohmann::json PairEvaluation::json() const {
  nlohmann::json j = {{"test", test.json}};
  if (valid) j["valid"] = valid->json;
  return j;
}

std::string summary_line(const PairEvaluation& e) {
  const auto& j = e.test.json;
  std::string s = "test:";
  for (const char* key : {"accuracy", "f1", "auc", "spearman", "pearson"})
    if (j.contains(key) && j[key].is_number())
      s += fmt::format(" {} {:.4f}", key, j[key].get<double>());
  if (j.contains("majority_accuracy") && j["majority_accuracy"].is_number())
    s += fmt::format(" majority {:.4f}", j["majority_accuracy"].get<double>());
  if (j.contains("accuracy_threshold") && j["accuracy_threshold"].is_number())
    s += fmt::format(" (accuracy threshold {:.4f}, F1 threshold {:.4f}, from {})",
                     j["accuracy_threshold"].get<double>(),
                     j.value("f1_threshold", NAN),
                     j.value("threshold_source", std::string("?")));
  s += fmt::format(
      ", {} pairs, {:.1f} pairs/s", j["pairs"].get<int64_t>(), j["pairs_per_second"].get<double>());
  return s;
}

std::vector<std::string> evaluation_warnings(const nlohmann::json& set) {
  std::vector<std::string> out;
  for (const auto& [key, value] : set.items())
    if (key.size() > 8 && key.ends_with("_warning") && value.is_string())
      out.push_back(value.get<std::string>());
  return out;
}

void write_predictions(const std::string& path,
                       const std::vector<PairExample>& pairs,
                       const PairScores& scores) {
  auto clean = [](std::string t) {
    for (auto& c : t)
      if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    return t;
  };
  std::string out = "text1\ttext2\tlabel\tscore\tpredicted\n";
  for (size_t i = 0; i < pairs.size(); ++i) {
    out += fmt::format(
        "{}\t{}\t{}\t{:.9g}\t{}\n",
        clean(pairs[i].text1),
        clean(pairs[i].text2),
        pairs[i].label,
        scores.scores[i],
        scores.predicted.empty() ? std::string("") : std::to_string(scores.predicted[i]));
  }
  write_file_atomic(path, out);
}

}  // namespace sentzoo
