// The roformer package's full model (issue #15): RoFormerModel(add_pooling_layer=True) of
// roformer 0.4.3, v1 and V2, whose pooler is ACT2FN[config.pooler_activation](dense(x[:, 0]))
// with a bias even when use_bias is false (tools/reference/gen_model_fixtures.py
// make_roformer_pooler). The folder's config.json decides the activation; every supported one
// matches within 1e-5, the pooler survives save_hf_encoder, and unknown activations are refused.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "core/json_text.h"
#include "io/safetensors.h"
#include "models/hf_weights.h"
#include "tests/eval/export_test_util.h"
#include "tests/test_util.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;
constexpr double kTol = 1e-5;

fs::path fixture(const std::string& name) { return testing::fixture_dir() / "models" / name; }

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

EncoderOutput run(TransformerEncoderImpl& enc, const TensorMap& e) {
  torch::NoGradGuard no_grad;
  enc.eval();
  return enc.forward(e.at("input_ids"), e.at("attention_mask"), e.at("token_type_ids"));
}

// The fixture folder with config.json's pooler_activation replaced.
fs::path with_activation(const testing::TempDir& tmp, const std::string& name, const char* act) {
  const auto dir = tmp.path / act;
  fs::create_directories(dir);
  fs::copy_file(fixture(name) / "model.safetensors", dir / "model.safetensors");
  auto config = read_json_file((fixture(name) / "config.json").string());
  config["pooler_activation"] = act;
  std::ofstream(dir / "config.json") << config.dump(2);
  return dir;
}

class RoformerPooler : public ::testing::TestWithParam<std::string> {};

TEST_P(RoformerPooler, MatchesThePackagesPooledOutputForEveryActivation) {
  const auto name = GetParam();
  const auto path = (fixture(name) / "expected.safetensors").string();
  ASSERT_EQ(read_safetensors_metadata(path)["version"], "1")
      << "---> HINT: re-run tools/reference/gen_model_fixtures.py --only-pooler";
  const auto e = read_safetensors(path);
  auto enc = load_hf_encoder(fixture(name).string());
  ASSERT_TRUE(enc->pooler);
  EXPECT_TRUE(enc->pooler->bias.defined()) << "the package's pooler always has a bias";
  const auto config = read_json_file((fixture(name) / "config.json").string());
  EXPECT_EQ(to_string(enc->config.pooler_activation), config["pooler_activation"]);
  auto out = run(*enc, e);
  EXPECT_LE(max_diff(out.last_hidden, e.at("last_hidden")), kTol);
  EXPECT_LE(max_diff(out.pooler_output, e.at("pooler_output")), kTol);
  testing::TempDir tmp("pooler");
  for (const char* act : {"tanh", "linear", "relu", "gelu", "gelu_new", "sigmoid"}) {
    auto other = load_hf_encoder(with_activation(tmp, name, act).string());
    EXPECT_LE(max_diff(run(*other, e).pooler_output, e.at(std::string("pooler.") + act)), kTol)
        << act;
  }
}

TEST_P(RoformerPooler, SurvivesSaveAndReload) {
  const auto name = GetParam();
  const auto e = read_safetensors((fixture(name) / "expected.safetensors").string());
  auto a = load_hf_encoder(fixture(name).string());
  testing::TempDir tmp("poolsave");
  save_hf_encoder(*a, tmp.path.string());
  const auto written = read_json_file((tmp.path / "config.json").string());
  EXPECT_EQ(written["pooler_activation"], to_string(a->config.pooler_activation));
  EXPECT_EQ(written["model_type"], "roformer");
  auto b = load_hf_encoder(tmp.path.string());
  EXPECT_TRUE(torch::equal(run(*a, e).pooler_output, run(*b, e).pooler_output));
}

INSTANTIATE_TEST_SUITE_P(Package,
                         RoformerPooler,
                         ::testing::Values("roformer_pooler", "roformer_v2_pooler"));

TEST(RoformerPooler, RefusesAnActivationItDoesNotImplement) {
  testing::TempDir tmp("poolbad");
  const auto dir = with_activation(tmp, "roformer_v2_pooler", "softplus");
  const auto msg = testing::error_of([&] { load_hf_encoder(dir.string()); });
  EXPECT_NE(msg.find("config.json: pooler_activation 'softplus' is not supported"),
            std::string::npos)
      << msg;
  // BERT's pooler is tanh only (transformers BertPooler).
  auto c = bert_tiny();
  c.pooler_activation = PoolerActivation::kRelu;
  EXPECT_NE(testing::error_of([&] { c.validate(); }).find("needs pooler_activation \"tanh\""),
            std::string::npos);
}

TEST(RoformerPooler, FoldersWithoutPoolerBiasStillLoad) {
  // sentzoo RoFormerV2 folders written before pooler_bias existed: a bias-free pooler.
  const auto name = "roformer_v2_pooler";
  auto w = read_hf_weight_file(fixture(name).string());
  w.erase("pooler.dense.bias");
  testing::TempDir tmp("poolnobias");
  write_safetensors((tmp.path / "model.safetensors").string(), w);
  fs::copy_file(fixture(name) / "config.json", tmp.path / "config.json");
  auto enc = load_hf_encoder(tmp.path.string());
  ASSERT_TRUE(enc->pooler);
  EXPECT_FALSE(enc->pooler->bias.defined());
  EXPECT_FALSE(enc->config.pooler_bias);
}

}  // namespace
}  // namespace sentzoo
