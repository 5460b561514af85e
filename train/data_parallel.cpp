// A training run as one rank of a data-parallel job (train/data_parallel.h).
#include "train/data_parallel.h"

#include <fmt/format.h>

#include "core/compat.h"
#include "dist/gather_with_grad.h"

namespace sentzoo {

void DataParallel::check_same_run(const TrainRunConfig& config,
                                  const std::string& resolved_config,
                                  const RunSetup& run) {
  if (!communicator_) return;
  communicator_->check_same("resolved config (config file, --set and defaults)", resolved_config);
  // The training data as the batchers see it: per task, every example's token count (a cheap
  // fingerprint of the text and the tokenizer that catches a different file, order or vocab).
  std::string data;
  for (const auto& task : run.tasks) {
    data += fmt::format("{}:{}:", task.spec.name, task.objective.train_lengths.size());
    for (int64_t n : task.objective.train_lengths) data += fmt::format("{},", n);
    data += ";";
  }
  communicator_->check_same("training data (examples and token counts)", data);
  if (config.data.batch_size < world_size()) {
    throw std::runtime_error(fmt::format(
        "data.batch_size {} is the global batch, split over {} processes: it must be at least the "
        "number of processes",
        config.data.batch_size,
        world_size()));
  }
}

void DataParallel::check_same_resume_point(const std::string& checkpoint) {
  if (!communicator_) return;
  communicator_->check_same(
      fmt::format("checkpoint to resume from (this rank: {}; resuming needs the output folder on "
                  "a filesystem every rank sees)",
                  checkpoint.empty() ? "none" : checkpoint),
      checkpoint);
}

void DataParallel::broadcast_state(torch::nn::Module& model, torch::optim::Optimizer& optimizer) {
  if (!communicator_) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> tensors;
  for (const auto& p : model.parameters()) tensors.push_back(p.detach());
  for (const auto& b : model.buffers()) tensors.push_back(b);
  // AdamW's state, parameter by parameter in group order (the same on every rank after the same
  // checkpoint; empty before the first step).
  auto& states = optimizer.state();
  std::string layout;
  std::vector<std::pair<torch::optim::AdamWParamState*, size_t>> step_counts;  // -> tensors[k]
  for (auto& group : optimizer.param_groups()) {
    for (auto& p : group.params()) {
      auto found = states.find(compat::optimizer_state_key<std::decay_t<decltype(states)>>(p));
      if (found == states.end()) {
        layout += "-";
        continue;
      }
      auto& state = static_cast<torch::optim::AdamWParamState&>(*found->second);
      layout += "s";
      tensors.push_back(state.exp_avg());
      tensors.push_back(state.exp_avg_sq());
      step_counts.emplace_back(&state, tensors.size());
      tensors.push_back(torch::full({1},
                                    static_cast<int64_t>(state.step()),
                                    torch::dtype(torch::kLong).device(communicator_->device())));
    }
  }
  communicator_->check_same("optimizer state layout", layout);
  communicator_->broadcast(tensors, 0, "broadcast of rank 0's parameters and optimizer state");
  for (auto [state, k] : step_counts) state->step(tensors[k].cpu().item<int64_t>());
}

BatchShard DataParallel::shard(std::vector<int64_t> rows,
                               const std::string& task,
                               bool local_loss) {
  if (!communicator_) return BatchShard::whole(std::move(rows));
  BatchShard shard = shard_of(std::move(rows), rank(), world_size());
  shard.local_loss = local_loss;
  auto communicator = communicator_;
  const std::string what = fmt::format("all-gather of task '{}''s batch outputs", task);
  shard.gather_fn = [communicator, what](const torch::Tensor& local) {
    return gather_with_grad(*communicator, local, what);
  };
  return shard;
}

GradientSync* DataParallel::make_gradient_sync(const std::vector<torch::Tensor>& parameters) {
  if (!communicator_) return nullptr;
  sync_ = std::make_unique<GradientSync>(communicator_, parameters);
  return sync_.get();
}

int DataParallel::agree_on_stop(bool& early_stop, int own_signal) {
  if (!communicator_) return own_signal;
  // [rank 0's early stop, each rank's signal]: a sum where every rank fills only its own slot.
  auto flags = torch::zeros({1 + world_size()}, torch::kLong);
  if (is_root()) flags[0] = early_stop ? 1 : 0;
  flags[1 + rank()] = own_signal;
  std::vector<torch::Tensor> tensors{flags.to(communicator_->device())};
  communicator_->all_reduce_sum(tensors, "agreeing on whether to stop after this step");
  flags = tensors[0].cpu();
  early_stop = flags[0].item<int64_t>() > 0;
  if (own_signal) return own_signal;
  for (int r = 0; r < world_size(); ++r)
    if (const auto s = flags[1 + r].item<int64_t>()) return static_cast<int>(s);
  return 0;
}

}  // namespace sentzoo
