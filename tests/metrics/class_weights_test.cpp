// K-class automatic threshold (REFERENCE.md §9.2): per-class offsets by coordinate-wise exact
// line search. Checked against brute force per coordinate and the exact binary sweep at K = 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "metrics/threshold.h"

namespace sentzoo {
namespace {

struct Data {
  std::vector<std::vector<double>> scores;
  std::vector<int> labels;
};

// Logits with a class-dependent bias the tuning can remove. Logits are multiples of 1/4, so
// breakpoints and midpoints are exact and tie often. Probabilities (softmax) are not rounded:
// log-space breakpoints of quantized softmax rows differ by ulps and would make "tie" a matter
// of rounding; their exact ties come from duplicated rows (with a random label) instead.
Data random_data(std::mt19937& rng, int n, int K, bool probabilities) {
  std::normal_distribution<double> g(0, 1);
  Data d;
  for (int i = 0; i < n; ++i) {
    const int y = static_cast<int>(rng() % K);
    if (probabilities && i > 0 && rng() % 3 == 0) {
      d.scores.push_back(d.scores.back());
      d.labels.push_back(y);
      continue;
    }
    std::vector<double> row(K);
    for (int k = 0; k < K; ++k) row[k] = g(rng) + (k == y) - 0.3 * k;
    if (probabilities) {
      double z = 0;
      for (double& v : row) z += (v = std::exp(v));
      for (double& v : row) v /= z;
    } else {
      for (double& v : row) v = std::round(4 * v) / 4;
    }
    d.scores.push_back(row);
    d.labels.push_back(y);
  }
  return d;
}

double acc_with(const Data& d, const ClassWeights& w) {
  return accuracy(d.labels, predict_classes(d.scores, w));
}

TEST(ClassWeights, NoCoordinateCanImproveByBruteForce) {
  for (int seed = 0; seed < 40; ++seed) {
    std::mt19937 rng(seed);
    const int K = 2 + seed % 4;
    const bool probs = seed % 2 == 1;
    const Data d = random_data(rng, 30 + seed * 3, K, probs);
    const auto scaling = probs ? ClassScaling::kMultiplicative : ClassScaling::kAdditive;
    const ClassWeights w = tune_class_weights(d.scores, d.labels, scaling);
    EXPECT_DOUBLE_EQ(w.value, acc_with(d, w));
    ClassWeights plain = w;
    std::fill(plain.offsets.begin(), plain.offsets.end(), 0.0);
    EXPECT_GE(w.value, acc_with(d, plain));
    for (int k = 0; k < K; ++k) {
      // Every breakpoint of coordinate k, in log space, then all midpoints and both extremes.
      std::set<double> cuts;
      for (const auto& row : d.scores) {
        double best = -1e300;
        for (int j = 0; j < K; ++j) {
          const double v = (probs ? std::log(row[j]) : row[j]) + w.offsets[j];
          if (j != k) best = std::max(best, v);
        }
        cuts.insert(best - (probs ? std::log(row[k]) : row[k]));
      }
      const std::vector<double> c(cuts.begin(), cuts.end());
      std::vector<double> cand = {c.front() - 10, c.back() + 10};
      for (size_t i = 0; i + 1 < c.size(); ++i) cand.push_back((c[i] + c[i + 1]) / 2);
      for (double b : cand) {
        ClassWeights t = w;
        t.offsets[k] = b;
        EXPECT_LE(acc_with(d, t), w.value + 1e-12) << "seed " << seed << " class " << k;
      }
    }
  }
}

TEST(ClassWeights, TwoClassLogitsReachTheBinaryOptimum) {
  // With K = 2, argmax(z0 + b0, z1) is a threshold on z1 - z0, so one line search is global.
  for (int seed = 0; seed < 60; ++seed) {
    std::mt19937 rng(100 + seed);
    const Data d = random_data(rng, 20 + seed, 2, false);
    ScoredSet diff;
    for (size_t i = 0; i < d.labels.size(); ++i)
      diff.scores.push_back(d.scores[i][1] - d.scores[i][0]), diff.labels.push_back(d.labels[i]);
    const double want = best_threshold(diff, ThresholdObjective::kAccuracy).value;
    EXPECT_DOUBLE_EQ(tune_class_weights(d.scores, d.labels, ClassScaling::kAdditive).value, want)
        << "seed " << seed;
  }
}

TEST(ClassWeights, MultiplicativeOnProbabilitiesEqualsAdditiveOnLogProbabilities) {
  std::mt19937 rng(5);
  const Data p = random_data(rng, 120, 4, true);
  Data logp = p;
  for (auto& row : logp.scores)
    for (double& v : row) v = std::log(v);
  const auto a = tune_class_weights(p.scores, p.labels, ClassScaling::kMultiplicative);
  const auto b = tune_class_weights(logp.scores, logp.labels, ClassScaling::kAdditive);
  EXPECT_EQ(a.offsets, b.offsets);
  EXPECT_EQ(a.value, b.value);
  EXPECT_THROW(tune_class_weights({{0.5, -0.1}}, {0}, ClassScaling::kMultiplicative),
               std::invalid_argument);
  EXPECT_THROW(tune_class_weights({{0.5, 0.1}}, {2}, ClassScaling::kAdditive),
               std::invalid_argument);
}

TEST(ClassWeights, JsonRoundTripIsExactAndStrict) {
  std::mt19937 rng(11);
  const Data d = random_data(rng, 80, 3, true);
  const auto w = tune_class_weights(d.scores, d.labels, ClassScaling::kMultiplicative);
  const ClassWeights back = nlohmann::json::parse(nlohmann::json(w).dump()).get<ClassWeights>();
  EXPECT_EQ(back.offsets, w.offsets);  // doubles survive dump/parse exactly
  EXPECT_EQ(back.scaling, w.scaling);
  EXPECT_EQ(predict_classes(d.scores, back), predict_classes(d.scores, w));
  nlohmann::json bad = w;
  bad["scaling"] = "log";
  EXPECT_THROW(bad.get<ClassWeights>(), std::invalid_argument);
  const BinaryThreshold t{0.8125, 0.9, 3};
  const auto t2 = nlohmann::json::parse(nlohmann::json(t).dump()).get<BinaryThreshold>();
  EXPECT_EQ(t2.threshold, t.threshold);
  EXPECT_EQ(t2.optimal_splits, 3);
  EXPECT_THROW((nlohmann::json{{"threshold", 0.5}}.get<BinaryThreshold>()), std::invalid_argument);
}

TEST(EvaluateClasses, WeightsFromValidAreAppliedToTest) {
  std::mt19937 rng(9);
  const Data v = random_data(rng, 200, 3, false), t = random_data(rng, 150, 3, false);
  const Metrics m = evaluate_classes(
      {t.scores, t.labels}, ScoredClasses{v.scores, v.labels}, ClassScaling::kAdditive);
  const ClassWeights w = tune_class_weights(v.scores, v.labels, ClassScaling::kAdditive);
  EXPECT_EQ(m.info.at("threshold_source"), "valid");
  EXPECT_EQ(m.values.at("tuned_accuracy"), w.value);
  EXPECT_EQ(m.values.at("accuracy"), acc_with(t, w));
  EXPECT_EQ(m.values.at("class_weight_2"), w.offsets[2]);
  const Metrics self =
      evaluate_classes({t.scores, t.labels}, std::nullopt, ClassScaling::kAdditive);
  EXPECT_EQ(self.info.at("threshold_source"), "self");
  EXPECT_EQ(self.values.at("accuracy"), self.values.at("tuned_accuracy"));
}

}  // namespace
}  // namespace sentzoo
