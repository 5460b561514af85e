// The §9 protocol on real data (LCQMC dev; skipped without $SENTZOO_DATA): a character-Jaccard
// score has ~200 distinct values over 4,401 pairs, so ties are everywhere. Expected numbers are
// an independent numpy brute force (tools/reference/gen_eval_fixtures.py, "lcqmc_jaccard").
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "metrics/threshold.h"
#include "tests/test_util.h"

namespace sentzoo {
namespace {

// Code points of a UTF-8 string (the data is valid UTF-8; no validation here).
std::set<uint32_t> code_points(const std::string& s) {
  std::set<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (int k = 1; k < len && i + k < s.size(); ++k)
      cp = cp << 6 | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.insert(cp);
    i += len;
  }
  return out;
}

double jaccard(const std::string& a, const std::string& b) {
  const auto sa = code_points(a), sb = code_points(b);
  size_t common = 0;
  for (uint32_t c : sa) common += sb.count(c);
  return static_cast<double>(common) / static_cast<double>(sa.size() + sb.size() - common);
}

TEST(ThresholdRealData, LcqmcJaccardValidToTestMatchesNumpy) {
  SENTZOO_REQUIRE_DATA(path, "zh/LCQMC/dev.txt");
  std::ifstream fixture(testing::fixture_dir() / "eval" / "metrics.json");
  const auto want = nlohmann::json::parse(fixture).at("lcqmc_jaccard");
  ASSERT_FALSE(want.is_null()) << "re-run gen_eval_fixtures.py with SENTZOO_DATA set";
  std::ifstream in(path);
  ScoredSet valid, test;
  std::string line;
  for (int n = 0; std::getline(in, line); ++n) {
    std::istringstream fields(line);
    std::string a, b, y;
    std::getline(fields, a, '\t');
    std::getline(fields, b, '\t');
    std::getline(fields, y, '\t');
    ScoredSet& set = n % 2 == 0 ? valid : test;  // even lines valid, odd lines test
    set.scores.push_back(jaccard(a, b));
    set.labels.push_back(std::stoi(y));
  }
  const BinaryThreshold t = best_threshold(valid, ThresholdObjective::kAccuracy);
  EXPECT_NEAR(t.value, want.at("valid_accuracy").get<double>(), 1e-12);
  EXPECT_EQ(t.optimal_splits, want.at("optimal_splits").get<int64_t>());
  EXPECT_NEAR(t.threshold, want.at("threshold").get<double>(), 1e-12);
  const Metrics m = evaluate_binary(test, valid);
  EXPECT_NEAR(m.values.at("accuracy"), want.at("test_accuracy").get<double>(), 1e-12);
  EXPECT_EQ(m.info.at("threshold_source"), "valid");
}

}  // namespace
}  // namespace sentzoo
