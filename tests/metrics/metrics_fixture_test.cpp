// metrics/metrics against scipy 1.13.1 / scikit-learn 1.5.1 on seeded data with many ties
// (tests/fixtures/metrics/metrics.json from tools/reference/gen_eval_fixtures.py).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "metrics/metrics.h"
#include "metrics/threshold.h"
#include "tests/test_util.h"

namespace sentzoo {
namespace {

nlohmann::json load_fixture() {
  const auto path = testing::fixture_dir() / "eval" / "metrics.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("missing " + path.string());
  auto j = nlohmann::json::parse(in);
  if (j.at("version") != 1)
    throw std::runtime_error(path.string() +
                             ": stale fixture ---> HINT: re-run "
                             "`.venv-ref/bin/python tools/reference/gen_eval_fixtures.py`");
  return j;
}

// Compares to 1e-9; a null expected value means NaN (scipy) or "undefined" (sklearn raises).
void expect_near_or_nan(double got, const nlohmann::json& want, const std::string& what) {
  if (want.is_null()) {
    EXPECT_TRUE(std::isnan(got)) << what << " = " << got;
  } else {
    EXPECT_NEAR(got, want.get<double>(), 1e-9) << what;
  }
}

TEST(MetricsFixture, CorrelationsMatchScipy) {
  const auto j = load_fixture();
  int i = 0;
  for (const auto& c : j.at("correlation")) {
    const auto x = c.at("x").get<std::vector<double>>(), y = c.at("y").get<std::vector<double>>();
    expect_near_or_nan(pearson(x, y), c.at("pearson"), "pearson case " + std::to_string(i));
    expect_near_or_nan(spearman(x, y), c.at("spearman"), "spearman case " + std::to_string(i));
    ++i;
  }
  EXPECT_GE(i, 8);
}

TEST(MetricsFixture, BinaryMetricsMatchSklearn) {
  const auto j = load_fixture();
  int i = 0;
  for (const auto& c : j.at("binary")) {
    const auto y = c.at("labels").get<std::vector<int>>();
    const auto p = c.at("predictions").get<std::vector<int>>();
    const auto s = c.at("scores").get<std::vector<double>>();
    const BinaryCounts k = binary_counts(y, p);
    const std::string tag = "binary case " + std::to_string(i++);
    EXPECT_NEAR(accuracy(k), c.at("accuracy").get<double>(), 1e-12) << tag;
    EXPECT_NEAR(precision(k), c.at("precision").get<double>(), 1e-12) << tag;
    EXPECT_NEAR(recall(k), c.at("recall").get<double>(), 1e-12) << tag;
    EXPECT_NEAR(f1(k), c.at("f1").get<double>(), 1e-12) << tag;
    EXPECT_NEAR(mcc(k), c.at("mcc").get<double>(), 1e-9) << tag;
    expect_near_or_nan(average_precision(y, s), c.at("ap"), tag + " ap");
    if (c.at("roc_auc").is_null())
      EXPECT_THROW(roc_auc(y, s), std::invalid_argument) << tag;
    else
      EXPECT_NEAR(roc_auc(y, s), c.at("roc_auc").get<double>(), 1e-9) << tag;
  }
  EXPECT_GE(i, 9);
}

TEST(MetricsFixture, MulticlassAccuracyMatchesSklearn) {
  const auto j = load_fixture();
  for (const auto& c : j.at("multiclass"))
    EXPECT_NEAR(accuracy(c.at("labels").get<std::vector<int>>(),
                         c.at("predictions").get<std::vector<int>>()),
                c.at("accuracy").get<double>(),
                1e-12);
}

TEST(MetricsFixture, ThresholdOptimumMatchesPythonBruteForceAndBeatsSentenceTransformers) {
  // best_*: numpy/sklearn over every split incl. "all positive"/"all negative"; st_*: the
  // sentence-transformers 3.0.1 sweep, which skips the extremes (so it can only be lower).
  const auto j = load_fixture();
  int i = 0;
  for (const auto& c : j.at("threshold")) {
    const ScoredSet set{c.at("scores").get<std::vector<double>>(),
                        c.at("labels").get<std::vector<int>>()};
    const double acc = best_threshold(set, ThresholdObjective::kAccuracy).value;
    const double f = best_threshold(set, ThresholdObjective::kF1).value;
    EXPECT_NEAR(acc, c.at("best_accuracy").get<double>(), 1e-12) << "case " << i;
    EXPECT_NEAR(f, c.at("best_f1").get<double>(), 1e-12) << "case " << i;
    EXPECT_GE(acc, c.at("st_accuracy").get<double>() - 1e-12) << "case " << i;
    EXPECT_GE(f, c.at("st_f1").get<double>() - 1e-12) << "case " << i;
    ++i;
  }
  EXPECT_GE(i, 6);
}

}  // namespace
}  // namespace sentzoo
