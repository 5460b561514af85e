#pragma once
// What the training loop does differently as one rank of a data-parallel job (issue #13;
// dist/communicator.h). Semantics are those of one process with the global batch: every rank
// builds the same run from the same config and data (checked at start), draws the same global
// batches from the same seeded batchers, runs its contiguous share of each batch's rows
// (train/objectives/batch_shard.h), gathers the outputs so every rank computes the global
// batch's loss, and averages gradients over ranks during backward (dist/gradient_sync.h) before
// clipping, loss scaling, combiners and the optimizer see them. Rank 0 alone writes (checkpoints,
// metrics, best/) and evaluates; the data position and RNG streams are functions of the step
// (and, for dropout, the rank), so a checkpoint resumes every rank.

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dist/communicator.h"
#include "dist/gradient_sync.h"
#include "train/objectives/batch_shard.h"
#include "train/run_setup.h"

namespace sentzoo {

class DataParallel {
 public:
  /// `communicator` null: one process (every method is then a no-op or the identity).
  explicit DataParallel(std::shared_ptr<Communicator> communicator)
      : communicator_(std::move(communicator)) {}

  bool active() const { return communicator_ != nullptr; }
  int rank() const { return communicator_ ? communicator_->rank() : 0; }
  int world_size() const { return communicator_ ? communicator_->world_size() : 1; }
  bool is_root() const { return rank() == 0; }

  /// Throws on every rank when the ranks' resolved configs or training data differ, or the
  /// batch is too small to give every rank a row.
  void check_same_run(const TrainRunConfig& config,
                      const std::string& resolved_config,
                      const RunSetup& run);
  /// Throws on every rank unless all resume from the same checkpoint ("" = fresh start).
  void check_same_resume_point(const std::string& checkpoint);
  /// Rank 0's parameters, buffers and optimizer state (AdamW moments, step counts) into every
  /// rank's: at start (the same init everywhere, whatever the RNG did) and after resume.
  void broadcast_state(torch::nn::Module& model, torch::optim::Optimizer& optimizer);

  /// This rank's share of the global batch `rows`; `local_loss`: batch-level losses over this
  /// rank's rows only (train.gather_embeddings false).
  BatchShard shard(std::vector<int64_t> rows, const std::string& task, bool local_loss);

  /// Starts averaging `parameters`' gradients during backward (null with one process).
  GradientSync* make_gradient_sync(const std::vector<torch::Tensor>& parameters);

  /// One decision for all ranks at the end of a step: stop when rank 0 decided an early stop or
  /// any rank got SIGINT/SIGTERM. Returns the signal that stops this rank (its own, else the
  /// first peer's; 0: none) and sets `early_stop` from rank 0.
  int agree_on_stop(bool& early_stop, int own_signal);

 private:
  std::shared_ptr<Communicator> communicator_;
  std::unique_ptr<GradientSync> sync_;
};

}  // namespace sentzoo
