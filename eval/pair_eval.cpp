// Pair evaluation for sentzoo-eval (eval/pair_eval.h).

#include "eval/pair_eval.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <set>

#include "eval/metrics_similarity.h"
#include "eval/threshold.h"
#include "io/atomic_file.h"

namespace sentzoo {

namespace {

double now_seconds() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

bool all_binary(const std::vector<PairExample>& pairs) {
  for (const auto& p : pairs)
    if (p.label != 0.0 && p.label != 1.0) return false;
  return true;
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
    std::string name = key == "roc_auc" ? "auc" : key == "accuracy_threshold" ? "threshold" : key;
    if (std::isfinite(value)) j[name] = value;  // undefined (e.g. AUC with one class): left out
  }
  for (const auto& [key, value] : m.info) j[key] = value == "self" ? self_name : value;
  return j;
}
}  // namespace detail

RawScores score_pairs(const PairModel& model,
                      const std::vector<PairExample>& pairs,
                      int64_t batch_size) {
  RawScores out;
  const double t0 = now_seconds();
  if (model.kind() == "dual") {
    std::vector<std::string> a, b;
    for (const auto& p : pairs) a.push_back(p.text1), b.push_back(p.text2);
    // Side 0 for the first texts, side 1 for the second (separate towers differ).
    auto u = model.encode(a, batch_size, {}, 0), v = model.encode(b, batch_size, {}, 1);
    out.scores = similarity_scores(u, v, Similarity::kCosine);
  } else {
    std::vector<std::pair<std::string, std::string>> ab;
    for (const auto& p : pairs) ab.emplace_back(p.text1, p.text2);
    auto logits = model.score_pairs(ab, batch_size).to(torch::kDouble).contiguous();
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
                              int64_t batch_size) {
  if (test.size() < 2) throw std::runtime_error("test data: need at least 2 pairs");
  if (valid && valid->size() < 2) throw std::runtime_error("valid data: need at least 2 pairs");
  const int64_t k = model.kind() == "cross" ? model.num_labels() : 1;
  if (k > 1) {
    check_classes(test, k, "test");
    if (valid) check_classes(*valid, k, "valid");
  }
  RawScores rt = score_pairs(model, test, batch_size);
  std::optional<RawScores> rv;
  if (valid) rv = score_pairs(model, *valid, batch_size);

  PairEvaluation e;
  auto base = [&](const std::vector<PairExample>& pairs, const RawScores& r) {
    PairScores s;
    s.scores = r.scores;
    s.seconds = r.seconds;
    s.json = nlohmann::json::object();
    if (k == 1) {
      const auto y = labels_of(pairs);
      const double sp = spearman(r.scores, y), pe = pearson(r.scores, y);
      if (std::isfinite(sp)) s.json["spearman"] = sp;
      if (std::isfinite(pe)) s.json["pearson"] = pe;
    }
    return s;
  };
  e.test = base(test, rt);
  if (valid) e.valid = base(*valid, *rv);

  if (k > 1) {
    auto classes = [](const std::vector<PairExample>& pairs, const RawScores& r) {
      ScoredClasses c{r.classes, {}};
      for (const auto& p : pairs) c.labels.push_back(static_cast<int>(p.label));
      return c;
    };
    const auto ct = classes(test, rt);
    std::optional<ScoredClasses> cv;
    if (valid) cv = classes(*valid, *rv);
    const Metrics mt = evaluate_classes(ct, cv, ClassScaling::kAdditive);
    e.test.json.update(detail::metrics_json(mt, "test"));
    e.test.predicted = predict_classes(
        ct.scores,
        tune_class_weights(
            cv ? cv->scores : ct.scores, cv ? cv->labels : ct.labels, ClassScaling::kAdditive));
    if (valid)
      e.valid->json.update(detail::metrics_json(
          evaluate_classes(*cv, std::nullopt, ClassScaling::kAdditive), "valid"));
  } else if (all_binary(test) && (!valid || all_binary(*valid))) {
    auto scored = [](const std::vector<PairExample>& pairs, const RawScores& r) {
      ScoredSet s{r.scores, {}};
      for (const auto& p : pairs) s.labels.push_back(static_cast<int>(p.label));
      return s;
    };
    const auto st = scored(test, rt);
    std::optional<ScoredSet> sv;
    if (valid) sv = scored(*valid, *rv);
    const Metrics mt = evaluate_binary(st, sv);
    e.test.json.update(detail::metrics_json(mt, "test"));
    e.test.predicted = predict_binary(st.scores, mt.values.at("accuracy_threshold"));
    if (valid) {
      const Metrics mv = evaluate_binary(*sv, std::nullopt);
      e.valid->json.update(detail::metrics_json(mv, "valid"));
      e.valid->predicted = predict_binary(sv->scores, mv.values.at("accuracy_threshold"));
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
  if (j.contains("threshold") && j["threshold"].is_number())
    s += fmt::format(" (threshold {:.4f} from {})",
                     j["threshold"].get<double>(),
                     j.value("threshold_source", std::string("?")));
  s += fmt::format(
      ", {} pairs, {:.1f} pairs/s", j["pairs"].get<int64_t>(), j["pairs_per_second"].get<double>());
  return s;
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
