// Unargmaxable classes (REFERENCE.md §11): Su's 2-D example, planted rows inside the convex hull,
// duplicates, equal-norm rows (none), and random 2-D layers against an exact convex hull
// (no bias) and a dense brute-force search (bias), computed independently of the audit.

#include "metrics/argmaxability.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

namespace sentzoo {
namespace {

torch::Tensor rows(std::vector<std::vector<double>> values) {
  std::vector<torch::Tensor> out;
  for (auto& row : values) out.push_back(torch::tensor(row, torch::kFloat64));
  return torch::stack(out);
}

// Blog 9046: w5 = (1,1) lies between (1,2) and (1,0) and is never the argmax.
TEST(Argmaxability, SuTwoDimensionalExample) {
  const auto w = rows({{1, 2}, {2, 1}, {1, 0}, {0, 1}, {1, 1}});
  const auto audit = audit_argmaxability(w, {});
  EXPECT_EQ(audit.unargmaxable, (std::vector<int64_t>{4}));
  EXPECT_EQ(audit.classes, 5);
  EXPECT_FALSE(audit.has_bias);
  ASSERT_EQ(audit.decided.size(), 1u);  // braid reflect clears the four corners
  EXPECT_EQ(audit.decided[0].decided_by, "lp");
  EXPECT_LE(audit.decided[0].bound, 1e-6);
  // A bias can lift it: at z = 0 class 4 wins with b4 = 1, and the corners still win far out.
  const auto lifted = audit_argmaxability(w, torch::tensor({0., 0., 0., 0., 1.}));
  EXPECT_TRUE(lifted.unargmaxable.empty());
  EXPECT_TRUE(lifted.has_bias);
}

// Monotone-chain convex hull in float64 (strict: collinear points are not vertices).
std::set<int64_t> hull_vertices(const torch::Tensor& w) {
  const int64_t n = w.size(0);
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  const auto x = [&](int64_t i) { return w[i][0].item<double>(); };
  const auto y = [&](int64_t i) { return w[i][1].item<double>(); };
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return x(a) < x(b) || (x(a) == x(b) && y(a) < y(b));
  });
  const auto cross = [&](int64_t o, int64_t a, int64_t b) {
    return (x(a) - x(o)) * (y(b) - y(o)) - (y(a) - y(o)) * (x(b) - x(o));
  };
  std::vector<int64_t> hull(2 * n);
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i) {
    while (k >= 2 && cross(hull[k - 2], hull[k - 1], order[i]) <= 0) --k;
    hull[k++] = order[i];
  }
  for (int64_t i = n - 2, lower = k + 1; i >= 0; --i) {
    while (k >= lower && cross(hull[k - 2], hull[k - 1], order[i]) <= 0) --k;
    hull[k++] = order[i];
  }
  return {hull.begin(), hull.begin() + k - 1};
}

// Without bias, class k is argmaxable iff w_k is a vertex of the convex hull of the rows.
TEST(Argmaxability, RandomPlaneWithoutBiasEqualsConvexHull) {
  torch::manual_seed(3);
  for (int trial = 0; trial < 5; ++trial) {
    const auto w = torch::randn({40, 2}, torch::kFloat64);
    const auto audit = audit_argmaxability(w, {});
    const auto vertices = hull_vertices(w);
    for (int64_t k = 0; k < 40; ++k) {
      const bool flagged = std::count(audit.unargmaxable.begin(), audit.unargmaxable.end(), k);
      EXPECT_EQ(flagged, !vertices.count(k)) << "trial " << trial << " class " << k;
    }
    EXPECT_GT(audit.unargmaxable.size(), 20u);  // most of 40 Gaussian points are inside
  }
}

// The exact stage alone (no braid reflect first) on more rivals than its first subset holds
// (64), so that constraint generation has to add the rivals a subset's witness loses to.
TEST(Argmaxability, ExactStageAloneEqualsConvexHullOnManyClasses) {
  torch::manual_seed(17);
  const auto w = torch::randn({300, 2}, torch::kFloat64);
  const auto b = torch::zeros({300}, torch::kFloat64);
  const auto vertices = hull_vertices(w);
  for (int64_t k = 0; k < 300; ++k) {
    const auto verdict = detail::exact_verdict(w, b, k, {});
    EXPECT_EQ(verdict.argmaxable, vertices.count(k) == 1) << "class " << k;
    EXPECT_EQ(verdict.decided_by, "lp");
  }
}

// With bias: every class seen winning on a dense polar grid is argmaxable (a hard guarantee),
// and every class the audit calls argmaxable shows up on the grid (its region is not thin).
TEST(Argmaxability, RandomPlaneWithBiasAgreesWithBruteForce) {
  torch::manual_seed(5);
  const auto w = torch::randn({30, 2}, torch::kFloat64);
  const auto b = torch::randn({30}, torch::kFloat64);
  const auto audit = audit_argmaxability(w, b);
  std::vector<torch::Tensor> points;
  for (const double r :
       {0.0, 0.05, 0.1, 0.2, 0.4, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 15.0, 40.0, 100.0})
    for (int a = 0; a < 4096; ++a) {
      const double angle = 2 * M_PI * a / 4096;
      points.push_back(torch::tensor({r * std::cos(angle), r * std::sin(angle)}, torch::kFloat64));
    }
  const auto winners = torch::addmm(b.unsqueeze(0), torch::stack(points), w.t()).argmax(1);
  std::set<int64_t> seen;
  for (int64_t i = 0; i < winners.size(0); ++i) seen.insert(winners[i].item<int64_t>());
  const std::set<int64_t> flagged(audit.unargmaxable.begin(), audit.unargmaxable.end());
  for (int64_t k = 0; k < 30; ++k) EXPECT_NE(seen.count(k), flagged.count(k)) << "class " << k;
  EXPECT_FALSE(flagged.empty());
}

