// Unargmaxable classes: braid reflect, then the exact LP with its dual certificate (see the
// header and REFERENCE.md §11). Everything in float64.
#include "metrics/argmaxability.h"

#include <coin/Clp_C_Interface.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <memory>
#include <numeric>
#include <stdexcept>

namespace sentzoo {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Rows per GEMM so that one (rows, C) float64 score block stays near 128 MB.
int64_t rows_per_block(int64_t classes) {
  return std::max<int64_t>(1, (int64_t{1} << 24) / std::max<int64_t>(classes, 1));
}

// For z (m, d) and the class k_r of each row: the least margin s_k - max_{i != k} s_i of
// s = W z_r + b (m), and the best rival j_r (m).
std::pair<torch::Tensor, torch::Tensor> margins_and_rivals(const torch::Tensor& weight,
                                                           const torch::Tensor& bias,
                                                           const torch::Tensor& k,
                                                           const torch::Tensor& z) {
  auto scores = torch::addmm(bias.unsqueeze(0), z, weight.t());  // (m, C)
  const auto own = scores.gather(1, k.unsqueeze(1)).squeeze(1);
  scores.scatter_(1, k.unsqueeze(1), -std::numeric_limits<double>::infinity());
  auto [best, rival] = scores.max(1);
  return {own - best, rival};
}

struct ClpModel {
  Clp_Simplex* model = Clp_newModel();
  ~ClpModel() { Clp_deleteModel(model); }
};

// max t s.t. a_i·z + n_i t <= -c_i, z in [-box, box]^d (rows a (m, d), c (m), n (m)), on CLP.
struct ChebyshevSolution {
  double t = 0;
  torch::Tensor z;      // (d) the optimal z
  torch::Tensor duals;  // (m) the row duals
};

ChebyshevSolution solve_chebyshev_lp(
    const torch::Tensor& a, const torch::Tensor& c, const torch::Tensor& n, double box, int64_t k) {
  const int64_t m = a.size(0), dim = a.size(1);
  // Column-major dense matrix: columns z_1..z_d, then t.
  const auto columns = torch::cat({a, n.unsqueeze(1)}, 1).t().contiguous();  // (d + 1, m)
  std::vector<CoinBigIndex> start(dim + 2);
  std::vector<int> index(static_cast<size_t>(m) * (dim + 1));
  for (int64_t col = 0; col <= dim + 1; ++col) start[col] = static_cast<CoinBigIndex>(col * m);
  for (size_t e = 0; e < index.size(); ++e) index[e] = static_cast<int>(e % m);
  std::vector<double> col_lower(dim + 1, -box), col_upper(dim + 1, box);
  col_lower[dim] = -DBL_MAX;  // t is free
  col_upper[dim] = DBL_MAX;
  std::vector<double> objective(dim + 1, 0.0);
  objective[dim] = -1;  // minimise -t
  std::vector<double> row_lower(m, -DBL_MAX), row_upper(m);
  const auto* c_ptr = c.data_ptr<double>();
  for (int64_t i = 0; i < m; ++i) row_upper[i] = -c_ptr[i];

  ClpModel lp;
  Clp_setLogLevel(lp.model, 0);
  Clp_setPrimalTolerance(lp.model, 1e-9);  // the reference's Gurobi FeasibilityTol
  Clp_loadProblem(lp.model,
                  static_cast<int>(dim + 1),
                  static_cast<int>(m),
                  start.data(),
                  index.data(),
                  columns.data_ptr<double>(),
                  col_lower.data(),
                  col_upper.data(),
                  objective.data(),
                  row_lower.data(),
                  row_upper.data());
  Clp_initialSolve(lp.model);
  if (Clp_status(lp.model) != 0)
    throw std::runtime_error(
        fmt::format("class {}: the LP did not solve (CLP status {}, secondary {})",
                    k,
                    Clp_status(lp.model),
                    Clp_secondaryStatus(lp.model)));
  ChebyshevSolution solution;
  solution.t = -Clp_objectiveValue(lp.model);
  // Copies: CLP owns these arrays and frees them with the model.
  solution.z =
      torch::from_blob(const_cast<double*>(Clp_getColSolution(lp.model)), {dim}, torch::kFloat64)
          .clone();
  solution.duals =
      torch::from_blob(const_cast<double*>(Clp_getRowPrice(lp.model)), {m}, torch::kFloat64)
          .clone();
  return solution;
}

}  // namespace

