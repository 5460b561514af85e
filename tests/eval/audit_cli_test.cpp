// sentzoo-audit: a bare matrix in a safetensors file (Su's 2-D example), the MLM head of a
// training folder with a planted unargmaxable token, the classifier of a cross encoder, and
// usage errors (exit 2) and failures (exit 1).

#include <gtest/gtest.h>

#include "eval/output_layer.h"
#include "io/safetensors.h"
#include "models/encoder.h"
#include "tests/eval/export_test_util.h"

namespace sentzoo {
namespace {

using testing::run_main;
using testing::TempDir;

TEST(AuditCli, BareMatrixPrintsTheUnargmaxableRows) {
  TempDir tmp("audit_matrix");
  const auto file = (tmp.path / "head.safetensors").string();
  const auto w = torch::tensor({1., 2., 2., 1., 1., 0., 0., 1., 1., 1.}).reshape({5, 2});
  write_safetensors(file,
                    {{"w", w.to(torch::kFloat32)}, {"b", torch::tensor({0., 0., 0., 0., 1.})}});
  auto r = run_main("sentzoo-audit", "--weights " + file + " --weight w");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "4\t4\n");
  r = run_main("sentzoo-audit", "--weights " + file + " --weight w --bias b");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "");  // the bias lifts row 4 (blog 9046's example, plus b4 = 1)
  const auto json_path = tmp.path / "audit.json";
  r = run_main("sentzoo-audit", "--weights " + file + " --weight w --json " + json_path.string());
  EXPECT_EQ(r.code, 0);
  const auto report = nlohmann::json::parse(std::ifstream(json_path));
  EXPECT_EQ(report["classes"], 5);
  EXPECT_EQ(report["dim"], 2);
  EXPECT_EQ(report["has_bias"], false);
  EXPECT_EQ(report["cleared_by_braid"], 4);
  ASSERT_EQ(report["unargmaxable"].size(), 1u);
  EXPECT_EQ(report["unargmaxable"][0]["index"], 4);
  EXPECT_EQ(report["decided"][0]["decided_by"], "lp");
  r = run_main("sentzoo-audit", "--weights " + file + " --weight w --no-exact");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "4\t4\tundecided\n");
  r = run_main("sentzoo-audit", "--weights " + file + " --weight missing");
  EXPECT_EQ(r.code, 1);
  r = run_main("sentzoo-audit", "--weights " + file + " --weight w --bias w");
  EXPECT_EQ(r.code, 1);
}

TEST(AuditCli, UsageErrors) {
  EXPECT_EQ(run_main("sentzoo-audit", "").code, 2);
  EXPECT_EQ(run_main("sentzoo-audit", "--model a --weights b --weight w").code, 2);
  EXPECT_EQ(run_main("sentzoo-audit", "--weights b").code, 2);  // no --weight
  EXPECT_EQ(run_main("sentzoo-audit", "--model a --weight w").code, 2);
  EXPECT_EQ(run_main("sentzoo-audit", "--weights b --weight w --patience -1").code, 2);
}

// An MLM folder whose token 7 has the mean embedding and bias of tokens 8 and 9 minus 1: it is
// below both everywhere (s_7 = (s_8 + s_9) / 2 - 1), so the audit names it, by its token.
TEST(AuditCli, MlmFolderNamesThePlantedToken) {
  TempDir tmp("audit_mlm");
  torch::manual_seed(19);
  auto config = encoder_preset("bert_tiny");
  config.vocab_size = 48;  // tiny_vocab.txt
  config.with_mlm_head = true;
  auto encoder = make_encoder(config);
  {
    torch::NoGradGuard no_grad;
    auto& e = encoder->embeddings->tok->weight;
    auto& b = encoder->mlm->bias;
    b.normal_();
    e[7] = (e[8] + e[9]) / 2;
    b[7] = (b[8] + b[9]) / 2 - 1;
  }
  const auto dir = tmp.path / "mlm";
  save_trained_model(dir,
                     *encoder,
                     *encoder,
                     {{"kind", "mlm"},
                      {"architecture", "bert"},
                      {"tokenizer", "wordpiece"},
                      {"lowercase", true},
                      {"max_length", 16}},
                     testing::tiny_vocab_path());
  const auto layer = output_layer_from_folder(dir);
  EXPECT_EQ(layer.weight.size(0), 48);
  ASSERT_EQ(layer.labels.size(), 48u);
  EXPECT_TRUE(layer.bias.defined());
  const auto r = run_main("sentzoo-audit", "--model " + dir.string());
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "7\t" + layer.labels[7] + "\n");
}

TEST(AuditCli, CrossEncoderClassifierAndDualRefusal) {
  TempDir tmp("audit_heads");
  testing::save_tiny_model(tmp.path / "cross", "cross", "bert", "mean", /*num_labels=*/3);
  const auto layer = output_layer_from_folder(tmp.path / "cross" / "best");
  EXPECT_EQ(layer.weight.size(0), 3);
  EXPECT_TRUE(layer.labels.empty());
  const auto r = run_main("sentzoo-audit", "--model " + (tmp.path / "cross" / "best").string());
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "");  // 3 classes in 32 dims: none can be bounded
  testing::save_tiny_model(tmp.path / "dual", "dual");
  EXPECT_THROW(output_layer_from_folder(tmp.path / "dual" / "best"), std::runtime_error);
  EXPECT_EQ(run_main("sentzoo-audit", "--model " + (tmp.path / "dual" / "best").string()).code, 1);
}

}  // namespace
}  // namespace sentzoo
