#pragma once
// Unargmaxable classes of a softmax output layer (REFERENCE.md §11; blog 9046; Grivas, Bogoychev
// and Lopez, ACL 2022, andreasgrv/unargmaxable "stollen"). Class k of the logits W z + b is
// argmaxable iff some z makes it win strictly: (w_k - w_i)·z + (b_k - b_i) > 0 for every i != k.
//
// Two stages, as in the reference:
// 1. Braid reflect (stollen candidate_is_bounded / swap): start at z = w_k; while another class j
//    wins, reflect z across the hyperplane where k and j tie. A z where k wins proves k
//    argmaxable. Batched over classes: one (classes x C) GEMM per round, in float64.
// 2. The classes it cannot clear go to the exact LP (stollen lp_chebyshev; CLP here, Gurobi
//    there): with A_i = w_i - w_k, c_i = b_i - b_k, n_i = |A_i|,
//        maximise t  s.t.  A_i·z + n_i t <= -c_i  (i != k),  z in [-B, B]^d.
//    t* > eps: argmaxable, the LP's z is the witness (reference: eps = 1e-8, B = 100).
//    Solved by constraint generation: first over the rivals that score highest at z = w_k,
//    then adding the rivals a subset's witness loses to (a subset's t* bounds the full t*).
//    Otherwise k is unargmaxable within the box, and the LP's duals are the certificate:
//    alpha >= 0 with sum_i alpha_i n_i = 1 bounds every z in the box by
//        t(z) <= D(alpha) = -sum_i alpha_i c_i + B |sum_i alpha_i A_i|_1,
//    so D(alpha) <= eps proves that no z in the box lets k win by more than eps.
// Every verdict is verified independently of the stage that found it, in float64: a witness by
// the argmax of W z + b (k must win strictly), a certificate by evaluating D(alpha). A verdict
// that fails its check throws (it would be a solver bug, never reported as a result).
//
// A class whose weights equal another's (A_i = 0) loses or ties to it everywhere when its bias
// is not larger (unargmaxable, certificate: that class); with a larger bias the row is dropped.
// Strict wins only: a class that can at best tie is unargmaxable, as in the definition.
// The reachable z may be smaller than the box (e.g. after a LayerNorm); like the reference, the
// audit treats every z in the box as reachable.

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/progress.h"

namespace sentzoo {

struct ArgmaxabilityOptions {
  int64_t patience = 100;  // braid-reflect rounds per class (the reference's default)
  double box = 100;        // B: the LP looks for z in [-B, B]^d (stollen lb/ub)
  double eps = 1e-8;       // the LP's least margin t that counts as a win (stollen eps)
  bool exact = true;       // false: stop after braid reflect; its candidates stay undecided
};

/// How one class that braid reflect could not clear was decided.
struct ClassVerdict {
  int64_t index = 0;
  bool argmaxable = false;
  std::string decided_by;  // "lp", or "duplicate" (equal weights, bias not larger than `rival`)
  double bound = 0;        // argmaxable: the witness's least margin; else D(alpha) (<= eps)
  int64_t rival = -1;      // "duplicate": the class k ties or loses to everywhere
};

struct ArgmaxabilityAudit {
  int64_t classes = 0, dim = 0;
  bool has_bias = false;
  int64_t cleared_by_braid = 0;       // argmaxable, proven by a braid-reflect witness
  std::vector<ClassVerdict> decided;  // the braid-reflect candidates, decided exactly
  std::vector<int64_t> undecided;     // candidates left when options.exact is false
  std::vector<int64_t> unargmaxable;  // ascending
  double braid_seconds = 0, exact_seconds = 0;
};

/// Audits every row of `weight` (C, d) with `bias` (C) or an undefined tensor (no bias). Any
/// floating dtype; computed in float64 on the CPU. `progress` gets "braid reflect" (classes
/// cleared) and "exact LP" (candidates decided). Throws std::invalid_argument for bad shapes or
/// non-finite values.
ArgmaxabilityAudit audit_argmaxability(const torch::Tensor& weight,
                                       const torch::Tensor& bias,
                                       const ArgmaxabilityOptions& options = {},
                                       const StageProgress& progress = {});

namespace detail {
/// The least margin min_{i != k} (s_k - s_i) of s = W z + b (float64 W (C, d), b (C), z (d)):
/// > 0 iff k wins strictly at z.
double win_margin(const torch::Tensor& weight,
                  const torch::Tensor& bias,
                  int64_t k,
                  const torch::Tensor& z);

/// Braid reflect for `classes` at once (float64 W, b): witness rows (n, d) and, per class,
/// whether its row is a witness (k wins there) after at most `patience` rounds.
std::pair<torch::Tensor, std::vector<bool>> braid_reflect(const torch::Tensor& weight,
                                                          const torch::Tensor& bias,
                                                          const std::vector<int64_t>& classes,
                                                          int64_t patience);

/// The exact stage for one class (float64 W, b), verified as described above.
ClassVerdict exact_verdict(const torch::Tensor& weight,
                           const torch::Tensor& bias,
                           int64_t k,
                           const ArgmaxabilityOptions& options);
}  // namespace detail

}  // namespace sentzoo
