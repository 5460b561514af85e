#pragma once
// sentzoo-eval compare: a dual and a cross encoder measured side by side on the same valid/test
// pairs (quality with the valid -> test threshold protocol) and on cost: sentences/s encoded,
// pairs/s scored, and one query retrieved against N candidates (N cross passes vs one encode +
// N dot products with cached vectors), timed. Writes report.md, report.json and PNG charts.

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/example.h"

namespace sentzoo {

struct CompareOptions {
  std::string dual, cross;       // .pt files or training folders
  std::filesystem::path output;  // report folder
  int64_t batch_size = 64;       // e.g. 64
  std::vector<int64_t> retrieval_n = {1000, 10000};
  double cross_budget_seconds = 20;  // cross passes timed per N; beyond it cost x N
  int repeats = 5;                   // dual query timings (the median is reported)
};

/// Runs the comparison and writes the report; returns report.json. `log` gets progress lines.
nlohmann::json run_compare(const CompareOptions& options,
                           const std::vector<PairExample>& valid,
                           const std::vector<PairExample>& test,
                           const std::function<void(const std::string&)>& log = {});

/// report.md from report.json.
std::string compare_markdown(const nlohmann::json& report);

}  // namespace sentzoo