// Rows planted inside the convex hull of others (no bias), or below a chord (bias), in 16 dims
// among 200 random rows: the audit finds each planted row, verified by its certificate.
TEST(Argmaxability, PlantedBoundedRowsAreFound) {
  torch::manual_seed(7);
  auto w = torch::randn({200, 16}, torch::kFloat64);
  w[21] *= 10;  // far out: where 21 and 22 tie, they beat every other row
  w[22] *= 10;
  w[10] = (w[11] + w[12] + w[13]) / 3;
  w[20] = 0.25 * w[21] + 0.75 * w[22];
  auto b = torch::zeros({200}, torch::kFloat64);
  const auto no_bias = audit_argmaxability(w, {});
  for (const int64_t k : {10, 20})
    EXPECT_TRUE(std::count(no_bias.unargmaxable.begin(), no_bias.unargmaxable.end(), k)) << k;
  b.normal_();
  b[10] = (b[11] + b[12] + b[13]) / 3 - 0.5;  // below the plane through its three rivals
  b[20] = 0.25 * b[21] + 0.75 * b[22] + 0.5;  // above the chord: now it wins between them
  const auto with_bias = audit_argmaxability(w, b);
  EXPECT_TRUE(std::count(with_bias.unargmaxable.begin(), with_bias.unargmaxable.end(), 10));
  EXPECT_FALSE(std::count(with_bias.unargmaxable.begin(), with_bias.unargmaxable.end(), 20));
}

// Equal-norm rows all lie on a sphere, so every one is a vertex: none is unargmaxable.
TEST(Argmaxability, EqualNormRowsHaveNone) {
  torch::manual_seed(11);
  auto w = torch::randn({300, 8}, torch::kFloat64);
  w = w / w.norm(2, 1, true);
  const auto audit = audit_argmaxability(w.to(torch::kFloat32), {});
  EXPECT_TRUE(audit.unargmaxable.empty());
  EXPECT_EQ(audit.classes, 300);
  EXPECT_EQ(audit.dim, 8);
  for (const auto& v : audit.decided) EXPECT_TRUE(v.argmaxable);
}

TEST(Argmaxability, DuplicateRowsTieOrLose) {
  auto w = rows({{1, 0}, {0, 1}, {-1, 0}, {0, -1}, {0, -1}});
  const auto tied = audit_argmaxability(w, {});
  EXPECT_EQ(tied.unargmaxable, (std::vector<int64_t>{3, 4}));  // they can at best tie
  for (const auto& v : tied.decided) {
    EXPECT_EQ(v.decided_by, "duplicate");
    EXPECT_EQ(v.rival, v.index == 3 ? 4 : 3);
  }
  const auto higher = audit_argmaxability(w, torch::tensor({0., 0., 0., 0., 0.5}));
  EXPECT_EQ(higher.unargmaxable, (std::vector<int64_t>{3}));  // 4 wins wherever 3 could
}

// Braid reflect alone only leaves candidates; every unargmaxable class is among them.
TEST(Argmaxability, BraidReflectCandidatesCoverTheUnargmaxable) {
  torch::manual_seed(13);
  const auto w = torch::randn({60, 3}, torch::kFloat64);
  ArgmaxabilityOptions fast;
  fast.exact = false;
  const auto braid = audit_argmaxability(w, {}, fast);
  const auto exact = audit_argmaxability(w, {});
  EXPECT_TRUE(braid.unargmaxable.empty());
  EXPECT_EQ(braid.undecided.size(), exact.decided.size());
  for (const auto k : exact.unargmaxable)
    EXPECT_TRUE(std::count(braid.undecided.begin(), braid.undecided.end(), k)) << k;
  EXPECT_FALSE(exact.unargmaxable.empty());
  EXPECT_EQ(braid.cleared_by_braid + static_cast<int64_t>(braid.undecided.size()), 60);
}

TEST(Argmaxability, WinMarginAndWitnesses) {
  const auto w = rows({{1, 0}, {0, 1}});
  const auto b = torch::zeros({2}, torch::kFloat64);
  EXPECT_DOUBLE_EQ(detail::win_margin(w, b, 0, torch::tensor({2., 0.5}, torch::kFloat64)), 1.5);
  EXPECT_DOUBLE_EQ(detail::win_margin(w, b, 1, torch::tensor({2., 0.5}, torch::kFloat64)), -1.5);
  const auto [z, won] = detail::braid_reflect(w, b, {0, 1}, 0);  // z = w_k wins already
  EXPECT_TRUE(won[0] && won[1]);
  EXPECT_TRUE(torch::equal(z, w));
}

TEST(Argmaxability, RejectsBadInput) {
  EXPECT_THROW(audit_argmaxability(torch::ones({4}), {}), std::invalid_argument);
  EXPECT_THROW(audit_argmaxability(torch::ones({4, 2}), torch::ones({3})), std::invalid_argument);
  auto nan = torch::ones({4, 2});
  nan[1][1] = std::nan("");
  EXPECT_THROW(audit_argmaxability(nan, {}), std::invalid_argument);
  ArgmaxabilityOptions bad;
  bad.box = 0;
  EXPECT_THROW(audit_argmaxability(torch::ones({4, 2}), {}, bad), std::invalid_argument);
}

}  // namespace
}  // namespace sentzoo
