#pragma once
// Collectives between the ranks of a data-parallel job, on c10d (the engine of PyTorch's own
// DistributedDataParallel): a TCPStore rendezvous at MASTER_ADDR:MASTER_PORT (rank 0 serves it)
// and a Gloo process group over TCP (TOOLCHAIN.md §9) or an NCCL one (CUDA). c10d stays inside
// communicator.cpp; every failure (a peer that died, a timeout) surfaces as std::runtime_error
// naming this rank, the operation and c10d's own message.

#include <torch/torch.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "dist/dist_env.h"

namespace sentzoo {

/// An operation in flight (communicator.cpp holds the c10d work).
class PendingCollective {
 public:
  struct Impl;
  explicit PendingCollective(std::shared_ptr<Impl> impl);
  /// Blocks until it completes; throws std::runtime_error when it failed or timed out.
  void wait();

 private:
  std::shared_ptr<Impl> impl_;
};

/// The c10d backend of a job: Gloo (CPU tensors) or NCCL (CUDA tensors, one GPU per rank).
enum class CommBackend { kGloo, kNccl };

/// Whether this build has `backend` (dist/CMakeLists.txt); without it connect() throws.
bool communicator_available(CommBackend backend = CommBackend::kGloo);

class Communicator {
 public:
  /// Joins the job `env` describes (every rank must call it; blocks until all have joined or
  /// `timeout` passes). `timeout` also bounds every later collective.
  static std::shared_ptr<Communicator> connect(const DistEnv& env,
                                               std::chrono::milliseconds timeout,
                                               CommBackend backend = CommBackend::kGloo);
  ~Communicator();

  int rank() const { return rank_; }
  int world_size() const { return world_size_; }
  /// Where the tensors of its collectives must live: the CPU (Gloo) or this rank's GPU (NCCL).
  torch::Device device() const;

  /// Sum over ranks of a contiguous CPU tensor, in place, without blocking.
  PendingCollective all_reduce_sum_async(torch::Tensor tensor, const std::string& what);
  /// Sums each tensor over ranks, in place (blocking).
  void all_reduce_sum(std::vector<torch::Tensor>& tensors, const std::string& what);
  /// Rank `root`'s values into every rank's tensors, in place (same shapes on every rank).
  void broadcast(std::vector<torch::Tensor>& tensors, int root, const std::string& what);
  /// Every rank's `tensor`, in rank order. The first dimension may differ between ranks; the
  /// others and the dtype must agree (else every rank throws). An undefined `tensor` stands for
  /// no rows (a rank whose share of a batch is empty): it comes back with 0 rows and the other
  /// ranks' dimensions and dtype.
  std::vector<torch::Tensor> all_gather(const torch::Tensor& tensor, const std::string& what);
  /// Throws on every rank when `value` is not the same on all of them, naming `what` and the
  /// ranks that differ from rank 0 (e.g. the resolved config, the data's fingerprint).
  void check_same(const std::string& what, const std::string& value);
  void barrier(const std::string& what);

  struct Impl;

 private:
  Communicator(std::unique_ptr<Impl> impl, int rank, int world_size);
  std::unique_ptr<Impl> impl_;
  int rank_;
  int world_size_;
};

}  // namespace sentzoo
