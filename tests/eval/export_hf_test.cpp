// --format huggingface: the sentence-transformers folder in tests/fixtures/export (written by
// sentzoo-export, encoded by sentence-transformers 3.0.1: tools/reference/gen_export_hf.py) is
// encoded identically by us, and today's writer still produces exactly that folder.

#include <gtest/gtest.h>

#include <fstream>

#include "data/tokenizer.h"
#include "eval/export_model.h"
#include "io/safetensors.h"
#include "models/hf_weights.h"
#include "tests/eval/export_test_util.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;

fs::path fixture() { return testing::fixture_dir() / "export" / "st_bert_mean"; }

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

TEST(ExportHuggingFace, SentenceTransformersEncodesLikeUs) {
  const auto expected = read_json(fixture().string() + "_expected.json");
  DualEncoder model = load_sentence_transformer(fixture().string());
  EXPECT_TRUE(model->config.pooling.normalize);
  EXPECT_EQ(model->config.pooling.mode, "mean");
  auto tok = load_tokenizer(fixture() / "vocab.txt");
  torch::NoGradGuard no_grad;
  const auto& sentences = expected["sentences"];
  for (size_t i = 0; i < sentences.size(); ++i) {
    const auto e = tok->encode(sentences[i].get<std::string>(), 32);
    auto ids = torch::tensor(e.ids, torch::kLong).unsqueeze(0);
    auto v = model->forward(ids, torch::ones_like(ids)).squeeze(0);
    auto want = torch::tensor(expected["embeddings"][i].get<std::vector<float>>());
    EXPECT_LE((v - want).abs().max().item<double>(), 1e-5) << sentences[i];
  }
}

TEST(ExportHuggingFace, WriterReproducesTheFixtureAndRefusesWhatStCannotSay) {
  testing::TempDir tmp("exporthf");
  const auto src = tmp.path / "hf";
  fs::create_directories(src);
  fs::copy_file(testing::fixture_dir() / "models" / "bert" / "config.json", src / "config.json");
  fs::copy_file(testing::fixture_dir() / "models" / "bert" / "model.safetensors",
                src / "model.safetensors");
  fs::copy_file(testing::tiny_vocab_path(), src / "vocab.txt");
  ExportRequest r;
  r.checkpoint = src;
  r.output = tmp.path / "st";
  r.format = "huggingface";
  r.pooling = "mean";
  r.normalize = true;
  r.max_length = 32;
  export_model(r);
  for (const char* f : {"modules.json",
                        "1_Pooling/config.json",
                        "sentence_bert_config.json",
                        "tokenizer_config.json",
                        "config.json"})
    EXPECT_EQ(read_json(r.output / f), read_json(fixture() / f)) << f;
  EXPECT_TRUE(fs::is_directory(r.output / "2_Normalize"));
  const auto got = read_safetensors((r.output / "model.safetensors").string());
  const auto want = read_safetensors((fixture() / "model.safetensors").string());
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [name, t] : want) EXPECT_TRUE(torch::equal(got.at(name), t)) << name;
  // first_last_avg has no sentence-transformers equivalent; cross encoders are not written.
  r.output = tmp.path / "st2";
  r.pooling = "first_last_avg";
  EXPECT_THROW(export_model(r), std::invalid_argument);
  r.pooling = "mean";
  r.kind = "cross";
  EXPECT_ANY_THROW(export_model(r));
}

}  // namespace
}  // namespace sentzoo
