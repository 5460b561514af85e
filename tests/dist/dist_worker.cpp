// One rank of the two-process tests (tests/dist/dist_process_test.cpp starts two of it with the
// torchrun environment set). Writes its results under OUT and exits 0, or prints the error and
// exits 1.
//   sentzoo_dist_worker MODE OUT TIMEOUT_SECONDS
//   MODE: collectives | gradients | gather | mismatch | die
#include <csignal>
#include <cstdio>
#include <string>

#include "dist/communicator.h"
#include "dist/gather_with_grad.h"
#include "dist/gradient_sync.h"
#include "tests/dist/dist_cases.h"

namespace {

using namespace sentzoo;
namespace cases = sentzoo::testing::dist_cases;

void save(const std::vector<torch::Tensor>& tensors, const std::string& path) {
  std::vector<torch::Tensor> defined;
  for (const auto& t : tensors) defined.push_back(t.defined() ? t : torch::full({1}, -12345.0));
  torch::save(defined, path);
}

int run(const std::string& mode, const std::string& out, int timeout_seconds) {
  const DistEnv env = read_dist_env();
  auto comm = Communicator::connect(env, std::chrono::seconds(timeout_seconds));
  const std::string suffix = "-rank" + std::to_string(comm->rank()) + ".pt";
  if (mode == "collectives") {
    std::vector<torch::Tensor> sum{torch::full({4}, comm->rank() + 1.0)};
    comm->all_reduce_sum(sum, "test all-reduce");
    std::vector<torch::Tensor> bcast{torch::full({3}, comm->rank() == 1 ? 7.0 : -1.0)};
    comm->broadcast(bcast, 1, "test broadcast");
    auto rows = torch::full({comm->rank() + 1, 2}, static_cast<double>(comm->rank()));
    auto gathered = torch::cat(comm->all_gather(rows, "test all-gather"), 0);
    save({sum[0], bcast[0], gathered}, out + "/collectives" + suffix);
  } else if (mode == "gradients") {
    // Each rank: its half of the global batch, as two micro-batches of 4 rows (accumulated),
    // with buckets of at most 256 bytes (several per step).
    cases::Mlp model;
    auto [x, y] = cases::regression_batch();
    GradientSync sync(comm, model.parameters(), 256);
    for (int micro = 0; micro < 2; ++micro) {
      sync.begin(/*sync=*/micro == 1);
      const int64_t begin = comm->rank() * 8 + micro * 4;
      (cases::regression_loss(model, x.narrow(0, begin, 4), y.narrow(0, begin, 4)) / 2).backward();
    }
    sync.finish();
    auto grads = cases::gradients_of(model);
    grads.push_back(torch::full({1}, static_cast<double>(sync.buckets())));
    save(grads, out + "/gradients" + suffix);
  } else if (mode == "gather") {
    auto encoder = cases::pair_encoder();
    auto [anchors, positives] = cases::pair_batch();
    const auto [begin, end] = cases::pair_rows(comm->rank());
    GradientSync sync(comm, encoder->parameters());
    sync.begin(true);
    auto a = gather_with_grad(*comm, encoder(anchors.slice(0, begin, end)), "anchors");
    auto p = gather_with_grad(*comm, encoder(positives.slice(0, begin, end)), "positives");
    auto loss = cases::in_batch_loss(a, p);
    loss.backward();
    sync.finish();
    auto grads = cases::gradients_of(*encoder);
    grads.push_back(loss.detach().reshape({1}));
    save(grads, out + "/gather" + suffix);
  } else if (mode == "mismatch") {
    comm->check_same("config", comm->rank() == 0 ? "{\"seed\": 1}" : "{\"seed\": 2}");
  } else if (mode == "die") {
    if (comm->rank() == 1) std::raise(SIGKILL);
    std::vector<torch::Tensor> sum{torch::ones({4})};
    comm->all_reduce_sum(sum, "test all-reduce after a peer died");
  } else {
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: sentzoo_dist_worker MODE OUT TIMEOUT_SECONDS\n");
    return 2;
  }
  try {
    return run(argv[1], argv[2], std::stoi(argv[3]));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
