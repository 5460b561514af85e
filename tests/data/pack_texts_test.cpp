// pack_texts (data/tokenized_split.h): MLM rows of whole consecutive texts. Checked against the
// definition on random splits: every token kept in order (a packed text only loses its leading
// [CLS]), no row over max_length, each row starts with [CLS], and greedy (the next row's first
// text would not have fitted in the row before it).
#include <gtest/gtest.h>

#include <random>

#include "data/tokenized_split.h"

namespace sentzoo {
namespace {

constexpr int64_t kCls = 101, kSep = 102;

Encoding text_of(int64_t body_tokens, int64_t first_id) {
  Encoding e;
  e.ids.push_back(kCls);
  for (int64_t k = 0; k < body_tokens; ++k) e.ids.push_back(first_id + k);
  e.ids.push_back(kSep);
  e.type_ids.assign(e.ids.size(), 0);
  return e;
}

TEST(PackTexts, KeepsEveryTokenInOrderInFewestGreedyRows) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t max_length = 4 + static_cast<int64_t>(rng() % 60);
    TokenizedSplit texts;
    std::vector<int64_t> expected;  // the texts' tokens, each text after a row's first without [CLS]
    const int n = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      texts.a.push_back(text_of(static_cast<int64_t>(rng() % (max_length - 1)), 1000 * (i + 1)));
      texts.lengths.push_back(static_cast<int64_t>(texts.a.back().ids.size()));
    }
    const auto packed = pack_texts(texts, max_length, kCls);
    ASSERT_EQ(packed.a.size(), packed.lengths.size());
    ASSERT_EQ(packed.a.size(), packed.labels.size());
    // Replay: walk the texts, matching each against the rows.
    size_t row = 0, pos = 0;
    for (int i = 0; i < n; ++i) {
      const auto& ids = texts.a[i].ids;
      if (pos == packed.a[row].ids.size()) {  // this row is full: the next text starts a new one
        ASSERT_LT(row + 1, packed.a.size());
        // Greedy: the text did not fit (its tokens less [CLS] would pass max_length).
        EXPECT_GT(static_cast<int64_t>(packed.a[row].ids.size() + ids.size() - 1), max_length)
            << "trial " << trial << " text " << i;
        ++row;
        pos = 0;
      }
      const size_t skip = pos == 0 ? 0 : 1;  // a row's first text keeps its [CLS]
      ASSERT_LE(pos + ids.size() - skip, packed.a[row].ids.size());
      for (size_t k = skip; k < ids.size(); ++k)
        ASSERT_EQ(packed.a[row].ids[pos++], ids[k]) << "trial " << trial << " text " << i;
    }
    EXPECT_EQ(row + 1, packed.a.size());
    EXPECT_EQ(pos, packed.a[row].ids.size());
    for (size_t r = 0; r < packed.a.size(); ++r) {
      EXPECT_LE(static_cast<int64_t>(packed.a[r].ids.size()), max_length);
      EXPECT_EQ(packed.a[r].ids.front(), kCls);
      EXPECT_EQ(packed.a[r].type_ids, std::vector<int64_t>(packed.a[r].ids.size(), 0));
      EXPECT_EQ(packed.lengths[r], static_cast<int64_t>(packed.a[r].ids.size()));
    }
  }
}

TEST(PackTexts, ExactFitAndNoClsToken) {
  TokenizedSplit texts;
  texts.a = {text_of(3, 1), text_of(2, 10), text_of(6, 20)};  // 5, 4, 8 tokens
  // 5 + 3 = 8 fits exactly; 8 + 7 > 8 starts a new row.
  auto packed = pack_texts(texts, 8, kCls);
  ASSERT_EQ(packed.a.size(), 2u);
  EXPECT_EQ(packed.a[0].ids, (std::vector<int64_t>{kCls, 1, 2, 3, kSep, 10, 11, kSep}));
  EXPECT_EQ(packed.a[1].ids, texts.a[2].ids);
  // Without a [CLS] id (-1) nothing is dropped: 5 + 4 > 8.
  packed = pack_texts(texts, 9, -1);
  ASSERT_EQ(packed.a.size(), 2u);
  EXPECT_EQ(packed.a[0].ids.size(), 9u);
}

TEST(PackTexts, RejectsATextLongerThanARow) {
  TokenizedSplit texts;
  texts.a = {text_of(10, 1)};
  try {
    pack_texts(texts, 8, kCls);
    FAIL() << "a 12-token text was packed into rows of 8";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("12 tokens"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sentzoo
