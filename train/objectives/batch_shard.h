#pragma once
// One global batch as one process of a data-parallel job sees it (issue #13): the batch's rows
// (example indices, the same on every rank: every rank draws the global batch from the same seeded
// batcher), the contiguous part of them this rank runs through the model, and `gather`, which
// turns this rank's outputs into the global batch's (dist/gather_with_grad.h) so that every rank
// computes the loss of the global batch, exactly as one process would. With one process the part
// is the whole batch and gather is the identity.
//
// An objective's loss (train/objectives/objective.h):
//   auto all = shard.run([&](const std::vector<int64_t>& local) {   // rows[begin, end)
//     return model->forward(batch of local ...);                     // (end - begin, ...)
//   });                                                              // (rows.size(), ...)
//   return loss(all, labels of shard.rows);

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace sentzoo {

struct BatchShard {
  std::vector<int64_t> rows;  // the global batch, in the batcher's order, e.g. 32 indices
  int64_t begin = 0;          // this rank runs rows[begin, end)
  int64_t end = 0;
  /// Batch-level losses (in-batch negatives, CoSENT) over this rank's rows only, as
  /// sentence-transformers without gather_across_devices (train.gather_embeddings false).
  bool local_loss = false;
  /// (end - begin, ...) -> (rows.size(), ...): every rank's rows in rank order, differentiable in
  /// this rank's (gradient x world size, see gather_with_grad). Empty: one process (identity).
  std::function<torch::Tensor(const torch::Tensor& local)> gather_fn;

  /// The whole batch on one rank.
  static BatchShard whole(std::vector<int64_t> rows) {
    BatchShard shard;
    shard.end = static_cast<int64_t>(rows.size());
    shard.rows = std::move(rows);
    return shard;
  }
  /// rows[begin, end): may be empty when the batch has fewer rows than there are ranks.
  std::vector<int64_t> local_rows() const { return {rows.begin() + begin, rows.begin() + end}; }
  torch::Tensor gather(const torch::Tensor& local) const {
    return gather_fn ? gather_fn(local) : local;
  }
  /// The rows a batch-level loss sees: the global batch, or this rank's with local_loss.
  std::vector<int64_t> loss_rows() const { return local_loss ? local_rows() : rows; }
  /// gather() for a batch-level loss: the identity with local_loss.
  torch::Tensor gather_for_loss(const torch::Tensor& local) const {
    return local_loss ? local : gather(local);
  }
  /// forward(local_rows()) gathered over the ranks (with `batch_loss`, gather_for_loss). A rank
  /// without rows runs nothing and takes part in the gather with an undefined tensor; every
  /// rank calls this alike.
  template <class Forward>
  torch::Tensor run(Forward&& forward, bool batch_loss = false) const {
    const auto local = local_rows();
    torch::Tensor out;
    if (!local.empty()) out = forward(local);
    return batch_loss ? gather_for_loss(out) : gather(out);
  }
};

/// Rank `rank` of `world_size`'s contiguous part of `rows`: [floor(r n / W), floor((r+1) n / W)),
/// so the parts differ by at most one row and follow rank order.
inline BatchShard shard_of(std::vector<int64_t> rows, int rank, int world_size) {
  BatchShard shard;
  const auto n = static_cast<int64_t>(rows.size());
  shard.begin = n * rank / world_size;
  shard.end = n * (rank + 1) / world_size;
  shard.rows = std::move(rows);
  return shard;
}

}  // namespace sentzoo
