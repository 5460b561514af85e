// report.md and the charts of sentzoo-eval compare (eval/compare.h), from report.json alone.
// Issue #15: accuracy and F1 come from two different thresholds, so each has its own column next
// to the metrics measured at it; the majority-class baseline sits beside accuracy; degenerate
// thresholds and a busy machine are stated as warnings; every number says where it came from.
// Issue #16: a closing section says what the numbers mean (quality vs cost, initialisation).

#include <fmt/format.h>

#include <cmath>
#include <functional>

#include "eval/compare.h"

namespace sentzoo {

namespace {

using json = nlohmann::json;

// A 4-decimal number, or "-" when the key is missing or not a number.
std::string num(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_number()
             ? fmt::format("{:.4f}", j[key].get<double>())
             : std::string("-");
}

// Any JSON value as table text: strings as they are, numbers compact, null as "unknown".
std::string text(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_null()) return "unknown";
  return j.dump();
}

json at(const json& j, const std::string& path) {
  const json* p = &j;
  size_t from = 0;
  while (true) {
    const size_t dot = path.find('.', from);
    const std::string key = path.substr(from, dot == std::string::npos ? dot : dot - from);
    if (!p->is_object() || !p->contains(key)) return nullptr;
    p = &(*p)[key];
    if (dot == std::string::npos) return *p;
    from = dot + 1;
  }
}

std::string parameters(const json& j) {
  if (!j.is_number_integer()) return text(j);
  const double n = j.get<double>();
  const std::string rounded = n >= 1e6   ? fmt::format("{:.1f}M", n / 1e6)
                              : n >= 1e3 ? fmt::format("{:.1f}k", n / 1e3)
                                         : fmt::format("{}", j.get<int64_t>());
  return fmt::format("{} ({})", rounded, j.get<int64_t>());
}

std::string load_text(const json& load) {
  if (!load.is_array() || load.empty() || !load[0].is_number()) return "unknown";
  return fmt::format("{:.2f}", load[0].get<double>());
}

std::string data_row(const json& d) {
  if (!d.is_object()) return "unknown";
  std::string s = fmt::format("`{}`", text(at(d, "spec")));
  if (d.contains("path")) s += fmt::format(" ({})", text(d["path"]));
  return s + fmt::format(", {} pairs", text(at(d, "pairs")));
}

std::string setup_section(const json& r) {
  const json& m = r.value("machine", json::object());
  std::string md = "## Setup\n\n| | |\n|---|---|\n";
  md += fmt::format("| test data | {} |\n", data_row(at(r, "data.test")));
  md += fmt::format("| valid data (thresholds) | {} |\n", data_row(at(r, "data.valid")));
  md += fmt::format("| machine | {} ({}), {} cores |\n",
                    text(at(m, "cpu")),
                    text(at(m, "cpu_features")),
                    text(at(m, "cores")));
  md += fmt::format("| threads | {} |\n", text(at(r, "threads")));
  md += fmt::format("| load average (1 min) | {} at start, {} at end |\n",
                    load_text(at(m, "load_average.start")),
                    load_text(at(m, "load_average.end")));
  md += fmt::format(
      "| BLAS | {}, GEMM kernel {} |\n", text(at(m, "blas")), text(at(m, "gemm_kernel")));
  md += fmt::format(
      "| LibTorch / sentzoo | {} / {} |\n\n", text(at(m, "libtorch")), text(at(m, "sentzoo")));
  return md;
}

std::string models_section(const json& r) {
  std::string md = "## Models\n\n| | dual | cross |\n|---|---|---|\n";
  auto row = [&](const char* name, const std::function<std::string(const json&)>& cell) {
    md += fmt::format(
        "| {} | {} | {} |\n", name, cell(at(r, "dual.model")), cell(at(r, "cross.model")));
  };
  row("path", [&](const json& m) { return fmt::format("`{}`", text(at(m, "path"))); });
  row("architecture", [](const json& m) { return text(at(m, "architecture")); });
  row("parameters", [](const json& m) { return parameters(at(m, "parameters")); });
  row("initialisation", [](const json& m) { return text(at(m, "init")); });
  row("training data", [](const json& m) { return text(at(m, "train_data")); });
  row("steps: best / done / max", [](const json& m) {
    return fmt::format("{} / {} / {}",
                       text(at(m, "best_step")),
                       text(at(m, "steps_done")),
                       text(at(m, "max_steps")));
  });
  return md + "\n";
}

std::string quality_section(const json& r) {
  const json& td = at(r, "dual.test");
  std::string md = "## Quality (test)\n\n";
  md += fmt::format(
      "Thresholds tuned on {} and applied unchanged to test; a pair is a match iff its score > "
      "the threshold. Accuracy is measured at the accuracy threshold; F1, precision and recall "
      "at the F1 threshold. Majority baseline: accuracy of always predicting test's majority "
      "class.\n\n",
      text(at(td, "threshold_source")));
  md +=
      "| model | accuracy | accuracy threshold | majority baseline | f1 | precision | recall | "
      "f1 threshold | auc | spearman |\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const char* who : {"dual", "cross"}) {
    const json t = at(r, std::string(who) + ".test");
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                      who,
                      num(t, "accuracy"),
                      num(t, "accuracy_threshold"),
                      num(t, "majority_accuracy"),
                      num(t, "f1"),
                      num(t, "precision"),
                      num(t, "recall"),
                      num(t, "f1_threshold"),
                      num(t, "auc"),
                      num(t, "spearman"));
  }
  return md + "\n![quality](quality.png)\n\n";
}

