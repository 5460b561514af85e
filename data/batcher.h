#pragma once
// Batcher: which examples form each batch, epoch after epoch. Seeded and reproducible (its own
// std::mt19937_64 and Fisher-Yates, never torch's or the global RNG), optional length bucketing,
// and a small state (seed, epoch, batch) for exact resume. It yields example indices; collate
// them with data/batch.h:
//   Dataset d = read_dataset(parse_dataset_spec("tsv:zh/LCQMC/dev.txt"));
//   std::vector<Encoding> a = ..., b = ...;                 // tokenized text1 / text2
//   Batcher batches(encoding_lengths(a), {/*batch_size=*/32, true, /*seed=*/42, /*bucket=*/100});
//   PairBatch batch = collate_pairs(a, b, pair_labels(d.pairs), batches.next(), {0, 64});
//   train_state["batcher"] = batches.state();   // later: batches.restore(j.get<BatcherState>())

#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

namespace sentzoo {

struct BatcherOptions {
  int64_t batch_size = 32;     // e.g. 32 pairs
  bool shuffle = true;         // a fresh seeded order every epoch
  uint64_t seed = 0;           // e.g. 42; same seed and lengths -> same batches
  int64_t bucket_batches = 0;  // e.g. 100: sort by length within windows of K batches, then
                               // shuffle the batches (less padding); 0 or 1 = off
  bool drop_last = false;      // drop each epoch's final short batch
};

/// Where a Batcher is. The order of epoch e is a pure function of (seed, e), so this is the
/// whole RNG state: restore() continues with exactly the batches an uninterrupted run yields.
struct BatcherState {
  uint64_t seed = 0;         // e.g. 42
  int64_t epoch = 0;         // e.g. 3 (0-based)
  int64_t batch = 0;         // next batch within the epoch, e.g. 17
  int64_t num_examples = 0;  // checked on restore, e.g. 8802
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BatcherState, seed, epoch, batch, num_examples)

class Batcher {
 public:
  /// `lengths[i]` is example i's token count (the bucketing key; any values when bucketing is
  /// off), e.g. encoding_lengths(a) or the sum of both sides of a pair.
  Batcher(std::vector<int64_t> lengths, BatcherOptions options);

  /// The next batch's example indices; the first batch of the next epoch after the last one.
  std::vector<int64_t> next();

  int64_t epoch() const { return epoch_; }
  int64_t batches_per_epoch() const { return static_cast<int64_t>(plan_.size()); }
  /// All batches of the current epoch, in order.
  const std::vector<std::vector<int64_t>>& epoch_plan() const { return plan_; }

  BatcherState state() const;
  /// Jumps to `state`; throws std::invalid_argument if its seed, size or position don't fit.
  void restore(const BatcherState& state);

 private:
  void plan_epoch_();
  std::vector<int64_t> lengths_;
  BatcherOptions options_;
  int64_t epoch_ = 0;
  int64_t batch_ = 0;
  std::vector<std::vector<int64_t>> plan_;
};

namespace detail {

/// Uniform integer in [0, n) by rejection (no modulo bias; portable, unlike
/// std::uniform_int_distribution whose algorithm each standard library picks).
uint64_t uniform_below(std::mt19937_64& rng, uint64_t n);

/// Fisher-Yates shuffle with uniform_below (portable, unlike std::shuffle).
void shuffle_indices(std::vector<int64_t>& v, std::mt19937_64& rng);

/// The RNG of epoch `epoch` under `seed`: std::seed_seq over both 64-bit values.
std::mt19937_64 epoch_rng(uint64_t seed, int64_t epoch);

/// Padding tokens when each batch is padded to its longest example: sum(B * max - sum(len)).
int64_t padding_tokens(const std::vector<int64_t>& lengths,
                       const std::vector<std::vector<int64_t>>& batches);

}  // namespace detail

}  // namespace sentzoo
