#pragma once
// sentzoo-eval compare: a dual and a cross encoder measured side by side on the same valid/test
// pairs (quality with the valid -> test threshold protocol) and on cost: sentences/s encoded,
// pairs/s scored, and one query retrieved against N candidates (N cross passes vs one encode +
// N dot products with cached vectors), timed. Writes report.md, report.json and PNG charts, with
// where every number came from: data, models (initialisation, size, steps) and machine (threads,
// BLAS, load average at start and end).

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/progress.h"
#include "data/example.h"
#include "io/png_chart.h"

namespace sentzoo {

struct CompareOptions {
  std::string dual, cross;            // .pt files or training folders
  std::filesystem::path output;       // report folder
  std::string valid_spec, test_spec;  // FMT:PATH the pairs were read from (for the report)
  int64_t batch_size = 64;            // e.g. 64
  std::vector<int64_t> retrieval_n = {1000, 10000};
  double cross_budget_seconds = 20;  // cross passes timed per N; beyond it cost x N
  int repeats = 5;                   // dual query timings (the median is reported)
};

/// Runs the comparison and writes the report; returns report.json. `log` gets one line per
/// step, `progress` the progress of every evaluation and encoding inside it.
nlohmann::json run_compare(const CompareOptions& options,
                           const std::vector<PairExample>& valid,
                           const std::vector<PairExample>& test,
                           const std::function<void(const std::string&)>& log = {},
                           const StageProgress& progress = {});

/// report.md from report.json (eval/compare_report.cpp).
std::string compare_markdown(const nlohmann::json& report);

/// The charts of report.json, by file name: quality.png, throughput.png, retrieval.png.
std::vector<std::pair<std::string, BarChart>> compare_charts(const nlohmann::json& report);

}  // namespace sentzoo
