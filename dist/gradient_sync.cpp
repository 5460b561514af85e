// Bucketed gradient all-reduce overlapping backward (dist/gradient_sync.h).
#include "dist/gradient_sync.h"

#include <fmt/format.h>
#include <torch/csrc/autograd/function.h>

#include <chrono>

namespace sentzoo {

namespace {

// Calls `ready` after the accumulator of one parameter has written its gradient.
struct AccumulatedHook : torch::autograd::FunctionPostHook {
  std::function<void()> ready;
  explicit AccumulatedHook(std::function<void()> f) : ready(std::move(f)) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                            const torch::autograd::variable_list&) override {
    ready();
    return outputs;
  }
};

}  // namespace

// The accumulators are held here: a parameter only keeps a weak reference to its own, so one
// nobody holds is rebuilt (without the hook) by the next backward.
// (A shared_ptr in LibTorch 1.13, an intrusive_ptr in 2.x: the type is taken from the function.)
struct GradientSync::Hooks {
  using Accumulator = decltype(torch::autograd::impl::grad_accumulator(
      std::declval<const torch::autograd::Variable&>()));
  std::vector<Accumulator> accumulators;
  std::vector<uintptr_t> keys;  // of our hook on each, removed by ~GradientSync
};

GradientSync::GradientSync(std::shared_ptr<Communicator> communicator,
                           std::vector<torch::Tensor> parameters,
                           int64_t bucket_bytes)
    : communicator_(std::move(communicator)),
      parameters_(std::move(parameters)),
      bucket_of_(parameters_.size()),
      seen_(parameters_.size(), false),
      hooks_(std::make_unique<Hooks>()) {
  TORCH_CHECK(bucket_bytes > 0, "GradientSync: bucket_bytes must be > 0");
  // Reverse order: backward completes the last layers' gradients first.
  for (size_t k = parameters_.size(); k-- > 0;) {
    const auto& p = parameters_[k];
    TORCH_CHECK(p.requires_grad() && p.is_leaf(),
                "GradientSync: parameter ",
                k,
                " is not a trained leaf tensor");
    const bool fits =
        !buckets_.empty() &&
        parameters_[buckets_.back().members.front()].scalar_type() == p.scalar_type() &&
        (buckets_.back().numel + p.numel()) * static_cast<int64_t>(p.element_size()) <=
            bucket_bytes;
    if (!fits) buckets_.emplace_back();
    buckets_.back().members.push_back(k);
    buckets_.back().numel += p.numel() + 1;  // + its "used" flag
    bucket_of_[k] = buckets_.size() - 1;
  }
  for (size_t k = 0; k < parameters_.size(); ++k) {
    auto accumulator = torch::autograd::impl::grad_accumulator(parameters_[k]);
    hooks_->keys.push_back(accumulator->add_post_hook(
        std::make_unique<AccumulatedHook>([this, k]() { on_gradient_ready(k); })));
    hooks_->accumulators.push_back(std::move(accumulator));
  }
}

// The hooks go with us: a graph still alive keeps the accumulators (and would call them).
GradientSync::~GradientSync() {
  for (size_t k = 0; k < hooks_->accumulators.size(); ++k)
    hooks_->accumulators[k]->del_post_hook(hooks_->keys[k]);
}

void GradientSync::begin(bool sync) {
  std::lock_guard<std::mutex> lock(mutex_);
  sync_ = sync;
  next_launch_ = 0;
  std::fill(seen_.begin(), seen_.end(), false);
  for (auto& b : buckets_) {
    b.ready = 0;
    b.launched = false;
    b.pending.reset();
    b.flat = torch::Tensor();
  }
}

void GradientSync::on_gradient_ready(size_t parameter) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!sync_ || seen_[parameter]) return;
  seen_[parameter] = true;
  ++buckets_[bucket_of_[parameter]].ready;
  launch_ready_buckets();
}

void GradientSync::launch_ready_buckets() {
  while (next_launch_ < buckets_.size() &&
         buckets_[next_launch_].ready == buckets_[next_launch_].members.size())
    launch(next_launch_++);
}

void GradientSync::launch(size_t index) {
  Bucket& b = buckets_[index];
  const auto& first = parameters_[b.members.front()];
  std::vector<torch::Tensor> pieces;
  auto flags =
      torch::zeros({static_cast<int64_t>(b.members.size())}, first.options().requires_grad(false));
  for (size_t m = 0; m < b.members.size(); ++m) {
    const auto& p = parameters_[b.members[m]];
    const auto& g = p.grad();
    if (g.defined()) {
      pieces.push_back(g.detach().reshape(-1));
      flags[m] = 1;
    } else {
      pieces.push_back(torch::zeros({p.numel()}, flags.options()));
    }
  }
  pieces.push_back(flags);
  b.flat = torch::cat(pieces);
  b.launched = true;
  b.pending = std::make_unique<PendingCollective>(communicator_->all_reduce_sum_async(
      b.flat, fmt::format("all-reduce of gradient bucket {} of {}", index, buckets_.size())));
}

void GradientSync::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  TORCH_CHECK(sync_, "GradientSync::finish without begin(true)");
  while (next_launch_ < buckets_.size()) launch(next_launch_++);
  const auto start = std::chrono::steady_clock::now();
  for (auto& b : buckets_) {
    b.pending->wait();
    total_bytes_ += b.flat.numel() * static_cast<int64_t>(b.flat.element_size());
  }
  total_wait_seconds_ +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double world = communicator_->world_size();
  torch::NoGradGuard no_grad;
  for (auto& b : buckets_) {
    int64_t offset = 0;
    const int64_t flag_offset = b.numel - static_cast<int64_t>(b.members.size());
    for (size_t m = 0; m < b.members.size(); ++m) {
      auto& p = parameters_[b.members[m]];
      const int64_t n = p.numel();
      const bool used = b.flat[flag_offset + static_cast<int64_t>(m)].item<double>() > 0;
      if (used) {
        auto mean = b.flat.narrow(0, offset, n).view(p.sizes()) / world;
        if (p.grad().defined())
          p.mutable_grad().copy_(mean);
        else
          p.mutable_grad() = mean.clone();
      }
      offset += n;
    }
    b.pending.reset();
    b.flat = torch::Tensor();
  }
  sync_ = false;
}

}  // namespace sentzoo
