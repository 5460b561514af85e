// torchscale checkpoints (models/torchscale_weights.h): the encoders torchscale 0.3.0 saved with
// its own names, config, PositionalEmbedding (rows from 2) and embed_scale
// (tools/reference/gen_model_torchscale.py) give torchscale's hidden states within 1e-5; the
// layout written back reloads exactly; every refusal names the file, the key and what was
// expected and found.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "core/json_text.h"
#include "io/safetensors.h"
#include "models/hf_weights.h"
#include "models/pooling.h"
#include "models/torchscale_weights.h"
#include "tests/eval/export_test_util.h"
#include "tests/test_util.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;
constexpr double kTol = 1e-5;

fs::path fixture(const std::string& name) { return testing::fixture_dir() / "models" / name; }

TensorMap expected(const std::string& name) {
  const auto path = (fixture(name) / "expected.safetensors").string();
  EXPECT_EQ(read_safetensors_metadata(path)["version"], "1")
      << path << ": stale fixture\n---> HINT: re-run tools/reference/gen_model_torchscale.py";
  return read_safetensors(path);
}

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

// Hidden states at the unpadded positions (torchscale zeroes padded rows after the embeddings).
void expect_matches(TransformerEncoderImpl& enc, const TensorMap& e, const std::string& what) {
  torch::NoGradGuard no_grad;
  enc.eval();
  const auto mask = e.at("attention_mask");
  auto out = enc.forward(e.at("input_ids"), mask, {}, /*output_hidden_states=*/true);
  ASSERT_EQ(out.hidden_states.size(), static_cast<size_t>(enc.config.num_layers + 1));
  const auto keep = mask.unsqueeze(-1).to(torch::kFloat);
  for (size_t i = 0; i < out.hidden_states.size(); ++i)
    EXPECT_LE(max_diff(out.hidden_states[i] * keep, e.at("hidden." + std::to_string(i))), kTol)
        << what << " layer " << i;
  EXPECT_LE(max_diff(pooling_mean(out.last_hidden, mask), e.at("mean")), kTol) << what;
}

class TorchscaleFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(TorchscaleFixture, LoadsTorchscaleNamesAndConfigAndMatchesItsOutputs) {
  const auto name = GetParam();
  const auto ts = read_json_file((fixture(name) / "config.json").string());
  ASSERT_TRUE(is_torchscale_config(ts));
  auto enc = load_hf_encoder(fixture(name).string());  // dispatches on the config
  const auto& c = enc->config;
  EXPECT_EQ(c.architecture, Architecture::kDeepnet);
  EXPECT_EQ(c.position_offset, 2);
  EXPECT_EQ(c.scale_embedding, !ts["no_scale_embedding"].get<bool>());
  EXPECT_EQ(c.embedding_norm, ts["layernorm_embedding"].get<bool>());
  EXPECT_EQ(to_string(c.hidden_act), ts["activation_fn"].get<std::string>());
  EXPECT_EQ(c.num_layers, ts["encoder_layers"].get<int64_t>());
  expect_matches(*enc, expected(name), name);
}

TEST_P(TorchscaleFixture, WrittenBackInTorchscaleLayoutReloadsExactly) {
  const auto name = GetParam();
  testing::TempDir tmp("tsback");
  auto a = load_torchscale_encoder(fixture(name).string());
  save_torchscale_encoder(*a, (tmp.path / "m").string());
  // Same keys and tensors as torchscale's own state dict (the fairseq prefix aside).
  auto mine = read_safetensors((tmp.path / "m" / "model.safetensors").string());
  auto theirs = read_safetensors((fixture(name) / "model.safetensors").string());
  for (const auto& [k, v] : theirs) {
    const auto key = k.rfind("encoder.", 0) == 0 ? k.substr(8) : k;
    if (key.rfind("output_projection.", 0) == 0) continue;  // a head sentzoo does not read
    ASSERT_TRUE(mine.count(key)) << key;
    // rows 0 and 1 of the position table are never read (written as zeros)
    const int64_t skip = key == "embed_positions.weight" ? kTorchscalePositionOffset : 0;
    EXPECT_TRUE(torch::equal(mine[key].slice(0, skip), v.slice(0, skip))) << key;
  }
  auto b = load_hf_encoder((tmp.path / "m").string());
  EXPECT_EQ(nlohmann::json(b->config), nlohmann::json(a->config));
  expect_matches(*b, expected(name), name + " written back");
}

INSTANTIATE_TEST_SUITE_P(Checkpoints,
                         TorchscaleFixture,
                         ::testing::Values("torchscale", "torchscale_fairseq"));

