#pragma once
// Gradient averaging across ranks that overlaps with backward, as PyTorch's
// DistributedDataParallel does (its Reducer): the parameters are split into buckets of about
// `bucket_bytes`, in reverse order (the order backward produces their gradients); a hook on each
// parameter's gradient accumulator notes when its gradient is complete, and a bucket whose
// gradients are all complete is flattened and all-reduced at once, without blocking, while
// backward goes on. Buckets are launched strictly in order on every rank (collectives must match
// across ranks); finish() launches the ones backward never completed (parameters no loss used
// this step), waits for all and writes the mean over ranks back into the gradients. A parameter
// that no rank used keeps an undefined gradient (the optimizer skips it, as in one process); one
// that only some ranks used gets the mean with zeros from the others.

#include <torch/torch.h>

#include <memory>
#include <mutex>
#include <vector>

#include "dist/communicator.h"

namespace sentzoo {

class GradientSync {
 public:
  /// `parameters`: every trained parameter, in registration order (the same on every rank).
  GradientSync(std::shared_ptr<Communicator> communicator,
               std::vector<torch::Tensor> parameters,
               int64_t bucket_bytes = int64_t{25} << 20);
  ~GradientSync();
  GradientSync(const GradientSync&) = delete;
  GradientSync& operator=(const GradientSync&) = delete;

  /// Before the backward passes of one optimizer step; `sync` false for the micro-batches of a
  /// gradient accumulation that only accumulate (the hooks then do nothing; call begin(true)
  /// before the last micro-batch's backward).
  void begin(bool sync);
  /// After the last backward of the step: every bucket reduced, gradients averaged.
  void finish();

  int64_t buckets() const { return static_cast<int64_t>(buckets_.size()); }
  /// Seconds finish() has spent waiting for communication (what overlap hid is not in it), and
  /// bytes this rank has all-reduced, over all finish() calls so far (a step's: the difference).
  double total_wait_seconds() const { return total_wait_seconds_; }
  int64_t total_bytes() const { return total_bytes_; }

 private:
  struct Bucket {
    std::vector<size_t> members;  // indices into parameters_
    int64_t numel = 0;            // gradient elements (+ one "used" flag per member)
    size_t ready = 0;             // members whose gradient is complete this step
    bool launched = false;
    torch::Tensor flat;
    std::unique_ptr<PendingCollective> pending;
  };
  void on_gradient_ready(size_t parameter);  // from the accumulator hooks
  void launch_ready_buckets();               // in order, as far as they are complete
  void launch(size_t bucket);

  std::shared_ptr<Communicator> communicator_;
  std::vector<torch::Tensor> parameters_;
  std::vector<size_t> bucket_of_;  // parameter -> bucket
  std::vector<Bucket> buckets_;
  std::vector<bool> seen_;  // parameter's hook fired this step
  struct Hooks;
  std::unique_ptr<Hooks> hooks_;
  std::mutex mutex_;
  bool sync_ = false;
  size_t next_launch_ = 0;
  double total_wait_seconds_ = 0;
  int64_t total_bytes_ = 0;
};

}  // namespace sentzoo
