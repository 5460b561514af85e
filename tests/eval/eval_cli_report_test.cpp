// The compare report (issue #15): the accuracy and F1 thresholds in their own columns beside the
// metrics measured at each, the majority baseline, warnings for degenerate thresholds, charts
// without NaN bars, the setup header (data, models, machine), the provenance of a model read
// from its run, and the sentzoo-export hint for a sentence-transformers folder.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/json_text.h"
#include "eval/compare.h"
#include "eval/pair_eval.h"
#include "eval/provenance.h"
#include "metrics/threshold.h"
#include "tests/eval/export_test_util.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// The cells of the markdown table row starting "| `first` |", keyed by the table's header.
std::map<std::string, std::string> table_row(const std::string& md,
                                             const std::string& header_start,
                                             const std::string& first) {
  auto cells = [](const std::string& line) {
    std::vector<std::string> out;
    std::stringstream s(line);
    std::string cell;
    std::getline(s, cell, '|');  // before the first bar
    while (std::getline(s, cell, '|')) {
      const auto b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
      out.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    }
    return out;
  };
  std::istringstream lines(md);
  std::vector<std::string> header;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(header_start, 0) == 0) header = cells(line);
    if (!header.empty() && line.rfind("| " + first + " |", 0) == 0) {
      std::map<std::string, std::string> row;
      const auto c = cells(line);
      for (size_t i = 0; i < header.size() && i < c.size(); ++i) row[header[i]] = c[i];
      return row;
    }
  }
  return {};
}

// The test-set JSON of sentzoo-eval for a scored set (the issue #7 keys, eval/pair_eval.h).
json scored_json(const ScoredSet& test, const std::optional<ScoredSet>& valid) {
  return detail::metrics_json(evaluate_binary(test, valid), "test");
}

TEST(CompareReport, AccuracyAndF1ThresholdsHaveTheirOwnColumns) {
  // Hand-computed (tests/metrics/threshold_checks_test.cpp): the accuracy optimum is at 0.65
  // (accuracy 6/8), the F1 optimum at 0.15 (F1 8/11, precision 4/7, recall 1).
  const ScoredSet two{{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8}, {0, 1, 0, 1, 0, 0, 1, 1}};
  json r;
  r["dual"]["test"] = scored_json(two, std::nullopt);
  r["cross"]["test"] = scored_json(two, two);
  const std::string md = compare_markdown(r);
  const auto row = table_row(md, "| model | accuracy |", "dual");
  ASSERT_FALSE(row.empty()) << md;
  EXPECT_EQ(row.at("accuracy"), "0.7500");
  EXPECT_EQ(row.at("accuracy threshold"), "0.6500");
  EXPECT_EQ(row.at("majority baseline"), "0.5000");
  EXPECT_EQ(row.at("f1"), "0.7273");
  EXPECT_EQ(row.at("precision"), "0.5714");
  EXPECT_EQ(row.at("recall"), "1.0000");
  EXPECT_EQ(row.at("f1 threshold"), "0.1500");
  EXPECT_EQ(row.count("threshold"), 0u) << "one column for two thresholds is back";
  EXPECT_EQ(md.find("**Warnings**"), std::string::npos);
}

TEST(CompareReport, DegenerateThresholdsAndABusyMachineAreWarnings) {
  // Valid has no match: the accuracy threshold is "never a match" (0.3 + 1), above all of test.
  const ScoredSet valid{{0.1, 0.2, 0.3}, {0, 0, 0}}, test{{0.2, 0.9}, {0, 1}};
  json r;
  r["dual"]["test"] = scored_json(test, valid);
  r["warnings"] = json::array();
  for (const auto& w : evaluation_warnings(r["dual"]["test"]))
    r["warnings"].push_back("dual: " + w);
  r["machine"] = {{"cores", 2},
                  {"load_average", {{"start", {0.5, 0.4, 0.3}}, {"end", {3.5, 1, 1}}}}};
  const std::string md = compare_markdown(r);
  EXPECT_NE(md.find("- dual: accuracy threshold 1.3000 is above every test score (max 0.9000): "
                    "it predicts no pair as a match"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- dual: accuracy 0.5000 is no better than always predicting the majority "
                    "class (0.5000)"),
            std::string::npos);
  EXPECT_NE(md.find("load average was 3.50 at the end on 2 cores"), std::string::npos);
  EXPECT_EQ(md.find("at the start on 2 cores"), std::string::npos);
  EXPECT_NE(md.find("| load average (1 min) | 0.50 at start, 3.50 at end |"), std::string::npos);
}

