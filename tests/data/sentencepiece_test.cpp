// SentencePiece through the dlopen()ed plugin inside this torch-linked binary (TOOLCHAIN.md §2):
// train a tiny BPE model with byte fallback, encode, decode, round-trip unseen text.
#include "data/sentencepiece.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "tests/test_util.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;

// One model per test binary run: training takes ~0.1 s.
const fs::path& tiny_model() {
  static const fs::path model = [] {
    const fs::path dir = fs::temp_directory_path() / ("sentzoo_spm_" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::ofstream text(dir / "corpus.txt");
    const char* words[] = {"the",
                           "cat",
                           "sat",
                           "on",
                           "a",
                           "mat",
                           "dog",
                           "ran",
                           "far",
                           "away",
                           "中文",
                           "句子",
                           "相似",
                           "度"};
    for (int i = 0; i < 400; ++i)
      text << words[i % 14] << ' ' << words[(i * 7) % 14] << ' ' << words[(i * 3) % 14] << ".\n";
    text.close();
    train_sentencepiece("--input=" + (dir / "corpus.txt").string() +
                        " --model_prefix=" + (dir / "m").string() +
                        " --vocab_size=300 --model_type=bpe --byte_fallback=true"
                        " --character_coverage=1.0 --control_symbols=[CLS],[SEP],[MASK]"
                        " --minloglevel=2");
    return dir / "m.model";
  }();
  return model;
}

TEST(SentencePiece, TrainsEncodesAndDecodesInsideATorchProcess) {
  const auto t = torch::ones({2, 2}).sum();  // libtorch (and its protobuf) is live here
  SentencePieceTokenizer tok(tiny_model());
  EXPECT_EQ(t.item<float>(), 4.0f);
  EXPECT_EQ(tok.vocab_size(), 300);
  const auto ids = tok.tokenize("the cat sat on a mat.");
  ASSERT_FALSE(ids.empty());
  EXPECT_LT(ids.size(), 21u);  // merges learned: fewer pieces than bytes
  EXPECT_EQ(tok.decode(ids), "the cat sat on a mat.");
  for (const int64_t id : ids) EXPECT_EQ(tok.token_to_id(tok.id_to_token(id)), id);
}

TEST(SentencePiece, ByteFallbackRoundTripsUnseenText) {
  SentencePieceTokenizer tok(tiny_model());
  for (const std::string text : {"Zürich 東京 ok?", "ÆØÅ — \xF0\x9F\x98\x80", "相似度 dog"}) {
    const auto ids = tok.tokenize(text);
    EXPECT_EQ(tok.decode(ids), text);
    for (const int64_t id : ids) EXPECT_NE(id, tok.special().unk) << text;
  }
}

TEST(SentencePiece, TemplateUsesTheModelsSpecialPieces) {
  SentencePieceTokenizer tok(tiny_model());
  EXPECT_EQ(tok.special().cls, tok.token_to_id("[CLS]"));
  EXPECT_EQ(tok.special().sep, tok.token_to_id("[SEP]"));
  EXPECT_EQ(tok.special().mask, tok.token_to_id("[MASK]"));
  EXPECT_EQ(tok.special().unk, 0);
  EXPECT_EQ(tok.token_to_id("no-such-piece"), -1);
  const Encoding e = tok.encode_pair("the cat", "a dog", 6, Truncation::kLongestFirst);
  ASSERT_EQ(e.ids.size(), 6u);
  EXPECT_EQ(e.ids.front(), tok.special().cls);
  EXPECT_EQ(e.ids.back(), tok.special().sep);
  EXPECT_EQ(e.type_ids, (std::vector<int64_t>{0, 0, 0, 1, 1, 1}));
  EXPECT_THROW(tok.id_to_token(300), std::out_of_range);
}

TEST(SentencePiece, FactoryPicksTheModelByExtensionAndBadFilesNameThePath) {
  const auto tok = load_tokenizer(tiny_model());
  EXPECT_NE(dynamic_cast<SentencePieceTokenizer*>(tok.get()), nullptr);
  try {
    SentencePieceTokenizer bad("/nonexistent/x.model");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/x.model"), std::string::npos);
  }
}

}  // namespace
}  // namespace sentzoo
