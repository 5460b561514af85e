// A model trained with a Hugging Face tokenizer.json (tokenizer.vocab names the file) is saved
// with it and with a vocab.txt of its vocabulary (best/, sentzoo.json "tokenizer":
// "tokenizer_json"), loads back, and both exports carry it: the TorchScript archive
// (tokenizer.json + vocab.txt, same vectors as the folder) and the Hugging Face folder
// (tokenizer.json + vocab.txt + the normalizer settings in tokenizer_config.json).
#include <gtest/gtest.h>

#include "core/json_text.h"
#include "data/tokenizer_json.h"
#include "eval/export_model.h"
#include "eval/pair_model.h"
#include "models/export.h"
#include "tests/test_util.h"
#include "tests/train/trainer_test_util.h"
#include "train/trainer.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;
using testing::TempRunDir;

// The toy vocab.txt as a tokenizer.json: tests/fixtures/tokenizer/json/tiny_bert_uncased.json
// (written by HF tokenizers) with its model.vocab replaced; both vocabularies start with
// [PAD] [UNK] [CLS] [SEP] [MASK], so its added tokens and template ids stay right.
void write_toy_tokenizer_json(const fs::path& dir) {
  auto j = read_json_file(
      (testing::fixture_dir() / "tokenizer" / "json" / "tiny_bert_uncased.json").string());
  const Vocab vocab = Vocab::load(dir / "vocab.txt");
  nlohmann::json map = nlohmann::json::object();
  for (int64_t i = 0; i < vocab.size(); ++i) map[vocab.token(i)] = i;
  j["model"]["vocab"] = map;
  testing::write_text(dir / "tokenizer.json", j.dump());
}

TEST(TrainerTokenizerJson, TrainsSavesExportsAndEncodes) {
  TempRunDir dir("tokjson");
  testing::write_toy_data(dir.path());
  write_toy_tokenizer_json(dir.path());
  auto j = testing::toy_config(dir.path());
  j["model"]["preset"] = "bert_tiny";  // --format huggingface writes BERT encoders
  j["tokenizer"]["vocab"] = (dir / "tokenizer.json").string();
  j["train"]["max_steps"] = 2;
  j["data"]["dev"] = "tsv:" + (dir / "graded.tsv").string();
  run_training(testing::to_config(j), dir / "out", /*resume=*/false);

  const auto best = dir / "out" / "best";
  EXPECT_EQ(testing::file_bytes(best / "tokenizer.json"),
            testing::file_bytes(dir / "tokenizer.json"));
  EXPECT_EQ(testing::file_bytes(best / "vocab.txt"), testing::file_bytes(dir / "vocab.txt"));
  EXPECT_EQ(read_json_file((best / "sentzoo.json").string()).at("tokenizer"), "tokenizer_json");

  const std::vector<std::string> texts = {"你好吗", "火车很快", "飞机 很慢"};
  const auto from_folder = PairModel::load(best);
  const WordPieceTokenizer from_vocab_txt(dir / "vocab.txt");
  for (const auto& t : texts)
    EXPECT_EQ(from_folder.tokenizer().encode(t).ids, from_vocab_txt.encode(t).ids) << t;
  const auto u = from_folder.encode(texts);

  ExportRequest request;
  request.checkpoint = dir / "out";
  request.output = dir / "model.pt";
  EXPECT_EQ(export_model(request).at("tokenizer"), "tokenizer_json");
  const auto archive = load_torchscript(dir / "model.pt");
  EXPECT_EQ(archive.files.at("tokenizer.json"), testing::file_bytes(dir / "tokenizer.json"));
  EXPECT_EQ(archive.files.at("vocab.txt"), testing::file_bytes(dir / "vocab.txt"));
  const auto v = PairModel::load(dir / "model.pt").encode(texts);
  ASSERT_EQ(u.sizes(), v.sizes());
  EXPECT_TRUE(torch::allclose(u, v, /*rtol=*/1e-5, /*atol=*/1e-5)) << (u - v).abs().max();

  request.format = "huggingface";
  request.output = dir / "hf";
  export_model(request);
  EXPECT_EQ(testing::file_bytes(dir / "hf" / "tokenizer.json"),
            testing::file_bytes(dir / "tokenizer.json"));
  EXPECT_EQ(testing::file_bytes(dir / "hf" / "vocab.txt"), testing::file_bytes(dir / "vocab.txt"));
  const auto tok_config = read_json_file((dir / "hf" / "tokenizer_config.json").string());
  EXPECT_EQ(tok_config.at("do_lower_case"), true);
  EXPECT_EQ(tok_config.at("strip_accents"), true);  // null in the file: follows lowercase
  EXPECT_EQ(tok_config.at("tokenize_chinese_chars"), true);
  EXPECT_EQ(tok_config.at("cls_token"), "[CLS]");
}

}  // namespace
}  // namespace sentzoo