// Warnings: the evaluation's (degenerate thresholds, no better than the majority class) and a
// machine busier than its cores, which makes every timing pessimistic.
std::string warnings_section(const json& r) {
  std::vector<std::string> w;
  if (r.contains("warnings") && r["warnings"].is_array())
    for (const auto& x : r["warnings"]) w.push_back(text(x));
  const json cores = at(r, "machine.cores");
  for (const char* when : {"start", "end"}) {
    const json load = at(r, std::string("machine.load_average.") + when);
    if (cores.is_number() && load.is_array() && !load.empty() && load[0].is_number() &&
        load[0].get<double>() > cores.get<double>())
      w.push_back(fmt::format(
          "the 1-minute load average was {:.2f} at the {} on {} cores: other work competed for "
          "the CPU and the timings are pessimistic",
          load[0].get<double>(),
          when,
          cores.get<int64_t>()));
  }
  if (w.empty()) return {};
  std::string md = "**Warnings**\n\n";
  for (const auto& x : w) md += "- " + x + "\n";
  return md + "\n";
}

double value_at(const json& r, const std::string& path) {
  const json v = at(r, path);
  return v.is_number() ? v.get<double>() : NAN;
}

// "What the numbers say": quality differences on test, the cost ratio per pair and per query,
// and a caution when a model starts from random weights (a cross encoder needs a pretrained
// backbone to show its advantage: issue #16, REFERENCE.md §13.2).
std::string summary_section(const json& r) {
  std::vector<std::string> lines;
  for (const char* metric : {"accuracy", "f1", "spearman"}) {
    const double dual = value_at(r, std::string("dual.test.") + metric);
    const double cross = value_at(r, std::string("cross.test.") + metric);
    if (std::isnan(dual) || std::isnan(cross)) continue;
    const char* verdict = cross > dual   ? "the cross encoder is ahead"
                          : cross < dual ? "the dual encoder is ahead"
                                         : "they are equal";
    lines.push_back(fmt::format("Test {}: cross {:.4f}, dual {:.4f} ({:+.4f}): {}.",
                                metric,
                                cross,
                                dual,
                                cross - dual,
                                verdict));
  }
  const double dual_pairs = value_at(r, "cost.dual_pairs_per_second");
  const double cross_pairs = value_at(r, "cost.cross_pairs_per_second");
  if (std::isfinite(dual_pairs) && std::isfinite(cross_pairs) && cross_pairs > 0)
    lines.push_back(fmt::format(
        "Scoring new pairs: dual {:.1f} pairs/s (both texts encoded), cross {:.1f} pairs/s "
        "({:.1f}x).",
        dual_pairs,
        cross_pairs,
        dual_pairs / cross_pairs));
  const json retrieval = r.value("retrieval", json::array());
  if (!retrieval.empty()) {
    const json& last = retrieval.back();
    const double dual_q = value_at(last, "dual.query_seconds");
    const double cross_q = value_at(last, "cross.query_seconds");
    if (std::isfinite(dual_q) && std::isfinite(cross_q) && dual_q > 0)
      lines.push_back(fmt::format(
          "Searching: one query against {} candidates takes {:.2f} ms with the dual encoder "
          "(candidate vectors computed once) and {:.1f} ms with the cross encoder, which must read "
          "every (query, candidate) pair: {:.0f}x. The dual encoder pays for its speed with "
          "whatever quality the lines above show; the cross encoder suits re-ranking a short list.",
          text(at(last, "n")),
          1e3 * dual_q,
          1e3 * cross_q,
          cross_q / dual_q));
  }
  for (const char* who : {"dual", "cross"}) {
    if (text(at(r, std::string(who) + ".model.init")) == "random")
      lines.push_back(fmt::format(
          "The {} encoder was trained from random weights. With a pretrained backbone the cross "
          "encoder is usually at least as accurate as the dual encoder (Su's BERT-base, accuracy "
          "averaged over four Chinese tasks: interaction 84.62, CoSENT 83.00, Sentence-BERT "
          "80.04); from scratch on a few thousand pairs it can lag far behind, so this comparison "
          "says more about training from scratch than about the two designs.",
          who));
  }
  if (lines.empty()) return {};
  std::string md = "## What the numbers say\n\n";
  for (const auto& x : lines) md += "- " + x + "\n";
  return md + "\n";
}

}  // namespace