namespace detail {

double win_margin(const torch::Tensor& weight,
                  const torch::Tensor& bias,
                  int64_t k,
                  const torch::Tensor& z) {
  const auto rows = torch::tensor({k}, torch::kLong);
  return margins_and_rivals(weight, bias, rows, z.reshape({1, -1})).first.item<double>();
}

std::pair<torch::Tensor, std::vector<bool>> braid_reflect(const torch::Tensor& weight,
                                                          const torch::Tensor& bias,
                                                          const std::vector<int64_t>& classes,
                                                          int64_t patience) {
  const auto n = static_cast<int64_t>(classes.size());
  const auto all_k = torch::tensor(classes, torch::kLong);
  auto z = weight.index_select(0, all_k).clone();  // (n, d): start at z = w_k
  std::vector<bool> won(n, false);
  std::vector<int64_t> active(n);
  std::iota(active.begin(), active.end(), 0);
  const int64_t block = rows_per_block(weight.size(0));
  for (int64_t round = 0; round <= patience && !active.empty(); ++round) {
    std::vector<int64_t> still;
    for (size_t from = 0; from < active.size(); from += block) {
      const auto count = std::min<size_t>(block, active.size() - from);
      const auto rows = torch::tensor(
          std::vector<int64_t>(active.begin() + from, active.begin() + from + count), torch::kLong);
      const auto k = all_k.index_select(0, rows);
      auto zk = z.index_select(0, rows);  // (m, d)
      auto [margin, j] = margins_and_rivals(weight, bias, k, zk);
      const auto wins = (margin > 0).contiguous();
      const auto* win = wins.data_ptr<bool>();
      if (round == patience) {
        for (size_t r = 0; r < count; ++r) won[active[from + r]] = win[r];
        continue;
      }
      // Reflect across the hyperplane where k and j tie: with v = (w_k - w_j) / |w_k - w_j|,
      // z <- z - 2 (v·z + (b_k - b_j) / |w_k - w_j|) v (stollen swap). A rival with the same
      // weights cannot be reflected away: the class stays a candidate for the exact stage.
      auto diff = weight.index_select(0, k) - weight.index_select(0, j);  // (m, d)
      const auto norm = diff.norm(2, 1, /*keepdim=*/true);                // (m, 1)
      const auto movable = (norm.squeeze(1) > 0).contiguous();
      const auto v = diff / norm.clamp_min(std::numeric_limits<double>::min());
      const auto offset =
          (v * zk).sum(1, true) + (bias.index_select(0, k) - bias.index_select(0, j)).unsqueeze(1) /
                                      norm.clamp_min(std::numeric_limits<double>::min());
      zk = torch::where(wins.unsqueeze(1), zk, zk - 2 * offset * v);
      z.index_copy_(0, rows, zk);
      const auto* can_move = movable.data_ptr<bool>();
      for (size_t r = 0; r < count; ++r) {
        if (win[r])
          won[active[from + r]] = true;
        else if (can_move[r])
          still.push_back(active[from + r]);
      }
    }
    if (round < patience) active = std::move(still);
  }
  return {z, won};
}

ClassVerdict exact_verdict(const torch::Tensor& weight,
                           const torch::Tensor& bias,
                           int64_t k,
                           const ArgmaxabilityOptions& options) {
  const int64_t classes = weight.size(0), dim = weight.size(1);
  ClassVerdict verdict;
  verdict.index = k;
  verdict.decided_by = "lp";
  // A_i = w_i - w_k, c_i = b_i - b_k, n_i = |A_i| over the rivals i != k.
  const auto a_all = weight - weight[k];
  const auto c_all = bias - bias[k];
  const auto n_all = a_all.norm(2, 1);
  const double scale = 1 + weight[k].norm().item<double>();
  std::vector<int64_t> kept;
  const auto* n_ptr = n_all.data_ptr<double>();
  const auto* c_ptr = c_all.data_ptr<double>();
  for (int64_t i = 0; i < classes; ++i) {
    if (i == k) continue;
    if (n_ptr[i] > 1e-12 * scale) {
      kept.push_back(i);
    } else if (c_ptr[i] >= 0) {  // the same weights and a bias at least k's: k never wins
      verdict.decided_by = "duplicate";
      verdict.rival = i;
      verdict.bound = -c_ptr[i];
      return verdict;
    }  // else k beats i everywhere: the row constrains nothing
  }
  if (kept.empty()) {  // no rival that can beat k: any z is a witness
    verdict.argmaxable = true;
    verdict.bound = win_margin(weight, bias, k, weight[k]);
    return verdict;
  }
  const auto kept_t = torch::tensor(kept, torch::kLong);
  const auto a = a_all.index_select(0, kept_t);  // (m, d)
  const auto c = c_all.index_select(0, kept_t);  // (m)
  const auto n = n_all.index_select(0, kept_t);  // (m)
  const auto m = static_cast<int64_t>(kept.size());

  // Constraint generation: solve over a subset of rivals, starting with those that score
  // highest at z = w_k. A subset's optimum bounds the full one from above, so "no margin" on
  // the subset (with its certificate) holds for all rivals; a subset witness either wins
  // against every rival or names the rivals it loses to, which join the subset (they are never
  // in it already: a constraint of the subset holds at its optimum). Ends with the full LP at
  // the latest.
  const int64_t batch = std::max<int64_t>(64, 2 * (dim + 1));
  std::vector<bool> in_subset(m, false);
  std::vector<int64_t> subset;
  // Adds up to `batch` rivals not yet in the subset, highest s_i - s_k at z first; with
  // `violators_only`, only those that tie or beat k there.
  const auto add_worst = [&](const torch::Tensor& z, bool violators_only) {
    const auto gaps = (a.mv(z) + c).contiguous();  // s_i - s_k at z, (m)
    const auto order = gaps.argsort(0, /*descending=*/true).contiguous();
    const auto* o = order.data_ptr<int64_t>();
    const auto* g = gaps.data_ptr<double>();
    int64_t added = 0;
    for (int64_t r = 0; r < m && added < batch; ++r) {
      if (violators_only && !(g[o[r]] >= 0)) break;
      if (in_subset[o[r]]) continue;
      in_subset[o[r]] = true;
      subset.push_back(o[r]);
      ++added;
    }
    return added;
  };
  add_worst(weight[k], /*violators_only=*/false);
  for (;;) {
    const auto rows = torch::tensor(subset, torch::kLong);
    const auto a_s = a.index_select(0, rows), c_s = c.index_select(0, rows),
               n_s = n.index_select(0, rows);
    const auto solution = solve_chebyshev_lp(a_s, c_s, n_s, options.box, k);
    if (solution.t > options.eps) {
      const double margin = win_margin(weight, bias, k, solution.z);
      if (margin > 0) {
        verdict.argmaxable = true;
        verdict.bound = margin;
        return verdict;
      }
      if (add_worst(solution.z, /*violators_only=*/true) == 0)
        throw std::runtime_error(fmt::format(
            "class {}: the LP finds a margin of {:.3g} but its witness does not win (margin "
            "{:.3g}): numerically borderline",
            k,
            solution.t,
            margin));
      continue;
    }
    // The certificate: alpha = |row duals| on the subset (zero elsewhere), scaled to
    // sum alpha_i n_i = 1, and its bound D(alpha).
    auto alpha = solution.duals.abs();
    const double weight_sum = (alpha * n_s).sum().item<double>();
    if (!(weight_sum > 0))
      throw std::runtime_error(fmt::format("class {}: the LP's duals carry no certificate", k));
    alpha = alpha / weight_sum;
    verdict.bound = (-(alpha * c_s).sum() + options.box * alpha.unsqueeze(0).mm(a_s).abs().sum())
                        .item<double>();
    const double tolerance = 1e-6;
    if (!(verdict.bound <= options.eps + tolerance))
      throw std::runtime_error(fmt::format(
          "class {}: the LP finds no margin above {:.3g} (t = {:.3g}) but its dual certificate "
          "bounds the margin only by {:.3g}",
          k,
          options.eps,
          solution.t,
          verdict.bound));
    return verdict;
  }
}

}  // namespace detail

