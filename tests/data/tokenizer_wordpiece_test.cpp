// WordPieceTokenizer against Hugging Face BertTokenizerFast on hand-picked normalizer cases,
// random Unicode strings and the truncation grid (tests/fixtures/tokenizer/rules.json, made by
// tools/reference/gen_tokenizer_fixtures.py), plus properties of the vocab and the interface.
#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "data/unicode.h"
#include "data/wordpiece.h"
#include "tests/data/tokenizer_test_util.h"

namespace sentzoo {
namespace {

using testing::fixture_dir;
using testing::load_tokenizer_fixture;

std::filesystem::path vocab_path(const nlohmann::json& rules, const std::string& name) {
  const std::string rel = rules["vocabs"][name];
  return name == "tiny" ? fixture_dir() / "tokenizer" / rel : testing::data_root() / rel;
}

const WordPieceTokenizer& cached(const nlohmann::json& rules,
                                 const std::string& name,
                                 bool lower,
                                 bool chinese_chars = true) {
  static std::map<std::tuple<std::string, bool, bool>, std::unique_ptr<WordPieceTokenizer>> cache;
  auto& t = cache[{name, lower, chinese_chars}];
  TokenizerOptions options;
  options.lowercase = lower;
  options.tokenize_chinese_chars = chinese_chars;
  if (!t) t = std::make_unique<WordPieceTokenizer>(vocab_path(rules, name), options);
  return *t;
}

TEST(WordPieceTokenizer, NormalizerRulesMatchHuggingFace) {
  const auto rules = load_tokenizer_fixture("rules.json");
  int checked = 0;
  for (const auto& c : rules["cases"]) {
    const std::string vocab = c["vocab"];
    if (vocab != "tiny" && testing::data_root().empty()) continue;
    const auto& tok = cached(rules, vocab, c["lowercase"], c["chinese_chars"]);
    const std::string text = c["text"];
    const auto ids = tok.encode(text).ids;
    EXPECT_EQ(ids, c["ids"].get<std::vector<int64_t>>())
        << vocab << " lowercase=" << c["lowercase"] << " chinese=" << c["chinese_chars"]
        << " text='" << text << "'";
    // HF's words come from normalizer + pre-tokenizer alone, without the special-token split.
    const bool has_special =
        text.find("[CLS]") != std::string::npos || text.find("[SEP]") != std::string::npos ||
        text.find("[MASK]") != std::string::npos || text.find("[UNK]") != std::string::npos ||
        text.find("[PAD]") != std::string::npos;
    if (!has_special) {
      EXPECT_EQ(tok.pre_tokenize(text), c["words"].get<std::vector<std::string>>())
          << vocab << " lowercase=" << c["lowercase"] << " chinese=" << c["chinese_chars"]
          << " text='" << text << "'";
    }
    EXPECT_EQ(tok.ids_to_tokens(ids), c["tokens"].get<std::vector<std::string>>()) << text;
    ++checked;
  }
  EXPECT_GE(checked, 100);
  if (testing::data_root().empty())
    std::cout << "[ NOTE     ] SENTZOO_DATA unset: only the tiny-vocab cases ran\n";
}

TEST(WordPieceTokenizer, RandomUnicodeStringsPreTokenizeAsHuggingFace) {
  const auto rules = load_tokenizer_fixture("rules.json");
  int mismatches = 0;
  for (const auto& c : rules["random"]) {
    const auto& tok = cached(rules, "tiny", c["lowercase"]);
    const std::string text = c["text"];
    const auto words = tok.pre_tokenize(text);
    if (words != c["words"].get<std::vector<std::string>>() && ++mismatches < 5)
      ADD_FAILURE() << "lowercase=" << c["lowercase"] << " text='" << text << "'";
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(rules["random"].size(), 800u);
}

TEST(WordPieceTokenizer, PairTruncationGridMatchesHuggingFace) {
  const auto rules = load_tokenizer_fixture("rules.json");
  for (const auto& row : rules["truncation"]) {
    const size_t n1 = row[0], n2 = row[1];
    const int64_t max_length = row[2];
    const Truncation t = parse_truncation(row[3]);
    const int64_t kept1 = row[4], kept2 = row[5];
    const std::string what = row.dump();
    if (kept1 < 0) {
      EXPECT_THROW(detail::truncated_lengths(n1, n2, max_length - 3, t), std::invalid_argument)
          << what;
      continue;
    }
    const auto [a, b] = detail::truncated_lengths(n1, n2, max_length - 3, t);
    EXPECT_EQ(static_cast<int64_t>(a), kept1) << what;
    EXPECT_EQ(static_cast<int64_t>(b), kept2) << what;
  }
  EXPECT_EQ(rules["truncation"].size(), 3u * 9 * 9 * 12);
}

TEST(WordPieceTokenizer, PairTemplateAndTypeIds) {
  const auto rules = load_tokenizer_fixture("rules.json");
  const auto& tok = cached(rules, "tiny", true);
  const Encoding e = tok.encode_pair("a a a", "b b", 7, Truncation::kLongestFirst);
  const int64_t cls = tok.special().cls, sep = tok.special().sep;
  const int64_t a = tok.token_to_id("a"), b = tok.token_to_id("b");
  EXPECT_EQ(e.ids, (std::vector<int64_t>{cls, a, a, sep, b, b, sep}));
  EXPECT_EQ(e.type_ids, (std::vector<int64_t>{0, 0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(tok.encode("a a a a", 4).ids, (std::vector<int64_t>{cls, a, a, sep}));
  EXPECT_EQ(tok.encode("").ids, (std::vector<int64_t>{cls, sep}));
}

TEST(WordPieceTokenizer, SpecialIdsAndLookups) {
  const auto rules = load_tokenizer_fixture("rules.json");
  const auto& tok = cached(rules, "tiny", true);
  EXPECT_EQ(tok.special().pad, 0);
  EXPECT_EQ(tok.special().unk, 1);
  EXPECT_EQ(tok.special().cls, 2);
  EXPECT_EQ(tok.special().sep, 3);
  EXPECT_EQ(tok.special().mask, 4);
  EXPECT_EQ(tok.token_to_id("no-such-token"), -1);
  EXPECT_THROW(tok.id_to_token(tok.vocab_size()), std::out_of_range);
  for (int64_t id = 0; id < tok.vocab_size(); ++id)  // a repeated line keeps its last id
    EXPECT_LE(id, tok.token_to_id(tok.id_to_token(id)));
}

TEST(WordPieceTokenizer, UnknownWordWithoutUnkTokenThrows) {
  const WordPieceTokenizer tok(Vocab({"[CLS]", "[SEP]", "a"}));
  EXPECT_EQ(tok.encode("a").ids, (std::vector<int64_t>{0, 2, 1}));
  EXPECT_THROW(tok.encode("b"), std::invalid_argument);
}

TEST(WordPieceTokenizer, MissingVocabNamesThePath) {
  try {
    WordPieceTokenizer tok("/nonexistent/vocab.txt");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/vocab.txt"), std::string::npos);
  }
}

TEST(Utf8, DecodeEncodeRoundTripAndInvalidBytes) {
  for (const char32_t cp : {0x24u, 0xA2u, 0x939u, 0x20ACu, 0xD55Cu, 0x10348u, 0x10FFFFu}) {
    std::string s;
    detail::append_utf8(s, cp);
    size_t pos = 0;
    EXPECT_EQ(detail::next_codepoint(s, &pos), cp);
    EXPECT_EQ(pos, s.size());
  }
  for (const std::string bad : {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xFF", "\xE4\xB8"}) {
    size_t pos = 0;
    EXPECT_EQ(detail::next_codepoint(bad, &pos), 0xFFFDu) << bad;
  }
}

}  // namespace
}  // namespace sentzoo