std::vector<std::pair<std::string, BarChart>> compare_charts(const json& r) {
  std::vector<std::pair<std::string, BarChart>> charts;
  BarChart quality{"Quality on test", {"accuracy", "f1", "spearman"}, {}, false, "", 1.0};
  for (const std::string who : {"dual", "cross"})
    quality.series.push_back({who,
                              {value_at(r, who + ".test.accuracy"),
                               value_at(r, who + ".test.f1"),
                               value_at(r, who + ".test.spearman")}});
  charts.emplace_back("quality.png", quality);
  // A cross encoder does not encode sentences: that bar is "n/a", not zero.
  BarChart speed{"Throughput", {"sentences/s", "pairs/s"}, {}, true, "per second"};
  speed.series.push_back(
      {"dual",
       {value_at(r, "cost.dual_sentences_per_second"), value_at(r, "cost.dual_pairs_per_second")}});
  speed.series.push_back({"cross", {NAN, value_at(r, "cost.cross_pairs_per_second")}});
  charts.emplace_back("throughput.png", speed);
  BarChart ret{"One query vs N candidates", {}, {{"dual", {}}, {"cross", {}}}, true, "ms"};
  for (const auto& x : r.value("retrieval", json::array())) {
    ret.categories.push_back(fmt::format("N={}", text(at(x, "n"))));
    ret.series[0].values.push_back(1e3 * value_at(x, "dual.query_seconds"));
    ret.series[1].values.push_back(1e3 * value_at(x, "cross.query_seconds"));
  }
  charts.emplace_back("retrieval.png", ret);
  return charts;
}

std::string compare_markdown(const json& r) {
  std::string md = "# Dual vs cross encoder\n\n";
  md += setup_section(r) + models_section(r) + quality_section(r) + warnings_section(r);
  md += "## Cost\n\n";
  const json& c = r.value("cost", json::object());
  auto rate = [&](const char* key) {
    return c.contains(key) && c[key].is_number() ? fmt::format("{:.1f}", c[key].get<double>())
                                                 : std::string("-");
  };
  md += fmt::format(
      "| | dual | cross |\n|---|---|---|\n| sentences/s (encode) | {} | n/a |\n| pairs/s | {} | "
      "{} |\n\nMeasured: {}.\n\n![throughput](throughput.png)\n\n",
      rate("dual_sentences_per_second"),
      rate("dual_pairs_per_second"),
      rate("cross_pairs_per_second"),
      text(at(c, "what")));
  md +=
      "## Retrieval: one query against N candidates\n\n| N | dual (ms/query) | dual index "
      "build (s, once) | cross (ms/query) | cross measured |\n|---|---|---|---|---|\n";
  const json retrieval = r.value("retrieval", json::array());
  for (const auto& x : retrieval)
    md += fmt::format("| {} | {:.2f} | {:.2f} | {:.1f} | {} |\n",
                      text(at(x, "n")),
                      1e3 * value_at(x, "dual.query_seconds"),
                      value_at(x, "dual.index_seconds"),
                      1e3 * value_at(x, "cross.query_seconds"),
                      text(at(x, "cross.what")));
  md += fmt::format("\nCandidates: {}. Dual: {}.\n\n![retrieval](retrieval.png)\n\n",
                    text(at(r, "retrieval_candidates")),
                    retrieval.empty() ? std::string() : text(at(retrieval[0], "dual.what")));
  return md + summary_section(r);
}

}  // namespace sentzoo
