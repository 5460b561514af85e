// c10d's TCPStore + a Gloo or NCCL process group (dist/process_groups.h) behind
// dist/communicator.h.
#include "dist/communicator.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <exception>
#include <functional>
#include <stdexcept>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "dist/process_groups.h"

namespace sentzoo {

struct PendingCollective::Impl {
  c10::intrusive_ptr<c10d::Work> work;
  std::string what;  // "rank 0 of 2: all-reduce of gradient bucket 3"
  std::chrono::milliseconds timeout;
};

struct Communicator::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<detail::ProcessGroup> group;
  std::chrono::milliseconds timeout;
  torch::Device device = torch::kCPU;  // where the collectives' tensors live
};

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& message) {
  throw std::runtime_error(fmt::format(
      "{} failed: {} (a peer rank died, hung or left; every rank stops)", what, message));
}

std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

void wait_for(c10d::Work& work, const std::string& what, std::chrono::milliseconds timeout) {
  bool done = false;
  try {
    done = work.wait(timeout);
  } catch (const c10::Error& e) {
    fail(what, first_line(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    fail(what, first_line(e.what()));
  }
  if (!done) fail(what, fmt::format("no answer within {} s", timeout.count() / 1000.0));
}

}  // namespace

bool communicator_available(CommBackend backend) {
#ifdef SENTZOO_HAVE_GLOO
  if (backend == CommBackend::kGloo) return true;
#endif
#ifdef SENTZOO_HAVE_NCCL
  if (backend == CommBackend::kNccl) return true;
#endif
  (void)backend;
  return false;
}

PendingCollective::PendingCollective(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

void PendingCollective::wait() { wait_for(*impl_->work, impl_->what, impl_->timeout); }

Communicator::Communicator(std::unique_ptr<Impl> impl, int rank, int world_size)
    : impl_(std::move(impl)), rank_(rank), world_size_(world_size) {}

Communicator::~Communicator() = default;

std::shared_ptr<Communicator> Communicator::connect(const DistEnv& env,
                                                    std::chrono::milliseconds timeout,
                                                    CommBackend backend) {
  const std::string who = fmt::format("rank {} of {}", env.rank, env.world_size);
  if (!communicator_available(backend))
    throw std::runtime_error(fmt::format(
        "{}: this build of sentzoo has no c10d {} backend ({})",
        who,
        backend == CommBackend::kNccl ? "NCCL" : "Gloo",
        backend == CommBackend::kNccl
            ? "NCCL needs a LibTorch built with CUDA and NCCL, and nccl.h, at configure time"
            : "Gloo needs gloo's headers matching LibTorch: Debian's LibTorch with libgloo-dev"));
  auto impl = std::make_unique<Impl>();
  impl->timeout = timeout;
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(env.master_port);
    options.isServer = env.rank == 0 && !env.agent_store;
    options.numWorkers = static_cast<std::size_t>(env.world_size);
    options.waitWorkers = !env.agent_store;
    options.timeout = timeout;
    impl->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
#ifdef SENTZOO_HAVE_NCCL
    if (backend == CommBackend::kNccl) {
      impl->device = torch::Device(torch::kCUDA, 0);  // the rank's GPU (train_main.cpp)
      impl->group = detail::make_nccl_group(impl->store, env, timeout);
    }
#endif
#ifdef SENTZOO_HAVE_GLOO
    if (backend == CommBackend::kGloo)
      impl->group = detail::make_gloo_group(impl->store, env, timeout);
#endif
  } catch (const std::exception& e) {
    // c10::Error's what() carries a C++ backtrace: its first line is the message.
    throw std::runtime_error(fmt::format("{}: joining the job at {}:{} failed: {}",
                                         who,
                                         env.master_addr,
                                         env.master_port,
                                         first_line(e.what())));
  }
  return std::shared_ptr<Communicator>(new Communicator(std::move(impl), env.rank, env.world_size));
}

PendingCollective Communicator::all_reduce_sum_async(torch::Tensor tensor,
                                                     const std::string& what) {
  TORCH_CHECK(tensor.is_contiguous(), "all_reduce_sum_async: the tensor must be contiguous");
  auto pending = std::make_shared<PendingCollective::Impl>();
  pending->what = fmt::format("rank {} of {}: {}", rank_, world_size_, what);
  pending->timeout = impl_->timeout;
  std::vector<torch::Tensor> tensors{std::move(tensor)};
  try {
    pending->work = impl_->group->allreduce(tensors);
  } catch (const c10::Error& e) {
    fail(pending->what, first_line(e.what_without_backtrace()));
  }
  return PendingCollective(pending);
}

void Communicator::all_reduce_sum(std::vector<torch::Tensor>& tensors, const std::string& what) {
  for (auto& t : tensors) all_reduce_sum_async(t, what).wait();
}

void Communicator::broadcast(std::vector<torch::Tensor>& tensors,
                             int root,
                             const std::string& what) {
  const std::string who = fmt::format("rank {} of {}: {}", rank_, world_size_, what);
  for (auto& t : tensors) {
    std::vector<torch::Tensor> one{t};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    try {
      auto work = impl_->group->broadcast(one, options);
      wait_for(*work, who, impl_->timeout);
    } catch (const c10::Error& e) {
      fail(who, first_line(e.what_without_backtrace()));
    }
  }
}

std::vector<torch::Tensor> Communicator::all_gather(const torch::Tensor& tensor,
                                                    const std::string& what) {
  const std::string who = fmt::format("rank {} of {}: {}", rank_, world_size_, what);
  auto gather = [&](std::vector<torch::Tensor>& outputs, const torch::Tensor& input) {
    std::vector<std::vector<torch::Tensor>> out{outputs};
    std::vector<torch::Tensor> in{input};
    try {
      auto work = impl_->group->allgather(out, in);
      wait_for(*work, who, impl_->timeout);
    } catch (const c10::Error& e) {
      fail(who, first_line(e.what_without_backtrace()));
    }
    outputs = out[0];
  };
  // Every rank's shape and dtype first (Gloo's all-gather needs equal shapes: every rank pads to
  // the most rows, and the padding is cut off again). An undefined tensor is "no rows"; it takes
  // its other dimensions and dtype from a rank that has rows.
  constexpr int64_t kMaxDims = 6;
  auto descriptor = torch::full({kMaxDims + 2}, int64_t{-1}, torch::kLong);  // dim, dtype, sizes
  if (tensor.defined()) {
    TORCH_CHECK(tensor.dim() <= kMaxDims, "all_gather: at most ", kMaxDims, " dimensions");
    descriptor[0] = tensor.dim();
    descriptor[1] = static_cast<int64_t>(tensor.scalar_type());
    for (int64_t d = 0; d < tensor.dim(); ++d) descriptor[2 + d] = tensor.size(d);
  }
  descriptor = descriptor.to(impl_->device);
  std::vector<torch::Tensor> gathered(world_size_);
  for (auto& d : gathered) d = torch::empty_like(descriptor);
  gather(gathered, descriptor);
  std::vector<std::vector<int64_t>> descriptors;  // per rank: dim (-1: none), dtype, sizes
  for (const auto& d : gathered) {
    const auto cpu = d.cpu().contiguous();
    descriptors.emplace_back(cpu.data_ptr<int64_t>(), cpu.data_ptr<int64_t>() + cpu.numel());
  }
  auto rows_of = [&](int r) { return descriptors[r][0] > 0 ? descriptors[r][2] : int64_t{0}; };
  int template_rank = -1;
  int64_t most = 0;
  for (int r = 0; r < world_size_; ++r) {
    const auto& other = descriptors[r];
    if (other[0] < 0) continue;
    if (template_rank < 0) template_rank = r;
    const auto& first = descriptors[template_rank];
    const bool same = other[0] == first[0] && other[1] == first[1] &&
                      std::equal(other.begin() + 3, other.end(), first.begin() + 3);
    if (!same)
      throw std::runtime_error(fmt::format(
          "{}: rank {}'s tensor differs from rank {}'s in dtype or a dimension after the first",
          who,
          r,
          template_rank));
    most = std::max(most, rows_of(r));
  }
  if (template_rank < 0)
    throw std::runtime_error(fmt::format("{}: no rank has a tensor to gather", who));
  const auto& t = descriptors[template_rank];
  const int64_t dims = t[0];
  const auto options =
      torch::TensorOptions().dtype(static_cast<torch::ScalarType>(t[1])).device(impl_->device);
  std::vector<int64_t> shape(t.begin() + 2, t.begin() + 2 + dims);
  if (dims == 0) {  // scalars: one value per rank
    auto local = tensor.defined() ? tensor.contiguous() : torch::zeros({}, options);
    std::vector<torch::Tensor> outputs(world_size_);
    for (auto& o : outputs) o = torch::empty_like(local);
    gather(outputs, local);
    return outputs;
  }
  auto padded_shape = shape;
  padded_shape[0] = most;
  auto padded = torch::zeros(padded_shape, options);
  if (tensor.defined()) padded.narrow(0, 0, tensor.size(0)).copy_(tensor);
  std::vector<torch::Tensor> outputs(world_size_);
  for (auto& o : outputs) o = torch::empty(padded_shape, options);
  gather(outputs, padded);
  for (int r = 0; r < world_size_; ++r) outputs[r] = outputs[r].narrow(0, 0, rows_of(r));
  return outputs;
}

void Communicator::check_same(const std::string& what, const std::string& value) {
  // 64-bit FNV-1a of the value, split into two exactly representable halves.
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : value) hash = (hash ^ c) * 1099511628211ULL;
  auto local = torch::tensor(
      {static_cast<int64_t>(hash >> 32), static_cast<int64_t>(hash & 0xffffffffULL)}, torch::kLong);
  auto all = all_gather(local.to(impl_->device), "checking that every rank has the same " + what);
  for (auto& a : all) a = a.cpu();
  std::vector<int> differ;
  for (int r = 1; r < world_size_; ++r)
    if (!torch::equal(all[r], all[0])) differ.push_back(r);
  if (!differ.empty())
    throw std::runtime_error(fmt::format(
        "rank {} of {}: the {} of rank(s) {} differs from rank 0's; every rank must be started "
        "with the same settings",
        rank_,
        world_size_,
        what,
        fmt::join(differ, ", ")));
}

torch::Device Communicator::device() const { return impl_->device; }

void Communicator::barrier(const std::string& what) {
  auto one = torch::zeros({1}, impl_->device);
  std::vector<torch::Tensor> tensors{one};
  all_reduce_sum(tensors, what);
}

}  // namespace sentzoo
