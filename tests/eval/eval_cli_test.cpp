// sentzoo-eval / -export / -encode and the example consumer: a training folder and its export
// give the same outputs, the metrics JSON follows the issue #7 shape, and bad inputs exit 1 or 2.

#include <gtest/gtest.h>

#include <numeric>

#include "data/batch.h"
#include "eval/export_model.h"
#include "eval/pair_eval.h"
#include "eval/pair_model.h"
#include "io/npy.h"
#include "models/export.h"
#include "models/model_folder.h"
#include "tests/eval/export_test_util.h"

namespace sentzoo {
namespace {

using testing::run_main;
using testing::TempDir;

const std::vector<std::string> kTexts = {"hello world", "the cat runs", "中文字", "a", "x x x x"};

TEST(PairModel, TrainingFolderAndExportAgree) {
  TempDir tmp("pairmodel");
  for (const std::string kind : {"dual", "cross"}) {
    const auto dir = tmp.path / kind;
    testing::save_tiny_model(dir, kind, kind == "dual" ? "roformer_v2" : "bert");
    ExportRequest r;
    r.checkpoint = dir;  // DIR, not DIR/best: best/ is found
    r.output = tmp.path / (kind + ".pt");
    const auto meta = export_model(r);
    EXPECT_EQ(meta["kind"], kind);
    const auto folder = PairModel::load(dir / "best");
    const auto exported = PairModel::load(r.output);
    EXPECT_EQ(exported.kind(), kind);
    EXPECT_EQ(exported.max_length(), 16);
    torch::Tensor a, b;
    if (kind == "dual") {
      a = folder.encode(kTexts, 2), b = exported.encode(kTexts, 3);
      EXPECT_EQ(a.sizes(), (std::vector<int64_t>{5, 32}));
      // L2-normalised (the pooling config says so) and independent of batching.
      EXPECT_LE((a.norm(2, 1) - 1).abs().max().item<double>(), 1e-5);
      EXPECT_LE((a - folder.encode(kTexts, 5)).abs().max().item<double>(), 1e-5);
      EXPECT_THROW(folder.score_pairs({{"a", "b"}}), std::runtime_error);
    } else {
      std::vector<std::pair<std::string, std::string>> p = {{"hello", "world"}, {"a", "the cat"}};
      a = folder.score_pairs(p, 1), b = exported.score_pairs(p, 2);
      EXPECT_EQ(a.sizes(), (std::vector<int64_t>{2}));
      EXPECT_THROW(folder.encode(kTexts), std::runtime_error);
    }
    EXPECT_LE((a - b).abs().max().item<double>(), 1e-5) << kind;
  }
  EXPECT_THROW(PairModel::load(tmp.path / "missing"), std::runtime_error);
}

// bf16 autocast and bf16 weights (issue #17 item 4): fp32 outputs close to the fp32 model's, for
// a training folder and its TorchScript export, dual and cross; the weights really are bf16 (the
// two bf16 modes round differently, so they do not give identical outputs).
TEST(PairModel, Bf16AutocastAndBf16WeightsStayCloseToFp32) {
  TempDir tmp("pairmodel_bf16");
  for (const std::string kind : {"dual", "cross"}) {
    const auto dir = tmp.path / kind;
    testing::save_tiny_model(dir, kind, kind == "dual" ? "roformer_v2" : "bert");
    ExportRequest r;
    r.checkpoint = dir;
    r.output = tmp.path / (kind + ".pt");
    export_model(r);
    for (const auto& path : {dir, r.output}) {
      auto run = [&](InferencePrecision p) {
        const auto m = PairModel::load(path, p);
        EXPECT_EQ(m.precision(), p);
        if (kind == "dual") return m.encode(kTexts, 2);
        return m.score_pairs({{"hello", "world"}, {"a", "the cat"}, {"中文", "字"}}, 2);
      };
      const auto fp32 = run(InferencePrecision::kFp32);
      const auto autocast = run(InferencePrecision::kBf16Autocast);
      const auto weights = run(InferencePrecision::kBf16Weights);
      for (const auto& t : {autocast, weights}) {
        EXPECT_EQ(t.scalar_type(), torch::kFloat) << path;
        EXPECT_EQ(t.sizes(), fp32.sizes()) << path;
        // bf16 keeps 8 bits of mantissa: ~0.4% relative per rounding, a few through the model.
        EXPECT_LE((t - fp32).abs().max().item<double>(), 0.05 * (1 + fp32.abs().max().item<double>()))
            << kind << " " << path;
      }
      EXPECT_GT((weights - fp32).abs().max().item<double>(), 0) << "bf16 weights changed nothing";
    }
  }
  EXPECT_EQ(to_string(parse_inference_precision("bf16-weights")), "bf16-weights");
  EXPECT_THROW(parse_inference_precision("fp16"), std::invalid_argument);
}

// Separate towers: side 1 goes through the second tower, in a training folder and in its export
// (forward_side1), and sentzoo-eval scores cos(tower_a(text1), tower_b(text2)).
TEST(PairModel, SeparateTowersEncodeEachSideWithItsOwnTower) {
  TempDir tmp("pairmodel_towers");
  testing::save_tiny_model(tmp.path, "dual", "bert", "mean", 1, /*shared_towers=*/false);
  ExportRequest r;
  r.checkpoint = tmp.path;
  r.output = tmp.path / "dual.pt";
  export_model(r);
  const auto folder = PairModel::load(tmp.path);
  const auto exported = PairModel::load(r.output);
  EXPECT_TRUE(folder.separate_towers());
  EXPECT_TRUE(exported.separate_towers());
  const auto side0 = folder.encode(kTexts, 2, {}, 0), side1 = folder.encode(kTexts, 2, {}, 1);
  EXPECT_GT((side0 - side1).abs().max().item<double>(), 1e-3) << "both sides used one tower";
  EXPECT_LE((exported.encode(kTexts, 3, {}, 1) - side1).abs().max().item<double>(), 1e-5);
  EXPECT_LE((exported.encode(kTexts, 3, {}, 0) - side0).abs().max().item<double>(), 1e-5);
  // Against the model itself: tower_b for side 1.
  auto trained = load_trained_model(tmp.path / "best");
  std::vector<Encoding> enc;
  for (const auto& t : kTexts) enc.push_back(folder.tokenizer().encode(t, 16));
  std::vector<int64_t> rows(kTexts.size());
  std::iota(rows.begin(), rows.end(), 0);
  const auto batch = collate(enc, rows);
  torch::NoGradGuard no_grad;
  trained.dual->eval();
  const auto direct =
      trained.dual->forward(batch.input_ids, batch.attention_mask, batch.token_type_ids, 1);
  EXPECT_LE((direct - side1).abs().max().item<double>(), 1e-5);
  EXPECT_THROW(folder.encode(kTexts, 2, {}, 2), std::invalid_argument);

  // sentzoo-eval: the score of pair i is cos(side 0 of text i, side 1 of text i+1).
  std::vector<PairExample> pairs;
  for (size_t i = 0; i < kTexts.size(); ++i)
    pairs.push_back({kTexts[i], kTexts[(i + 1) % kTexts.size()], double(i % 2)});
  const auto evaluation = evaluate_pairs(folder, pairs, std::nullopt);
  for (size_t i = 0; i < pairs.size(); ++i) {
    const double want =
        torch::cosine_similarity(side0[i], side1[(i + 1) % kTexts.size()], 0).item<double>();
    EXPECT_NEAR(evaluation.test.scores[i], want, 1e-5) << i;
  }
}

TEST(PairEval, JsonShapeAndThresholdSource) {
  TempDir tmp("paireval");
  testing::save_tiny_model(tmp.path, "dual");
  testing::write_pairs(tmp.path / "p.tsv");
  testing::write_pairs(tmp.path / "g.tsv", /*graded=*/true);
  const auto model = PairModel::load(tmp.path);
  std::vector<PairExample> pairs;
  for (const auto& line : {"hello world\thello world\t1",
                           "the cat\ta b\t0",
                           "x\tthe world\t0",
                           "hello\thellos\t1",
                           "中文\t文字\t1",
                           "cafe\tcafé naive\t0"}) {
    std::string s = line;
    auto t1 = s.find('\t'), t2 = s.rfind('\t');
    pairs.push_back({s.substr(0, t1), s.substr(t1 + 1, t2 - t1 - 1), std::stod(s.substr(t2 + 1))});
  }
  const auto self = evaluate_pairs(model, pairs, std::nullopt);
  const auto& j = self.test.json;
  for (const char* key : {"accuracy",
                          "f1",
                          "precision",
                          "recall",
                          "ap",
                          "auc",
                          "mcc",
                          "spearman",
                          "pearson",
                          "threshold",
                          "pairs",
                          "pairs_per_second"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["threshold_source"], "test");
  EXPECT_EQ(j["pairs"], 6);
  // Accuracy recomputed from the returned scores and threshold (predict 1 iff score > t).
  int correct = 0;
  for (size_t i = 0; i < pairs.size(); ++i)
    correct += (self.test.scores[i] > j["threshold"].get<double>()) == (pairs[i].label == 1);
  EXPECT_DOUBLE_EQ(j["accuracy"].get<double>(), correct / 6.0);
  const auto with_valid = evaluate_pairs(model, pairs, pairs);
  EXPECT_EQ(with_valid.test.json["threshold_source"], "valid");
  ASSERT_TRUE(with_valid.valid);
  EXPECT_TRUE(with_valid.json().contains("valid"));
  // Graded labels: correlations only.
  auto graded = pairs;
  for (size_t i = 0; i < graded.size(); ++i) graded[i].label = 0.7 * i;
  const auto g = evaluate_pairs(model, graded, std::nullopt).test.json;
  EXPECT_TRUE(g.contains("spearman"));
  EXPECT_FALSE(g.contains("accuracy"));
  EXPECT_FALSE(g.contains("threshold"));
  // A 3-class cross encoder cannot take graded labels.
  testing::save_tiny_model(tmp.path / "nli", "cross", "bert", "mean", 3);
  const auto nli = PairModel::load(tmp.path / "nli");
  EXPECT_THROW(evaluate_pairs(nli, graded, std::nullopt), std::runtime_error);
  EXPECT_EQ(evaluate_pairs(nli, pairs, std::nullopt).test.predicted.size(), pairs.size());
}

TEST(EvalCli, ExitCodesJsonAndPredictions) {
  TempDir tmp("evalcli");
  testing::save_tiny_model(tmp.path / "dual", "dual");
  testing::write_pairs(tmp.path / "p.tsv");
  const std::string test = " --test tsv:" + (tmp.path / "p.tsv").string();
  EXPECT_EQ(run_main("sentzoo-eval", "--model " + (tmp.path / "dual").string()).code, 2);
  EXPECT_EQ(run_main("sentzoo-eval", "--model " + (tmp.path / "nope").string() + test).code, 1);
  const auto ok = run_main("sentzoo-eval",
                           "--model " + (tmp.path / "dual").string() + test +
                               " --valid tsv:" + (tmp.path / "p.tsv").string() + " --predictions " +
                               (tmp.path / "pred.tsv").string());
  ASSERT_EQ(ok.code, 0);
  const auto j = nlohmann::json::parse(ok.out);
  EXPECT_EQ(j["test"]["threshold_source"], "valid");
  EXPECT_EQ(j["valid"]["pairs"], 8);
  std::ifstream pred(tmp.path / "pred.tsv");
  int lines = 0;
  for (std::string l; std::getline(pred, l);) ++lines;
  EXPECT_EQ(lines, 9);  // header + 8 pairs
  EXPECT_EQ(j["precision"], "fp32");
  // --precision: bf16 weights are evaluated and recorded; an unknown name is a usage error.
  const auto bf16 = run_main("sentzoo-eval", "--model " + (tmp.path / "dual").string() + test +
                                                 " --precision bf16-weights");
  ASSERT_EQ(bf16.code, 0) << bf16.out;
  EXPECT_EQ(nlohmann::json::parse(bf16.out)["precision"], "bf16-weights");
  const auto bad = testing::run_shell((testing::binary_dir() / "sentzoo-eval").string() +
                                      " --model " + (tmp.path / "dual").string() + test +
                                      " --precision fp8 2>&1");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.out.find("--precision: expected fp32, bf16 or bf16-weights, found 'fp8'"),
            std::string::npos)
      << bad.out;
}

TEST(ExportCli, ExportEncodeAndConsumer) {
  TempDir tmp("exportcli");
  testing::save_tiny_model(tmp.path / "m", "dual", "deepnet", "max");
  const std::string pt = (tmp.path / "m.pt").string();
  EXPECT_EQ(
      run_main("sentzoo-export",
               "--checkpoint " + (tmp.path / "m").string() + " --output " + pt + " --format onnx")
          .code,
      2);  // an unknown format is a usage error (every architecture has huggingface now)
  EXPECT_EQ(
      run_main("sentzoo-export", "--checkpoint " + (tmp.path / "nope").string() + " --output " + pt)
          .code,
      1);
  ASSERT_EQ(
      run_main("sentzoo-export", "--checkpoint " + (tmp.path / "m").string() + " --output " + pt)
          .code,
      0);
  {
    std::ofstream in(tmp.path / "in.txt");
    for (const auto& t : kTexts) in << t << "\n";
  }
  ASSERT_EQ(run_main("sentzoo-encode",
                     "--model " + pt + " --input " + (tmp.path / "in.txt").string() + " --output " +
                         (tmp.path / "e.npy").string() + " --batch-size 2")
                .code,
            0);
  const auto npy = read_npy(tmp.path / "e.npy");
  ASSERT_EQ(npy.shape, (std::vector<int64_t>{5, 32}));
  const auto folder_model = PairModel::load(tmp.path / "m");
  const auto native = folder_model.encode(kTexts);
  auto got = torch::from_blob(const_cast<float*>(npy.data.data()), {5, 32});
  EXPECT_LE((got - native).abs().max().item<double>(), 1e-5);
  // The consumer links torch only: ids in, vectors out, same numbers as the native model.
  const auto& tok = folder_model.tokenizer();
  const auto e0 = tok.encode(kTexts[0]), e1 = tok.encode(kTexts[2]);
  std::string ids;
  for (auto i : e0.ids) ids += " " + std::to_string(i);
  ids += " ,";
  for (auto i : e1.ids) ids += " " + std::to_string(i);
  const auto out = run_main("sentzoo-example-consumer", pt + ids);
  ASSERT_EQ(out.code, 0);
  std::istringstream rows(out.out);
  for (int r : {0, 2}) {
    for (int64_t d = 0; d < 32; ++d) {
      double v;
      rows >> v;
      EXPECT_NEAR(v, native[r][d].item<double>(), 1e-5) << r << "," << d;
    }
  }
}

// Issue #14: a training output whose sentzoo.json is lost was exported as a plain encoder with
// guessed pooling (the trained heads silently dropped); a model whose vocabulary is empty gave
// an archive nothing could load.
TEST(ExportRefusals, TrainingOutputWithoutSentzooJsonIsRefused) {
  TempDir tmp("export_no_record");
  testing::save_tiny_model(tmp.path, "dual", "bert");
  std::filesystem::remove(tmp.path / "best" / "sentzoo.json");
  ExportRequest r;
  r.checkpoint = tmp.path / "best";
  r.output = tmp.path / "model.pt";
  try {
    export_model(r);
    ADD_FAILURE() << "exported";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("without sentzoo.json"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(r.output));
}

TEST(ExportRefusals, AnEmptyVocabularyIsRefused) {
  TempDir tmp("export_empty_vocab");
  testing::save_tiny_model(tmp.path, "dual", "bert");
  const auto vocab = tmp.path / "best" / "vocab.txt";
  ASSERT_TRUE(std::filesystem::exists(vocab)) << "the model folder must carry its vocabulary";
  std::filesystem::resize_file(vocab, 0);
  ExportRequest r;
  r.checkpoint = tmp.path;
  r.output = tmp.path / "model.pt";
  EXPECT_THROW(export_model(r), std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(r.output));
}

}  // namespace
}  // namespace sentzoo