TEST(TorchscaleLayout, SegmentZeroAndOffsetAreFoldedExactly) {
  // A sentzoo DeepNet (positions from row 0, a trained segment table) written in torchscale's
  // layout encodes segment-0 inputs as before.
  torch::manual_seed(3);
  auto c = deepnet_tiny();
  c.type_vocab_size = 2;
  c.scale_embedding = true;
  auto a = make_encoder(c);
  testing::TempDir tmp("tsfold");
  save_torchscale_encoder(*a, tmp.path.string());
  auto b = load_hf_encoder(tmp.path.string());
  EXPECT_EQ(b->config.position_offset, 2);
  EXPECT_EQ(b->config.max_length(), c.max_length());
  a->eval();
  b->eval();
  torch::NoGradGuard no_grad;
  auto ids = torch::randint(1, c.vocab_size, {2, c.max_length()}, torch::kLong);
  auto mask = torch::ones_like(ids);
  EXPECT_LE(max_diff(a->forward(ids, mask).last_hidden, b->forward(ids, mask).last_hidden), kTol);
}

// ---- refusals ----

// Copies a fixture to a temp folder, lets `edit` change its config and weights, loads it.
std::string load_error(const std::function<void(nlohmann::json&, TensorMap&)>& edit) {
  testing::TempDir tmp("tsbad");
  auto config = read_json_file((fixture("torchscale") / "config.json").string());
  auto weights = read_safetensors((fixture("torchscale") / "model.safetensors").string());
  edit(config, weights);
  std::ofstream(tmp.path / "config.json") << config.dump(2);
  write_safetensors((tmp.path / "model.safetensors").string(), weights);
  return testing::error_of([&] { load_hf_encoder(tmp.path.string()); });
}

TEST(TorchscaleLayout, RefusesWhatItCannotBuildNamingFileKeyAndValues) {
  auto has = [](const std::string& msg, const std::string& part) {
    return msg.find(part) != std::string::npos;
  };
  auto e = load_error([](auto& c, auto&) { c["encoder_embed_dims"] = 48; });
  EXPECT_TRUE(has(e, "config.json: unknown torchscale EncoderConfig key 'encoder_embed_dims'"))
      << e;
  e = load_error([](auto& c, auto&) { c["rel_pos_buckets"] = 32; });
  EXPECT_TRUE(has(e, "config.json: torchscale option rel_pos_buckets = 32 is not supported")) << e;
  e = load_error([](auto& c, auto&) { c["deepnorm"] = false; });
  EXPECT_TRUE(has(e, "deepnorm: expected true")) << e;
  e = load_error([](auto& c, auto&) { c["activation_fn"] = "swish"; });
  EXPECT_TRUE(has(e, "config.json: activation_fn 'swish' is not supported (expected gelu or relu)"))
      << e;
  e = load_error([](auto& c, auto&) { c["encoder_layers"] = "3"; });
  EXPECT_TRUE(has(e, "encoder_layers: expected a number, found \"3\"")) << e;
  e = load_error([](auto&, auto& w) { w.erase("embed_positions.weight"); });
  EXPECT_TRUE(has(e, "expected a 2-d embed_positions.weight")) << e;
  e = load_error([](auto&, auto& w) {
    w["layers.0.self_attn.rel_bias.weight"] = torch::zeros({4});
    w["layers.1.ffn.fc1.weight"] = torch::zeros({36, 48});
    w.erase("layers.2.final_layer_norm.bias");
  });
  EXPECT_TRUE(has(e, "weights do not match a torchscale DeepNorm encoder")) << e;
  EXPECT_TRUE(has(e, "unused (1): layers.0.self_attn.rel_bias.weight")) << e;
  EXPECT_TRUE(has(e,
                  "shape mismatch (1): layers.1.ffn.fc1.weight (file 36x48 Float, model "
                  "37x48)"))
      << e;
  EXPECT_TRUE(has(e, "missing (1): layers.2.final_layer_norm.bias (expected 48)")) << e;
  // Writing: what torchscale's Encoder cannot express.
  auto c = deepnet_tiny();
  c.deepnorm_constants = DeepNormConstants::kAdam;
  EXPECT_TRUE(has(testing::error_of([&] { encoder_config_to_torchscale(c); }), "'adam'"));
  c = deepnet_tiny();
  c.hidden_act = Activation::kGeluNew;
  EXPECT_TRUE(has(testing::error_of([&] { encoder_config_to_torchscale(c); }), "gelu_new"));
  EXPECT_TRUE(has(testing::error_of([&] { encoder_config_to_torchscale(bert_tiny()); }),
                  "only the deepnet architecture"));
}

}  // namespace
}  // namespace sentzoo