// The closing section states each quality difference with its sign and who is ahead, the cost
// ratios per pair and per query (the largest N), and warns about random initialisation only for
// the model that had it.
TEST(CompareReport, SummarySaysWhoIsAheadAndAtWhatCost) {
  json r;
  r["dual"]["test"] = {{"accuracy", 0.80}, {"spearman", 0.70}};
  r["cross"]["test"] = {{"accuracy", 0.85}, {"spearman", 0.60}};
  r["cost"] = {{"dual_pairs_per_second", 400.0}, {"cross_pairs_per_second", 100.0}};
  r["retrieval"] = json::array(
      {{{"n", 1000}, {"dual", {{"query_seconds", 0.001}}}, {"cross", {{"query_seconds", 10.0}}}},
       {{"n", 10000},
        {"dual", {{"query_seconds", 0.002}}},
        {"cross", {{"query_seconds", 100.0}}}}});
  r["dual"]["model"]["init"] = "/models/backbone";
  r["cross"]["model"]["init"] = "random";
  const std::string md = compare_markdown(r);
  const auto summary = md.substr(md.find("## What the numbers say"));
  EXPECT_NE(summary.find("Test accuracy: cross 0.8500, dual 0.8000 (+0.0500): the cross encoder "
                         "is ahead."),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("Test spearman: cross 0.6000, dual 0.7000 (-0.1000): the dual encoder "
                         "is ahead."),
            std::string::npos);
  EXPECT_EQ(summary.find("Test f1"), std::string::npos) << "no f1 in either: no line";
  EXPECT_NE(summary.find("dual 400.0 pairs/s (both texts encoded), cross 100.0 pairs/s (4.0x)"),
            std::string::npos);
  EXPECT_NE(summary.find("against 10000 candidates takes 2.00 ms with the dual encoder"),
            std::string::npos);
  EXPECT_NE(summary.find("100000.0 ms with the cross encoder"), std::string::npos);
  EXPECT_NE(summary.find("50000x"), std::string::npos);
  EXPECT_NE(summary.find("The cross encoder was trained from random weights."), std::string::npos);
  EXPECT_EQ(summary.find("The dual encoder was trained from random weights."), std::string::npos);
}

TEST(CompareReport, ChartsShowNAInsteadOfNaNBars) {
  json r;
  r["dual"]["test"] = {{"accuracy", 0.8}, {"f1", 0.7}};  // no spearman
  r["cross"]["test"] = {{"accuracy", 0.9}, {"f1", 0.6}, {"spearman", 0.5}};
  r["cost"] = {{"dual_sentences_per_second", 900.0},
               {"dual_pairs_per_second", 450.0},
               {"cross_pairs_per_second", 30.0}};
  r["retrieval"] = json::array(
      {{{"n", 1000}, {"dual", {{"query_seconds", 0.002}}}, {"cross", {{"query_seconds", 2.5}}}}});
  const auto charts = compare_charts(r);
  ASSERT_EQ(charts.size(), 3u);
  std::vector<std::string> missing;
  for (const auto& [file, chart] : charts) {
    const ChartLayout l = layout_bar_chart(chart);
    int ticks = 0;
    for (const auto& t : l.texts) {
      EXPECT_EQ(t.text.find("nan"), std::string::npos) << file;
      if (t.role == "missing") missing.push_back(file + ":" + t.text);
      ticks += t.role == "tick";
    }
    EXPECT_GE(ticks, 2) << file << ": no y axis values";
  }
  // dual spearman (not measured) and cross sentences/s (a cross encoder encodes no sentences).
  EXPECT_EQ(missing, (std::vector<std::string>{"quality.png:n/a", "throughput.png:n/a"}));
}

TEST(Provenance, RunRecordReadsConfigAndMetricsLog) {
  const std::string config =
      R"({"model": {"init_from": ""}, "data": {"train": "tsv:a.tsv"}, "train": {"max_steps": 30}})";
  const std::string log = R"({"event": "step", "step": 10}
{"event": "eval", "step": 10, "improved": true}
{"event": "eval", "step": 20, "improved": true}
{"event": "eval", "step": 30, "improved": false}
)";
  const json r = detail::run_record(config, log);
  EXPECT_EQ(r,
            json({{"init", "random"},
                  {"train_data", "tsv:a.tsv"},
                  {"max_steps", 30},
                  {"steps_done", 30},
                  {"best_step", 20}}));
  const json multi = detail::run_record(
      R"({"model": {"init_from": "/m/bert"}, "tasks": [{"train": "a"}, {"train": "b"}]})",
      R"({"event": "step", "step": 5})");
  EXPECT_EQ(multi["init"], "/m/bert");
  EXPECT_EQ(multi["train_data"], "a, b");
  EXPECT_EQ(multi["best_step"], 5);  // no dev evaluation: best/ is the last model
  EXPECT_EQ(detail::run_record("", ""), json::object());
}

