// dist/communicator.h for a build without c10d's Gloo backend (dist/CMakeLists.txt says when):
// joining a job fails with the reason; one process runs as before.
#include <stdexcept>

#include "dist/communicator.h"

namespace sentzoo {

struct PendingCollective::Impl {};
struct Communicator::Impl {};

namespace {
[[noreturn]] void unavailable() {
  throw std::runtime_error(
      "this build of sentzoo has no c10d backend: data-parallel training needs Debian's LibTorch "
      "with libgloo-dev (Gloo), or a LibTorch built with CUDA and NCCL plus nccl.h (NCCL), at "
      "configure time");
}
}  // namespace

bool communicator_available(CommBackend) { return false; }
torch::Device Communicator::device() const { return torch::kCPU; }
PendingCollective::PendingCollective(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
void PendingCollective::wait() { unavailable(); }
Communicator::Communicator(std::unique_ptr<Impl> impl, int rank, int world_size)
    : impl_(std::move(impl)), rank_(rank), world_size_(world_size) {}
Communicator::~Communicator() = default;
std::shared_ptr<Communicator> Communicator::connect(const DistEnv&,
                                                    std::chrono::milliseconds,
                                                    CommBackend) {
  unavailable();
}
PendingCollective Communicator::all_reduce_sum_async(torch::Tensor, const std::string&) {
  unavailable();
}
void Communicator::all_reduce_sum(std::vector<torch::Tensor>&, const std::string&) {
  unavailable();
}
void Communicator::broadcast(std::vector<torch::Tensor>&, int, const std::string&) {
  unavailable();
}
std::vector<torch::Tensor> Communicator::all_gather(const torch::Tensor&, const std::string&) {
  unavailable();
}
void Communicator::check_same(const std::string&, const std::string&) { unavailable(); }
void Communicator::barrier(const std::string&) { unavailable(); }

}  // namespace sentzoo
