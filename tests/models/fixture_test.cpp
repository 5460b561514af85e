// Golden fixtures from tools/reference/gen_model_fixtures.py: HF BERT / RoFormer, JunnYu's
// RoFormerV2, torchscale DeepNet, sentence-transformers pooling; fp32, max abs diff <= 1e-5.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>

#include "io/safetensors.h"
#include "models/cross_encoder.h"
#include "models/dual_encoder.h"
#include "models/hf_weights.h"
#include "models/pooling.h"
#include "tests/test_util.h"

namespace sentzoo {
namespace {

constexpr double kTol = 1e-5;

std::string fixture(const std::string& arch) {
  return (testing::fixture_dir() / "models" / arch).string();
}

TensorMap expected(const std::string& arch) {
  const auto path = fixture(arch) + "/expected.safetensors";
  auto meta = read_safetensors_metadata(path);
  EXPECT_EQ(meta["version"], "1")
      << path << ": stale fixture\n---> HINT: re-run tools/reference/gen_model_fixtures.py";
  return read_safetensors(path);
}

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

class ModelFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelFixture, MatchesReferenceHiddenStatesAndMlmLogits) {
  const auto arch = GetParam();
  auto e = expected(arch);
  const bool has_mlm = e.count("mlm_logits") > 0;  // torchscale's encoder has no MLM head
  auto enc = load_hf_encoder(fixture(arch), /*with_mlm_head=*/has_mlm);
  enc->eval();
  EXPECT_EQ(to_string(enc->config.architecture), arch);
  torch::NoGradGuard no_grad;
  auto out = enc->forward(e["input_ids"], e["attention_mask"], e["token_type_ids"], true);
  ASSERT_EQ(out.hidden_states.size(), static_cast<size_t>(enc->config.num_layers + 1));
  // torchscale zeroes padded positions after the embeddings: compare unpadded positions there.
  auto keep =
      arch == "deepnet" ? e["attention_mask"].unsqueeze(-1).to(torch::kFloat) : torch::ones({1});
  double worst = 0;
  for (size_t i = 0; i < out.hidden_states.size(); ++i) {
    const double d = max_diff(out.hidden_states[i] * keep, e["hidden." + std::to_string(i)]);
    worst = std::max(worst, d);
    EXPECT_LE(d, kTol) << "layer " << i;
  }
  RecordProperty("max_abs_diff_hidden", std::to_string(worst));
  if (has_mlm) {
    EXPECT_LE(max_diff(enc->mlm_logits(out.last_hidden), e["mlm_logits"]), kTol);
  }
  if (e.count("pooler_output")) {
    EXPECT_LE(max_diff(out.pooler_output, e["pooler_output"]), kTol);
  }
}

TEST_P(ModelFixture, PoolingMatchesSentenceTransformers) {
  const auto arch = GetParam();
  auto e = expected(arch);
  auto enc = load_hf_encoder(fixture(arch));
  enc->eval();
  torch::NoGradGuard no_grad;
  auto out = enc->forward(e["input_ids"], e["attention_mask"], e["token_type_ids"], true);
  const std::vector<std::pair<std::string, std::string>> modes = {
      {"cls", "cls"},
      {"mean", "mean"},
      {"max", "max"},
      {"weighted_mean", "weightedmean"},
      {"last_token", "lasttoken"},
      {"first_last_avg", "first_last_avg"}};
  for (const auto& [ours, key] : modes)
    EXPECT_LE(max_diff(pool(out, parse_pooling(ours)), e["pool." + key]), kTol) << ours;
}

TEST_P(ModelFixture, DualEncoderMatchesMeanDenseNormalize) {
  const auto arch = GetParam();
  auto e = expected(arch);
  DualEncoderConfig c;
  c.encoder = load_hf_encoder(fixture(arch))->config;
  c.pooling.mode = "mean";
  c.pooling.dense_dim = 5;
  c.pooling.normalize = true;
  DualEncoder dual(c);
  load_hf_weights(*dual->tower, read_hf_weight_file(fixture(arch)), fixture(arch));
  {
    torch::NoGradGuard no_grad;
    dual->dense->weight.copy_(e["dual.dense.weight"]);
    dual->dense->bias.copy_(e["dual.dense.bias"]);
  }
  dual->eval();
  torch::NoGradGuard no_grad;
  auto got = dual->forward(e["input_ids"], e["attention_mask"], e["token_type_ids"]);
  EXPECT_LE(max_diff(got, e["dual.embedding"]), kTol);
}

INSTANTIATE_TEST_SUITE_P(Archs,
                         ModelFixture,
                         ::testing::Values("bert", "roformer", "roformer_v2", "deepnet"));

TEST(DeepNetInit, MatchesTorchscaleInitStatistics) {
  // torchscale Encoder(deepnorm=True), N=6, h=256, ffn=512: [std, max|w|] of each parameter.
  const auto path = fixture("deepnet") + "/init_stats.safetensors";
  auto want = read_safetensors(path);
  auto c = deepnet_tiny();
  c.num_layers = 6;
  c.hidden_size = 256;
  c.num_heads = 4;
  c.intermediate_size = 512;
  torch::manual_seed(1);
  auto enc = make_encoder(c);
  int checked = 0;
  for (const auto& item : enc->named_parameters()) {
    if (item.key().rfind("layers.", 0) != 0) continue;
    auto it = want.find(hf_weight_name(item.key()));
    ASSERT_NE(it, want.end()) << item.key();
    const bool matrix = item.value().dim() == 2;
    const double std = item.value().std().item<double>(), ref = it->second[0].item<double>();
    if (ref == 0.0) {
      EXPECT_EQ(std, 0.0) << item.key();
    } else if (item.key().find("norm") == std::string::npos) {
      // sampling error of a std: ~1/sqrt(2n): 0.3% for matrices, 4.4% for 256-element biases
      EXPECT_NEAR(std / ref, 1.0, matrix ? 0.02 : 0.2) << item.key();
      if (matrix) {
        EXPECT_NEAR(
            item.value().abs().max().item<double>() / it->second[1].item<double>(), 1.0, 0.02)
            << item.key();
      }
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(want.size()));
}

TEST(CrossEncoder, MatchesBertForSequenceClassification) {
  auto e = expected("bert");
  for (int64_t k : {1, 3}) {
    CrossEncoderConfig c;
    c.encoder = load_hf_encoder(fixture("bert"))->config;
    c.num_labels = k;
    CrossEncoder cross(c);
    load_hf_weights(*cross->encoder, read_hf_weight_file(fixture("bert")), fixture("bert"));
    torch::NoGradGuard no_grad;
    cross->classifier->weight.copy_(e["cross" + std::to_string(k) + ".weight"]);
    cross->classifier->bias.copy_(e["cross" + std::to_string(k) + ".bias"]);
    cross->eval();
    auto got = cross->forward(e["input_ids"], e["attention_mask"], e["token_type_ids"]);
    auto want = e["cross" + std::to_string(k) + ".logits"];
    if (k == 1) want = want.squeeze(-1);
    EXPECT_LE(max_diff(got, want), kTol) << "K=" << k;
  }
}

// Writes each fixture model back in HF layout and reloads it. With SENTZOO_MODELS_EXPORT_DIR set,
// the folders are kept there: tools/reference/gen_model_fixtures.py --check-export loads them with
// transformers / roformer and compares against the fixtures (the Python side of the round trip).
TEST(HfWeights, SaveThenLoadGivesIdenticalOutputs) {
  const char* keep = std::getenv("SENTZOO_MODELS_EXPORT_DIR");
  for (const std::string arch : {"bert", "roformer", "roformer_v2"}) {
    auto e = expected(arch);
    auto a = load_hf_encoder(fixture(arch), true);
    a->eval();
    const auto dir =
        ((keep && *keep) ? std::filesystem::path(keep)
                         : std::filesystem::temp_directory_path() / "sentzoo_hf_roundtrip") /
        arch;
    save_hf_encoder(*a, dir.string());
    auto b = load_hf_encoder(dir.string(), true);
    b->eval();
    EXPECT_EQ(nlohmann::json(b->config), nlohmann::json(a->config));
    torch::NoGradGuard no_grad;
    auto ya = a->forward(e["input_ids"], e["attention_mask"], e["token_type_ids"]).last_hidden;
    auto yb = b->forward(e["input_ids"], e["attention_mask"], e["token_type_ids"]).last_hidden;
    EXPECT_TRUE(torch::equal(ya, yb)) << arch;
    EXPECT_TRUE(torch::equal(a->mlm_logits(ya), b->mlm_logits(yb))) << arch;
    if (!(keep && *keep)) std::filesystem::remove_all(dir);
  }
}

TEST(HfWeights, ReadsPlainDictBinAndExplainsOrderedDict) {
  // tiny pytorch_model.bin files from the generator: dict(sd) loads, an OrderedDict gets a hint.
  auto plain = read_hf_weight_file(fixture("bin_plain"));
  ASSERT_EQ(plain.size(), 2u);
  EXPECT_TRUE(torch::equal(plain["a.weight"], torch::arange(6, torch::kFloat).view({2, 3})));
  EXPECT_EQ(plain["b.bias"].scalar_type(), torch::kBFloat16);
  try {
    read_hf_weight_file(fixture("bin_ordered"));
    FAIL() << "expected an error";
  } catch (const std::runtime_error& err) {
    EXPECT_NE(std::string(err.what()).find("s.save_file("), std::string::npos) << err.what();
  }
}

TEST(HfWeights, ListsEveryMissingUnusedAndMismatchedKeyInOneError) {
  auto enc = load_hf_encoder(fixture("bert"));
  auto w = read_hf_weight_file(fixture("bert"));
  w.erase("bert.encoder.layer.1.output.dense.bias");                    // missing
  w["bert.encoder.layer.0.extra.weight"] = torch::zeros({2});           // unused
  w["bert.embeddings.word_embeddings.weight"] = torch::zeros({7, 48});  // mismatch
  try {
    load_hf_weights(*enc, w, "test");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& err) {
    const std::string msg = err.what();
    EXPECT_NE(msg.find("missing (1): encoder.layer.1.output.dense.bias"), std::string::npos) << msg;
    EXPECT_NE(msg.find("unused (1): encoder.layer.0.extra.weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("shape mismatch (1): embeddings.word_embeddings.weight (file 7x48"),
              std::string::npos)
        << msg;
  }
}

TEST(Safetensors, WriteThenReadIsBitExactForEveryDtype) {
  TensorMap t = {{"f32", torch::randn({3, 5})},
                 {"f16", torch::randn({4}).to(torch::kHalf)},
                 {"bf16", torch::randn({2, 2}).to(torch::kBFloat16)},
                 {"i64", torch::arange(7)},
                 {"scalar", torch::tensor(3.5)}};
  const auto path =
      (std::filesystem::temp_directory_path() / "sentzoo_st_test.safetensors").string();
  write_safetensors(path, t, {{"k", "v"}});
  auto r = read_safetensors(path);
  ASSERT_EQ(r.size(), t.size());
  for (const auto& [k, v] : t) {
    EXPECT_EQ(r[k].scalar_type(), v.scalar_type()) << k;
    EXPECT_TRUE(torch::equal(r[k], v)) << k;
  }
  EXPECT_EQ(read_safetensors_metadata(path)["k"], "v");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace sentzoo