TEST(Provenance, ModelRecordSaysUnknownWhereAFolderIsSilent) {
  testing::TempDir tmp("provenance");
  testing::save_tiny_model(tmp.path, "dual");  // an old-style sentzoo.json: no init record
  const auto model = PairModel::load(tmp.path);
  json rec = model_record(tmp.path, model);
  EXPECT_EQ(rec["init"], "unknown");
  EXPECT_EQ(rec["best_step"], "unknown");
  EXPECT_EQ(rec["architecture"], "bert");
  // Parameters: the loaded module's own count.
  int64_t want = 0;
  for (const auto& p : load_trained_model(tmp.path / "best").dual->parameters()) want += p.numel();
  EXPECT_EQ(rec["parameters"], want);
  EXPECT_GT(want, 0);
  // The run beside best/ fills in what sentzoo.json does not say.
  std::ofstream(tmp.path / "config.json") << R"({"model": {"init_from": "/m/x"}})";
  std::ofstream(tmp.path / "metrics.jsonl") << R"({"event": "eval", "step": 8, "improved": true})"
                                            << "\n";
  rec = model_record(tmp.path / "best", model);
  EXPECT_EQ(rec["init"], "/m/x");
  EXPECT_EQ(rec["best_step"], 8);
}

TEST(EvalCli, SentenceTransformersFolderGetsTheExportCommand) {
  testing::TempDir tmp("evalcli_st");
  const fs::path st = tmp.path / "st model";  // a space: the command quotes it
  fs::create_directories(st);
  std::ofstream(st / "modules.json") << "[]";
  std::ofstream(st / "config.json") << "{}";
  testing::write_pairs(tmp.path / "p.tsv");
  const std::string test = " --test tsv:" + (tmp.path / "p.tsv").string();
  const std::string want =
      "sentzoo-export --checkpoint '" + st.string() + "' --output '" + st.string() + ".pt'";
  const auto eval = testing::run_shell((testing::binary_dir() / "sentzoo-eval").string() +
                                       " --model '" + st.string() + "'" + test + " 2>&1");
  EXPECT_EQ(eval.code, 1);
  EXPECT_NE(eval.out.find("a sentence-transformers folder"), std::string::npos) << eval.out;
  EXPECT_NE(eval.out.find(want), std::string::npos) << eval.out;
  testing::save_tiny_model(tmp.path / "cross", "cross");
  const auto compare =
      testing::run_shell((testing::binary_dir() / "sentzoo-eval").string() + " compare --dual '" +
                         st.string() + "' --cross " + (tmp.path / "cross").string() + test +
                         " --valid tsv:" + (tmp.path / "p.tsv").string() + " --output " +
                         (tmp.path / "r").string() + " 2>&1");
  EXPECT_EQ(compare.code, 1);
  EXPECT_NE(compare.out.find(want), std::string::npos) << compare.out;
}

// Issue #16: compare takes any test file (an absolute path outside $SENTZOO_DATA here) and the
// report records it, with the models' initialisation, size and the machine.
TEST(EvalCli, CompareTakesAnyTestFileAndRecordsWhereNumbersCameFrom) {
  testing::TempDir tmp("evalcli_compare");
  testing::save_tiny_model(tmp.path / "dual", "dual");
  testing::save_tiny_model(tmp.path / "cross", "cross");
  testing::write_pairs(tmp.path / "held-out.tsv");
  const std::string spec = "tsv:" + (tmp.path / "held-out.tsv").string();
  const auto out = tmp.path / "report";
  const auto run = testing::run_main(
      "sentzoo-eval",
      "compare --dual " + (tmp.path / "dual").string() + " --cross " +
          (tmp.path / "cross").string() + " --valid " + spec + " --test " + spec + " --output " +
          out.string() + " --retrieval-n 4,8 --cross-budget 0 --repeats 1 --threads 1");
  ASSERT_EQ(run.code, 0);
  const json r = read_json_file((out / "report.json").string());
  EXPECT_EQ(r["data"]["test"]["spec"], spec);
  EXPECT_EQ(r["data"]["test"]["path"], (tmp.path / "held-out.tsv").string());
  EXPECT_EQ(r["data"]["test"]["pairs"], 8);
  EXPECT_EQ(r["dual"]["model"]["init"], "unknown");  // save_tiny_model writes no init record
  EXPECT_GT(r["cross"]["model"]["parameters"].get<int64_t>(), 0);
  EXPECT_EQ(r["machine"]["threads"], 1);
  EXPECT_EQ(r["machine"]["load_average"]["start"].size(), 3u);
  EXPECT_TRUE(r["dual"]["test"].contains("f1_threshold"));
  std::ifstream md_file(out / "report.md");
  const std::string md((std::istreambuf_iterator<char>(md_file)), {});
  for (const char* s : {"| test data | `",
                        "| initialisation | unknown | unknown |",
                        "| threads | 1 |",
                        "| parameters | ",
                        "| accuracy threshold |"})
    EXPECT_NE(md.find(s), std::string::npos) << s << "\n" << md;
  const auto bad =
      testing::run_main("sentzoo-eval",
                        "compare --dual " + (tmp.path / "dual").string() + " --cross " +
                            (tmp.path / "cross").string() + " --valid " + spec + " --test " + spec +
                            " --output " + out.string() + " --retrieval-n 4,x");
  EXPECT_EQ(bad.code, 2);
}

}  // namespace
}  // namespace sentzoo
