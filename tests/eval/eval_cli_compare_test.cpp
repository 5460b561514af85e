// sentzoo-eval compare as a library call on tiny models: report.md, report.json and three PNGs
// are written, cost numbers are positive measurements, and a model of the wrong kind is refused.

#include <gtest/gtest.h>

#include "data/dataset.h"
#include "eval/compare.h"
#include "tests/eval/export_test_util.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;

TEST(Compare, WritesTheReportAndRefusesWrongKinds) {
  testing::TempDir tmp("compare");
  testing::save_tiny_model(tmp.path / "dual", "dual");
  testing::save_tiny_model(tmp.path / "cross", "cross");
  testing::write_pairs(tmp.path / "p.tsv");
  DatasetSpec spec;
  spec.path = (tmp.path / "p.tsv").string();
  const auto pairs = read_dataset(spec).pairs;
  CompareOptions o;
  o.dual = (tmp.path / "dual").string();
  o.cross = (tmp.path / "cross").string();
  o.output = tmp.path / "report";
  o.retrieval_n = {20, 50};
  o.cross_budget_seconds = 0;  // one chunk of cross passes, the rest measured cost x N
  o.repeats = 2;
  const auto r = run_compare(o, pairs, pairs);
  for (const char* f :
       {"report.md", "report.json", "quality.png", "throughput.png", "retrieval.png"})
    EXPECT_TRUE(fs::is_regular_file(o.output / f)) << f;
  EXPECT_EQ(r["dual"]["test"]["threshold_source"], "valid");
  EXPECT_GT(r["cost"]["dual_sentences_per_second"].get<double>(), 0);
  EXPECT_GT(r["cost"]["cross_pairs_per_second"].get<double>(), 0);
  ASSERT_EQ(r["retrieval"].size(), 2u);
  EXPECT_EQ(r["retrieval"][1]["n"], 50);
  EXPECT_GT(r["retrieval"][1]["cross"]["measured_pairs"].get<int64_t>(), 0);
  EXPECT_GT(r["retrieval"][1]["dual"]["query_seconds"].get<double>(), 0);
  EXPECT_NE(compare_markdown(r).find("| 50 |"), std::string::npos);
  std::swap(o.dual, o.cross);
  EXPECT_THROW(run_compare(o, pairs, pairs), std::runtime_error);
}

}  // namespace
}  // namespace sentzoo
