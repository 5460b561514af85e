// A model trained with a SentencePiece tokenizer is saved with it (best/sentencepiece.model,
// sentzoo.json "tokenizer": "sentencepiece"), loads back, exports and encodes the same vectors
// from the folder and from the TorchScript file. Before issue #12 the .model file was copied as
// best/vocab.txt with "tokenizer": "wordpiece" and the folder could not be loaded.
#include <gtest/gtest.h>

#include "data/sentencepiece.h"
#include "eval/export_model.h"
#include "eval/pair_model.h"
#include "eval/provenance.h"
#include "tests/train/trainer_test_util.h"
#include "train/trainer.h"

namespace sentzoo {
namespace {

using testing::TempRunDir;

TEST(TrainerSentencePiece, TrainsSavesExportsAndEncodes) {
  TempRunDir dir("spm");
  testing::write_toy_data(dir.path());
  std::string corpus;
  for (const auto& [a, b, y] : testing::toy_pairs()) corpus += a + "\n" + b + "\n";
  for (int i = 0; i < 20; ++i) corpus += "the cat sat on a mat and the dog ran far away\n";
  testing::write_text(dir / "spm_corpus.txt", corpus);
  train_sentencepiece("--input=" + (dir / "spm_corpus.txt").string() +
                      " --model_prefix=" + (dir / "spm").string() +
                      " --vocab_size=120 --hard_vocab_limit=false --model_type=bpe"
                      " --character_coverage=1.0 --control_symbols=[CLS],[SEP],[MASK]"
                      " --pad_id=3 --minloglevel=2");
  auto j = testing::toy_config(dir.path());
  j["tokenizer"]["vocab"] = (dir / "spm.model").string();
  j["train"]["max_steps"] = 2;
  j["data"]["dev"] = "tsv:" + (dir / "graded.tsv").string();
  run_training(testing::to_config(j), dir / "out", /*resume=*/false);

  const auto best = dir / "out" / "best";
  EXPECT_TRUE(std::filesystem::is_regular_file(best / "sentencepiece.model"));
  EXPECT_FALSE(std::filesystem::exists(best / "vocab.txt"));
  EXPECT_EQ(testing::file_bytes(best / "sentencepiece.model"),
            testing::file_bytes(dir / "spm.model"));
  const auto info = read_json_file((best / "sentzoo.json").string());
  EXPECT_EQ(info.at("tokenizer"), "sentencepiece");
  // Provenance for reports (issue #15): the initialisation, training data and planned steps.
  EXPECT_EQ(info.at("init"), "random");
  EXPECT_EQ(info.at("train_data"), j["data"]["train"]);
  EXPECT_EQ(info.at("max_steps"), 2);

  const std::vector<std::string> texts = {"the cat sat", "我喜欢吃苹果", "a dog ran far away"};
  const auto from_folder = PairModel::load(best);
  const auto u = from_folder.encode(texts);
  // Reports read the run beside best/ (eval/provenance.h): steps from the real metrics.jsonl.
  const auto record = model_record(best, from_folder);
  EXPECT_EQ(record.at("steps_done"), 2);
  EXPECT_EQ(record.at("best_step"), 2);
  ExportRequest request;
  request.checkpoint = dir / "out";
  request.output = dir / "model.pt";
  EXPECT_EQ(export_model(request).at("tokenizer"), "sentencepiece");
  const auto from_export = PairModel::load(dir / "model.pt");
  // The same pieces from the tokenizer inside the archive as from the folder's.
  EXPECT_EQ(from_export.tokenizer().tokenize("the cat sat"),
            from_folder.tokenizer().tokenize("the cat sat"));
  const auto v = from_export.encode(texts);
  ASSERT_EQ(u.sizes(), v.sizes());
  EXPECT_TRUE(torch::allclose(u, v, /*rtol=*/1e-5, /*atol=*/1e-5)) << (u - v).abs().max();
}

}  // namespace
}  // namespace sentzoo
