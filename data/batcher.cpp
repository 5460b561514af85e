#include "data/batcher.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace sentzoo {

// ---------------------------------------------------------------------------------------------
// detail: portable seeded randomness

namespace detail {

uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  // reject the lowest (2^64 mod n) values so every residue is equally likely
  const uint64_t threshold = (0 - n) % n;
  while (true) {
    const uint64_t x = rng();
    if (x >= threshold) return x % n;
  }
}

void shuffle_indices(std::vector<int64_t>& v, std::mt19937_64& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[uniform_below(rng, i)]);
}

std::mt19937_64 epoch_rng(uint64_t seed, int64_t epoch) {
  const auto e = static_cast<uint64_t>(epoch);
  std::seed_seq seq{static_cast<uint32_t>(seed),
                    static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(e),
                    static_cast<uint32_t>(e >> 32)};
  return std::mt19937_64(seq);
}

int64_t padding_tokens(const std::vector<int64_t>& lengths,
                       const std::vector<std::vector<int64_t>>& batches) {
  int64_t pad = 0;
  for (const auto& batch : batches) {
    int64_t longest = 0, sum = 0;
    for (const int64_t i : batch) {
      longest = std::max(longest, lengths[i]);
      sum += lengths[i];
    }
    pad += longest * static_cast<int64_t>(batch.size()) - sum;
  }
  return pad;
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Batcher

Batcher::Batcher(std::vector<int64_t> lengths, BatcherOptions options)
    : lengths_(std::move(lengths)), options_(options) {
  if (options_.batch_size < 1)
    throw std::invalid_argument(
        fmt::format("Batcher: batch_size must be >= 1, found {}", options_.batch_size));
  if (options_.bucket_batches < 0)
    throw std::invalid_argument(
        fmt::format("Batcher: bucket_batches must be >= 0, found {}", options_.bucket_batches));
  const auto n = static_cast<int64_t>(lengths_.size());
  if (n == 0 || (options_.drop_last && n < options_.batch_size))
    throw std::invalid_argument(fmt::format("Batcher: {} examples make no batch of {}{}",
                                            n,
                                            options_.batch_size,
                                            options_.drop_last ? " (drop_last)" : ""));
  plan_epoch_();
}

void Batcher::plan_epoch_() {
  const auto n = static_cast<int64_t>(lengths_.size());
  const int64_t bs = options_.batch_size;
  std::mt19937_64 rng = detail::epoch_rng(options_.seed, epoch_);
  std::vector<int64_t> order(n);
  for (int64_t i = 0; i < n; ++i) order[i] = i;
  if (options_.shuffle) detail::shuffle_indices(order, rng);

  if (options_.bucket_batches > 1) {
    // sort each window of K batches by length (stable: ties keep the shuffled order)
    // K batches, clamped to the data: K * bs may overflow int64 for a hostile config, and a
    // negative window would never end the loop below.
    const int64_t window = options_.bucket_batches > n / bs ? n : options_.bucket_batches * bs;
    for (int64_t start = 0; start < n; start += window) {
      const int64_t end = std::min(n, start + window);
      std::stable_sort(order.begin() + start, order.begin() + end, [&](int64_t x, int64_t y) {
        return lengths_[x] < lengths_[y];
      });
    }
  }
  plan_.clear();
  for (int64_t start = 0; start < n; start += bs) {
    const int64_t end = std::min(n, start + bs);
    if (options_.drop_last && end - start < bs) break;
    plan_.emplace_back(order.begin() + start, order.begin() + end);
  }
  if (options_.bucket_batches > 1 && options_.shuffle) {
    // batch order: otherwise every window would run from short to long
    std::vector<int64_t> perm(plan_.size());
    for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int64_t>(i);
    detail::shuffle_indices(perm, rng);
    std::vector<std::vector<int64_t>> shuffled;
    shuffled.reserve(plan_.size());
    for (const int64_t i : perm) shuffled.push_back(std::move(plan_[i]));
    plan_ = std::move(shuffled);
  }
}

std::vector<int64_t> Batcher::next() {
  if (batch_ >= batches_per_epoch()) {
    ++epoch_;
    batch_ = 0;
    plan_epoch_();
  }
  return plan_[batch_++];
}

BatcherState Batcher::state() const {
  return BatcherState{options_.seed, epoch_, batch_, static_cast<int64_t>(lengths_.size())};
}

void Batcher::restore(const BatcherState& state) {
  if (state.seed != options_.seed)
    throw std::invalid_argument(
        fmt::format("Batcher: state has seed {}, this batcher was made with seed {}",
                    state.seed,
                    options_.seed));
  if (state.num_examples != static_cast<int64_t>(lengths_.size()))
    throw std::invalid_argument(
        fmt::format("Batcher: state is for {} examples, this batcher has {}",
                    state.num_examples,
                    lengths_.size()));
  if (state.epoch < 0 || state.batch < 0)
    throw std::invalid_argument(
        fmt::format("Batcher: invalid state epoch {} batch {}", state.epoch, state.batch));
  // every epoch has the same number of batches, so check against the current plan first
  if (state.batch > batches_per_epoch())
    throw std::invalid_argument(
        fmt::format("Batcher: state batch {} is past the {} batches of an epoch",
                    state.batch,
                    batches_per_epoch()));
  epoch_ = state.epoch;
  batch_ = state.batch;
  plan_epoch_();
}

}  // namespace sentzoo
