// build_vocab: specials first, counts descending, ties by codepoint; a char vocabulary makes
// WordPieceTokenizer tokenize Chinese char by char.
#include <gtest/gtest.h>

#include <fstream>

#include "data/vocab_builder.h"
#include "data/wordpiece.h"
#include "tests/test_util.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;

fs::path write_corpus(const std::string& name, const std::string& text) {
  const fs::path path = fs::temp_directory_path() / (name + std::to_string(getpid()) + ".txt");
  std::ofstream(path) << text;
  return path;
}

TEST(VocabBuilder, OrdersByCountThenCodepoint) {
  const auto corpus = write_corpus("sz_vocab_a", "我爱北京。\n北京欢迎你! Hello hello\n我 我\n");
  const auto tokens = build_vocab({corpus}, {});
  // counts: 我 3; hello, 京, 北 2 (codepoint order: 'h' < U+4EAC < U+5317); then the 1s in
  // codepoint order: ! 。 你 欢 爱 迎
  std::vector<std::string> expected = {"[PAD]",
                                       "[UNK]",
                                       "[CLS]",
                                       "[SEP]",
                                       "[MASK]",
                                       "我",
                                       "hello",
                                       "京",
                                       "北",
                                       "!",
                                       "。",
                                       "你",
                                       "欢",
                                       "爱",
                                       "迎"};
  EXPECT_EQ(tokens, expected);
  VocabBuildConfig small;
  small.min_count = 2;
  small.max_size = 7;
  EXPECT_EQ(
      build_vocab({corpus}, small),
      (std::vector<std::string>{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "我", "hello"}));
}

TEST(VocabBuilder, CharVocabularyTokenizesChineseCharByChar) {
  const auto corpus = write_corpus("sz_vocab_b", "今天天气很好\n今天下雨\n");
  const auto tokens = build_vocab({corpus}, {});
  const fs::path vocab = fs::temp_directory_path() / ("sz_vocab_" + std::to_string(getpid()));
  write_vocab(tokens, vocab);
  const WordPieceTokenizer tok(vocab);
  const auto ids = tok.tokenize("今天很好，下雨");  // "，" is not in the vocabulary
  std::vector<int64_t> want;
  for (const char* c : {"今", "天", "很", "好"}) want.push_back(tok.token_to_id(c));
  want.push_back(tok.special().unk);
  for (const char* c : {"下", "雨"}) want.push_back(tok.token_to_id(c));
  EXPECT_EQ(ids, want);
  EXPECT_THROW(build_vocab({"/nonexistent/corpus.txt"}, {}), std::runtime_error);
}

}  // namespace
}  // namespace sentzoo
