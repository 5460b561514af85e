// collate(): dynamic padding to the batch max, masks, type ids, truncation safety, labels.

#include <gtest/gtest.h>

#include <random>

#include "data/batch.h"

namespace sentzoo {

namespace {

Encoding enc(std::vector<int64_t> ids, int64_t first_b = -1) {
  Encoding e;
  e.ids = std::move(ids);
  for (size_t i = 0; i < e.ids.size(); ++i)
    e.type_ids.push_back(first_b >= 0 && static_cast<int64_t>(i) >= first_b ? 1 : 0);
  return e;
}

}  // namespace

TEST(Collate, PadsToTheBatchMaxAndBuildsTheMask) {
  const std::vector<Encoding> encs = {enc({101, 7, 102}),
                                      enc({101, 8, 9, 10, 102}),
                                      enc({101, 102}),
                                      enc({101, 1, 2, 3, 4, 5, 6, 7, 102})};
  const Batch b = collate(encs, {0, 1, 2}, CollateOptions{/*pad_id=*/0});
  ASSERT_EQ(b.input_ids.sizes(), (std::vector<int64_t>{3, 5}));  // not 9: encs[3] is not in it
  EXPECT_EQ(b.input_ids.dtype(), torch::kLong);
  EXPECT_EQ(b.attention_mask.dtype(), torch::kLong);
  EXPECT_TRUE(torch::equal(
      b.input_ids,
      torch::tensor({{101, 7, 102, 0, 0}, {101, 8, 9, 10, 102}, {101, 102, 0, 0, 0}})));
  EXPECT_TRUE(torch::equal(b.attention_mask,
                           torch::tensor({{1, 1, 1, 0, 0}, {1, 1, 1, 1, 1}, {1, 1, 0, 0, 0}})));
}

TEST(Collate, PropertiesOnRandomBatches) {
  std::mt19937_64 rng(3);
  std::vector<Encoding> encs;
  for (int i = 0; i < 50; ++i) {
    std::vector<int64_t> ids(1 + rng() % 40);
    for (auto& id : ids) id = 1 + static_cast<int64_t>(rng() % 1000);
    encs.push_back(enc(ids, static_cast<int64_t>(ids.size() / 2)));
  }
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<int64_t> idx;
    for (int k = 0; k < 1 + trial % 7; ++k)
      idx.push_back(static_cast<int64_t>(rng() % encs.size()));
    const Batch b = collate(encs, idx, CollateOptions{/*pad_id=*/-3});
    size_t longest = 0;
    for (const int64_t i : idx) longest = std::max(longest, encs[i].ids.size());
    EXPECT_EQ(b.input_ids.size(1), static_cast<int64_t>(longest));  // padding never exceeds max
    // each row: mask sums to its length, ids and types match, padding is pad_id / 0
    for (size_t r = 0; r < idx.size(); ++r) {
      const Encoding& e = encs[idx[r]];
      const auto n = static_cast<int64_t>(e.ids.size());
      EXPECT_EQ(b.attention_mask[r].sum().item<int64_t>(), n);
      EXPECT_TRUE(torch::equal(b.input_ids[r].slice(0, 0, n), torch::tensor(e.ids)));
      EXPECT_TRUE(torch::equal(b.token_type_ids[r].slice(0, 0, n), torch::tensor(e.type_ids)));
      EXPECT_TRUE((b.input_ids[r].slice(0, n) == -3).all().item<bool>());
      EXPECT_EQ(b.token_type_ids[r].slice(0, n).sum().item<int64_t>(), 0);
    }
  }
}

TEST(Collate, MaxLengthKeepsTheFinalToken) {
  const std::vector<Encoding> encs = {enc({101, 1, 2, 3, 4, 102}, 3), enc({101, 5, 102})};
  const Batch b = collate(encs, {0, 1}, CollateOptions{0, /*max_length=*/4});
  EXPECT_TRUE(torch::equal(b.input_ids, torch::tensor({{101, 1, 2, 102}, {101, 5, 102, 0}})));
  EXPECT_TRUE(torch::equal(b.token_type_ids, torch::tensor({{0, 0, 0, 1}, {0, 0, 0, 0}})));
  EXPECT_THROW(collate(encs, {0}, CollateOptions{0, 1}), std::invalid_argument);
}

TEST(Collate, RejectsBadInput) {
  const std::vector<Encoding> encs = {enc({101, 102})};
  EXPECT_THROW(collate(encs, {}), std::invalid_argument);
  EXPECT_THROW(collate(encs, {1}), std::invalid_argument);
  Encoding bad = enc({1, 2});
  bad.type_ids.pop_back();
  EXPECT_THROW(collate({bad}, {0}), std::invalid_argument);
}

TEST(Collate, PairAndCrossBatchesCarryLabelsInRowOrder) {
  const std::vector<Encoding> a = {enc({101, 1, 102}), enc({101, 2, 2, 102}), enc({101, 102})};
  const std::vector<Encoding> b = {
      enc({101, 9, 9, 9, 102}), enc({101, 8, 102}), enc({101, 7, 102})};
  const std::vector<double> labels = {0.0, 1.0, 4.5};
  const PairBatch p = collate_pairs(a, b, labels, {2, 0});
  EXPECT_EQ(p.a.input_ids.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(p.b.input_ids.sizes(), (std::vector<int64_t>{2, 5}));  // sides padded separately
  EXPECT_TRUE(torch::equal(p.labels, torch::tensor({4.5f, 0.0f})));
  EXPECT_EQ(p.labels.dtype(), torch::kFloat);
  EXPECT_EQ(p.indices, (std::vector<int64_t>{2, 0}));
  const CrossBatch c = collate_cross(b, labels, {1});
  EXPECT_EQ(c.joint.input_ids.sizes(), (std::vector<int64_t>{1, 3}));
  EXPECT_TRUE(torch::equal(c.labels, torch::tensor({1.0f})));
  EXPECT_THROW(collate_pairs(a, {b[0]}, labels, {0}), std::invalid_argument);
  EXPECT_EQ(encoding_lengths(b), (std::vector<int64_t>{5, 3, 3}));
}

}  // namespace sentzoo