ArgmaxabilityAudit audit_argmaxability(const torch::Tensor& weight,
                                       const torch::Tensor& bias,
                                       const ArgmaxabilityOptions& options,
                                       const StageProgress& progress) {
  if (weight.dim() != 2 || weight.size(0) < 1 || weight.size(1) < 1)
    throw std::invalid_argument(
        fmt::format("argmaxability: expected a weight matrix (classes, dim), found shape {}",
                    fmt::join(weight.sizes(), "x")));
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != weight.size(0)))
    throw std::invalid_argument(
        fmt::format("argmaxability: expected a bias of {} values, found shape {}",
                    weight.size(0),
                    fmt::join(bias.sizes(), "x")));
  if (options.patience < 0 || !(options.box > 0) || !(options.eps >= 0))
    throw std::invalid_argument("argmaxability: expected patience >= 0, box > 0, eps >= 0");
  const auto w = weight.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  const auto b = bias.defined() ? bias.detach().to(torch::kCPU, torch::kFloat64).contiguous()
                                : torch::zeros({w.size(0)}, torch::kFloat64);
  if (!torch::isfinite(w).all().item<bool>() || !torch::isfinite(b).all().item<bool>())
    throw std::invalid_argument("argmaxability: the weights or the bias hold NaN or infinity");

  ArgmaxabilityAudit audit;
  audit.classes = w.size(0);
  audit.dim = w.size(1);
  audit.has_bias = bias.defined();
  const auto start = Clock::now();
  if (progress) progress("braid reflect", 0, audit.classes);
  std::vector<int64_t> all(audit.classes);
  std::iota(all.begin(), all.end(), 0);
  const auto [witnesses, won] = detail::braid_reflect(w, b, all, options.patience);
  // Check every witness again, apart from the loop that found it.
  const auto margins =
      margins_and_rivals(w, b, torch::tensor(all, torch::kLong), witnesses).first.contiguous();
  std::vector<int64_t> candidates;
  for (int64_t k = 0; k < audit.classes; ++k) {
    if (!won[k]) {
      candidates.push_back(k);
    } else if (!(margins.data_ptr<double>()[k] > 0)) {
      throw std::logic_error(fmt::format("argmaxability: class {}'s witness does not win", k));
    }
  }
  audit.cleared_by_braid = audit.classes - static_cast<int64_t>(candidates.size());
  audit.braid_seconds = seconds_since(start);
  if (progress) progress("braid reflect", audit.classes, audit.classes);

  if (!options.exact) {
    audit.undecided = candidates;
    return audit;
  }
  const auto exact_start = Clock::now();
  const auto total = static_cast<int64_t>(candidates.size());
  if (progress) progress("exact LP", 0, total);
  for (int64_t done = 0; done < total; ++done) {
    auto verdict = detail::exact_verdict(w, b, candidates[done], options);
    if (!verdict.argmaxable) audit.unargmaxable.push_back(verdict.index);
    audit.decided.push_back(std::move(verdict));
    if (progress) progress("exact LP", done + 1, total);
  }
  audit.exact_seconds = seconds_since(exact_start);
  return audit;
}

}  // namespace sentzoo
