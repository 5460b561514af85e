// Batcher: reproducible seeded epochs, full coverage, exact resume, bucketing that pads less.

#include "data/batcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "data/batch.h"
#include "data/dataset.h"
#include "tests/test_util.h"

namespace sentzoo {

namespace {

std::vector<int64_t> random_lengths(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> lengths(n);
  for (auto& l : lengths) l = 3 + static_cast<int64_t>(rng() % 60);
  return lengths;
}

std::vector<std::vector<int64_t>> take(Batcher& b, int n) {
  std::vector<std::vector<int64_t>> out;
  for (int i = 0; i < n; ++i) out.push_back(b.next());
  return out;
}

// UTF-8 code points: a stand-in for character-level (Chinese) token counts.
int64_t code_points(const std::string& s) {
  int64_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

TEST(Batcher, SameSeedSameBatchesOtherSeedOtherBatches) {
  const auto lengths = random_lengths(103, 1);
  for (const int64_t k : {0, 4}) {
    Batcher a(lengths, {8, true, 42, k}), b(lengths, {8, true, 42, k}),
        c(lengths, {8, true, 43, k});
    const auto run_a = take(a, 40), run_b = take(b, 40), run_c = take(c, 40);
    EXPECT_EQ(run_a, run_b);
    EXPECT_NE(run_a, run_c);
  }
}

TEST(Batcher, EveryEpochIsAPermutationAndEpochsDiffer) {
  const auto lengths = random_lengths(103, 2);
  for (const int64_t k : {0, 1, 5}) {
    Batcher b(lengths, {10, true, 7, k});
    ASSERT_EQ(b.batches_per_epoch(), 11);
    std::vector<std::vector<int64_t>> epochs;
    for (int e = 0; e < 3; ++e) {
      std::vector<int64_t> seen;
      for (int i = 0; i < b.batches_per_epoch(); ++i) {
        const auto batch = b.next();
        EXPECT_EQ(b.epoch(), e);
        EXPECT_LE(batch.size(), 10u);
        seen.insert(seen.end(), batch.begin(), batch.end());
      }
      epochs.push_back(seen);
      std::sort(seen.begin(), seen.end());
      for (int64_t i = 0; i < 103; ++i) ASSERT_EQ(seen[i], i) << "epoch " << e << " k " << k;
    }
    EXPECT_NE(epochs[0], epochs[1]);
  }
}

TEST(Batcher, NoShuffleKeepsFileOrderAndDropLastDropsTheShortBatch) {
  Batcher b(std::vector<int64_t>(10, 1), {4, /*shuffle=*/false, 0, 0, /*drop_last=*/true});
  ASSERT_EQ(b.batches_per_epoch(), 2);
  EXPECT_EQ(b.next(), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(b.next(), (std::vector<int64_t>{4, 5, 6, 7}));
  EXPECT_EQ(b.next(), (std::vector<int64_t>{0, 1, 2, 3}));  // epoch 1
  EXPECT_THROW(Batcher({1, 2}, {4, true, 0, 0, true}), std::invalid_argument);
  EXPECT_THROW(Batcher({}, {}), std::invalid_argument);
  EXPECT_THROW(Batcher({1}, {0}), std::invalid_argument);
}

TEST(Batcher, RestoreContinuesExactlyLikeAnUninterruptedRun) {
  const auto lengths = random_lengths(57, 3);
  const BatcherOptions options{6, true, 11, 3};
  Batcher full(lengths, options);
  const auto reference = take(full, 60);  // ~6 epochs
  for (const int cut : {0, 1, 9, 10, 23, 59}) {
    Batcher first(lengths, options);
    take(first, cut);
    const nlohmann::json saved = first.state();  // as a checkpoint would store it
    Batcher resumed(lengths, options);
    resumed.restore(saved.get<BatcherState>());
    const auto rest = take(resumed, 60 - cut);
    EXPECT_TRUE(std::equal(rest.begin(), rest.end(), reference.begin() + cut)) << "cut " << cut;
  }
  Batcher other_seed(lengths, {6, true, 12, 3});
  EXPECT_THROW(other_seed.restore(full.state()), std::invalid_argument);
  Batcher other_size(random_lengths(58, 3), options);
  EXPECT_THROW(other_size.restore(full.state()), std::invalid_argument);
  BatcherState past = full.state();
  past.batch = full.batches_per_epoch() + 1;
  EXPECT_THROW(full.restore(past), std::invalid_argument);
}

TEST(Batcher, ShufflingIsUniform) {
  // all 6 orders of 3 elements, 60000 draws: each within 5% of 10000
  std::mt19937_64 rng(5);
  std::map<std::vector<int64_t>, int> counts;
  for (int i = 0; i < 60000; ++i) {
    std::vector<int64_t> v = {0, 1, 2};
    detail::shuffle_indices(v, rng);
    ++counts[v];
  }
  ASSERT_EQ(counts.size(), 6u);
  for (const auto& [order, n] : counts) EXPECT_NEAR(n, 10000, 500);
}

TEST(Batcher, PaddingCountMatchesCollatedMasks) {
  const auto lengths = random_lengths(40, 4);
  std::vector<Encoding> encs;
  for (const int64_t n : lengths)
    encs.push_back(Encoding{std::vector<int64_t>(n, 5), std::vector<int64_t>(n, 0)});
  Batcher b(lengths, {7, true, 1, 0});
  int64_t pads = 0;
  for (const auto& batch : b.epoch_plan())
    pads += (collate(encs, batch).attention_mask == 0).sum().item<int64_t>();
  EXPECT_EQ(detail::padding_tokens(lengths, b.epoch_plan()), pads);
}

TEST(Batcher, BucketingPadsLessOnRandomLengths) {
  const auto lengths = random_lengths(5000, 6);
  const int64_t plain =
      detail::padding_tokens(lengths, Batcher(lengths, {32, true, 0, 0}).epoch_plan());
  const int64_t bucketed =
      detail::padding_tokens(lengths, Batcher(lengths, {32, true, 0, 50}).epoch_plan());
  EXPECT_LT(bucketed * 5, plain) << bucketed << " vs " << plain;
}

TEST(Batcher, BucketingPadsLessOnLcqmcLengths) {
  SENTZOO_REQUIRE_DATA(path, "zh/LCQMC/dev.txt");
  const Dataset d = read_dataset(parse_dataset_spec("tsv:zh/LCQMC/dev.txt"));
  std::vector<int64_t> lengths;  // [CLS] text1 [SEP], one token per character
  for (const PairExample& p : d.pairs) lengths.push_back(code_points(p.text1) + 2);
  const int64_t plain =
      detail::padding_tokens(lengths, Batcher(lengths, {32, true, 0, 0}).epoch_plan());
  const int64_t bucketed =
      detail::padding_tokens(lengths, Batcher(lengths, {32, true, 0, 100}).epoch_plan());
  EXPECT_LT(bucketed * 4, plain) << bucketed << " vs " << plain;
  RecordProperty("padding_plain", std::to_string(plain));
  RecordProperty("padding_bucketed", std::to_string(bucketed));
}

}  // namespace sentzoo

namespace sentzoo {

TEST(Batcher, OrderIsFrozenAcrossVersions) {
  // The engine is the standard's: [rand.predef] fixes the 10000th output of a
  // default-constructed mt19937_64.
  std::mt19937_64 engine;
  engine.discard(9999);
  EXPECT_EQ(engine(), 9981545732273789042ULL);
  // Regression golden (our own output, frozen when written): a checkpoint's BatcherState must
  // replay the same batches in later sentzoo versions, so the shuffle may not change silently.
  Batcher b(std::vector<int64_t>(10, 1), {4, true, 42, 0});
  const auto first = take(b, 3);
  EXPECT_EQ(first, (std::vector<std::vector<int64_t>>{{0, 6, 5, 1}, {3, 9, 7, 8}, {4, 2}}))
      << ::testing::PrintToString(first);
}

// Issue #14: bucket_batches x batch_size overflowed int64 into a negative window and an endless
// loop; the window is now clamped to the data (one bucket holding everything).
TEST(Batcher, AnOverflowingBucketWindowIsOneBucket) {
  const auto lengths = random_lengths(50, 3);
  Batcher huge(lengths, {int64_t{1} << 40, true, 42, int64_t{1} << 40});
  EXPECT_EQ(huge.next().size(), 50u);
  Batcher whole(lengths, {8, true, 42, int64_t{1} << 61});
  Batcher clamped(lengths, {8, true, 42, 7});  // 7 x 8 >= 50: the same single bucket
  EXPECT_EQ(take(whole, 14), take(clamped, 14));
}

}  // namespace sentzoo
