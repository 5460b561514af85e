// sentzoo-tokenize run as a process: exit codes, ids of known sentences (HF fixtures; vocab.txt
// and tokenizer.json), --types, --build-vocab.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "tests/data/tokenizer_test_util.h"
#include "tests/process_util.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;

using CliResult = testing::ProcessResult;

// Runs sentzoo-tokenize with `args`, feeding `input` on stdin; stderr is discarded.
CliResult tokenize(const std::string& args, const std::string& input = "") {
  const fs::path in = fs::temp_directory_path() / ("sz_cli_in_" + std::to_string(getpid()));
  std::ofstream(in, std::ios::binary) << input;
  return testing::run_main("sentzoo-tokenize", args + " < " + in.string());
}

std::string tiny_vocab() {
  return (testing::fixture_dir() / "tokenizer" / "tiny_vocab.txt").string();
}

// Each test starts at most two processes (a LibTorch process start costs ~0.5 s).
TEST(TokenizeCli, HelpAndVersionExitZero) {
  EXPECT_EQ(tokenize("--help").code, 0);
  EXPECT_EQ(tokenize("--version").code, 0);
}

TEST(TokenizeCli, UsageErrorsExitTwo) {
  EXPECT_EQ(tokenize("--no-such-flag").code, 2);
  EXPECT_EQ(tokenize("").code, 2);  // --vocab missing
}

TEST(TokenizeCli, MissingDataFileAndBadVocabFail) {
  EXPECT_EQ(tokenize("--vocab " + tiny_vocab() + " --data tsv:/nonexistent/x.tsv").code, 1);
  EXPECT_EQ(tokenize("--vocab /nonexistent/vocab.txt", "a\n").code, 1);
}

TEST(TokenizeCli, DataFileGivesTheSameIdsAsStdinAndStats) {
  const fs::path file = fs::temp_directory_path() / ("sz_cli_data_" + std::to_string(getpid()) + ".tsv");
  std::ofstream(file) << "hello world\tthe cat\t1\nunaffable runs\tx\t0\n";
  const auto from_file = tokenize("--vocab " + tiny_vocab() + " --data tsv:" + file.string());
  const auto from_stdin = tokenize("--vocab " + tiny_vocab(), "hello world\nthe cat\nunaffable runs\nx\n");
  ASSERT_EQ(from_file.code, 0);
  std::string joined = from_stdin.out;  // per record: text1 ids TAB text2 ids
  for (size_t i = 0, line = 0; i < joined.size(); ++i) {
    if (joined[i] == '\n' && line++ % 2 == 0) joined[i] = '\t';
  }
  EXPECT_EQ(from_file.out, joined);
  const auto stats = tokenize("--vocab " + tiny_vocab() + " --data tsv:" + file.string() + " --stats --max-length 3");
  EXPECT_NE(stats.out.find("records 2"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("truncated at 3"), std::string::npos) << stats.out;
  fs::remove(file);
}

TEST(TokenizeCli, IdsOfKnownSentencesEqualTheHuggingFaceFixture) {
  const auto rules = testing::load_tokenizer_fixture("rules.json");
  std::string input, want;
  for (const auto& c : rules["cases"]) {
    const std::string text = c["text"];
    if (c["vocab"] != "tiny" || c["lowercase"] != true || c["chinese_chars"] != true ||
        text.find_first_of("\n\r") != std::string::npos)
      continue;
    input += text + "\n";
    want += testing::join_ids(c["ids"].get<std::vector<int64_t>>()) + "\n";
  }
  const CliResult r = tokenize("--vocab " + tiny_vocab(), input);
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, want);
}

TEST(TokenizeCli, TokenizerJsonGivesTheHuggingFaceIdsAndABpeFileFails) {
  const auto cases = testing::load_tokenizer_fixture("json/cases.json");
  const auto& c = cases["files"]["tiny_custom"];
  std::string input, want;
  for (size_t i = 0; i < cases["texts"].size(); ++i) {
    const std::string text = cases["texts"][i];
    if (text.find_first_of("\n\r") != std::string::npos) continue;
    input += text + "\n";
    want += testing::join_ids(c["ids"][i].get<std::vector<int64_t>>()) + "\n";
  }
  const auto json_dir = testing::fixture_dir() / "tokenizer" / "json";
  const CliResult r = tokenize("--vocab " + (json_dir / "tiny_custom.json").string(), input);
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, want);
  EXPECT_EQ(tokenize("--vocab " + (json_dir / "tiny_bpe.json").string(), "a\n").code, 1);
}

TEST(TokenizeCli, PairWithTypesAndTruncation) {
  const CliResult r = tokenize("--vocab " + tiny_vocab() + " --pair --types --max-length 7",
                               "a a a\tb b\nhello\tworld!\n");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "2 21 21 3 22 22 3\t0 0 0 0 1 1 1\n2 5 3 6 18 3\t0 0 0 1 1 1\n");
  EXPECT_EQ(tokenize("--vocab " + tiny_vocab() + " --pair", "no tab\n").code, 1);
}

TEST(TokenizeCli, BuildVocabNeedsCorpus) {
  EXPECT_EQ(tokenize("--build-vocab --output /tmp/unused").code, 2);
}

TEST(TokenizeCli, BuildVocab) {
  const fs::path dir = fs::temp_directory_path();
  const fs::path corpus = dir / ("sz_cli_corpus_" + std::to_string(getpid()));
  const fs::path vocab = dir / ("sz_cli_vocab_" + std::to_string(getpid()));
  std::ofstream(corpus) << "天天 好\n天\n";
  const CliResult r = tokenize("--build-vocab --corpus " + corpus.string() +
                               " --min-count 2 --output " + vocab.string());
  EXPECT_EQ(r.code, 0);
  std::ifstream in(vocab);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n天\n");
}

}  // namespace
}  // namespace sentzoo
