// Dual and cross encoders, nested strict configs, and a config-matrix smoke test: one forward per
// single-flag variation (torchscale tests/test_encoder.py style).

#include <gtest/gtest.h>
#include <cstdlib>
#include <torch/torch.h>

#include "models/cross_encoder.h"
#include "models/dual_encoder.h"
#include "models/hf_weights.h"
#include "tests/models/config_matrix.h"

namespace sentzoo {
namespace {

TEST(DualEncoder, SeparateTowersDifferAndSharedTowerIsOne) {
  torch::manual_seed(0);
  DualEncoderConfig c;
  c.encoder = bert_tiny();
  c.pooling.normalize = true;
  DualEncoder shared(c);
  EXPECT_FALSE(shared->tower_b);
  c.shared = false;
  DualEncoder split(c);
  ASSERT_TRUE(split->tower_b);
  split->eval();
  torch::NoGradGuard no_grad;
  auto ids = torch::randint(1, 99, {2, 6});
  auto mask = torch::ones_like(ids);
  auto a = split->forward(ids, mask, {}, /*side=*/0), b = split->forward(ids, mask, {}, /*side=*/1);
  EXPECT_FALSE(torch::allclose(a, b));  // independently initialised towers
  EXPECT_TRUE(torch::allclose(a.norm(2, -1), torch::ones({2}), 1e-6, 1e-6));
  EXPECT_THROW(split->forward(ids, mask, {}, 2), c10::Error);
}

TEST(DualEncoder, NestedConfigIsParsedStrictly) {
  nlohmann::json j = {{"encoder", roformer_v2_tiny()}, {"pooling", {{"mode", "cls"}}}};
  auto c = parse_dual_encoder_config(j);
  EXPECT_EQ(c.encoder.architecture, Architecture::kRoformerV2);
  EXPECT_EQ(c.pooling.mode, "cls");
  j["encoder"]["hiden_size"] = 8;
  EXPECT_THROW(parse_dual_encoder_config(j), std::invalid_argument);
  j = {{"pooling", {{"mode", "avg"}}}};
  try {
    parse_dual_encoder_config(j);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown pooling 'avg' (expected one of"),
              std::string::npos);
  }
}

TEST(CrossEncoder, ZeroSegmentsIgnoresTokenTypeIdsAndShapesFollowNumLabels) {
  torch::manual_seed(0);
  CrossEncoderConfig c;
  c.encoder = roformer_v2_tiny();
  c.head_input = "cls";
  c.zero_segments = true;
  c.num_labels = 3;
  CrossEncoder cross(c);
  cross->eval();
  torch::NoGradGuard no_grad;
  auto ids = torch::randint(1, 99, {2, 6});
  auto mask = torch::ones_like(ids);
  auto seg = torch::tensor({0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1}).view({2, 6});
  auto a = cross->forward(ids, mask, seg), b = cross->forward(ids, mask, torch::zeros_like(ids));
  EXPECT_EQ(a.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(torch::equal(a, b));
  c.zero_segments = false;
  c.num_labels = 1;
  CrossEncoder scored(c);
  scored->eval();
  EXPECT_EQ(scored->forward(ids, mask, seg).sizes(), (std::vector<int64_t>{2}));
  EXPECT_FALSE(torch::allclose(scored->forward(ids, mask, seg), scored->forward(ids, mask)));
  c.head_input = "pooler";  // RoFormerV2 has no pooler
  EXPECT_THROW(CrossEncoder{c}, std::invalid_argument);
}

// ---- config matrix: each single-flag variation builds, runs, and ignores padding ----

using testing::Variation;

class ConfigMatrix : public ::testing::TestWithParam<Variation> {};

TEST_P(ConfigMatrix, ForwardIsFiniteAndPaddingFree) {
  torch::manual_seed(0);
  auto c = testing::varied_config(GetParam());
  c.validate();
  auto enc = make_encoder(c);
  enc->eval();
  torch::NoGradGuard no_grad;
  auto ids = torch::randint(1, 99, {2, 5});
  auto a = enc->forward(ids, torch::ones_like(ids)).last_hidden;
  auto ids_p = torch::cat({ids, torch::zeros({2, 3}, torch::kLong)}, 1);
  auto mask_p = torch::cat({torch::ones_like(ids), torch::zeros({2, 3}, torch::kLong)}, 1);
  auto b = enc->forward(ids_p, mask_p).last_hidden.slice(1, 0, 5);
  EXPECT_TRUE(torch::isfinite(a).all().item<bool>());
  EXPECT_TRUE(torch::allclose(a, b, 1e-5, 1e-5));
  if (c.with_mlm_head) {
    EXPECT_EQ(enc->mlm_logits(a).size(-1), c.vocab_size);
  }
}

INSTANTIATE_TEST_SUITE_P(Flags,
                         ConfigMatrix,
                         ::testing::ValuesIn(testing::config_variations()),
                         [](const ::testing::TestParamInfo<Variation>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace sentzoo

namespace sentzoo {
namespace {

TEST(HfConfig, TranslatesBertAndRoFormerV2AndRejectsUnsupportedOptions) {
  nlohmann::json bert = {{"model_type", "bert"},
                         {"vocab_size", 30522},
                         {"hidden_size", 384},
                         {"num_hidden_layers", 6},
                         {"num_attention_heads", 12},
                         {"intermediate_size", 1536},
                         {"hidden_act", "gelu"},
                         {"layer_norm_eps", 1e-12}};
  auto c = encoder_config_from_hf(bert);
  EXPECT_EQ(c.architecture, Architecture::kBert);
  EXPECT_EQ(c.head_dim(), 32);
  nlohmann::json v2 = bert;
  v2["model_type"] = "roformer";
  v2["norm_type"] = "rms_norm";
  v2["use_bias"] = false;
  v2["hidden_act"] = "relu";
  c = encoder_config_from_hf(v2);
  EXPECT_EQ(c.architecture, Architecture::kRoformerV2);
  EXPECT_EQ(c.norm_type, NormType::kRmsNorm);
  EXPECT_FALSE(c.use_bias);
  EXPECT_EQ(c.mlm_head, MlmHeadType::kTied);
  EXPECT_EQ(c.hidden_act, Activation::kRelu);
  // Issue #14: a hostile config.json (10^8 layers, a 2^40-wide model) is refused from its sizes,
  // before anything is allocated; SENTZOO_MAX_PARAMETER_GIB raises the memory limit.
  for (const auto& [key, value] : std::vector<std::pair<std::string, int64_t>>{
           {"num_hidden_layers", 100000000}, {"vocab_size", int64_t{1} << 40}}) {
    nlohmann::json hostile = bert;
    hostile[key] = value;
    EXPECT_THROW(encoder_config_from_hf(hostile), std::invalid_argument) << key;
  }
  {
    nlohmann::json wide = bert;
    wide["vocab_size"] = int64_t{1} << 30;  // 2^30 x 384 fp32 values: 1.5 TiB
    EXPECT_THROW(encoder_config_from_hf(wide), std::invalid_argument);
    ::setenv("SENTZOO_MAX_PARAMETER_GIB", "4096", 1);
    EXPECT_NO_THROW(encoder_config_from_hf(wide));
    ::unsetenv("SENTZOO_MAX_PARAMETER_GIB");
  }
  bert["position_embedding_type"] = "relative_key";
  EXPECT_THROW(encoder_config_from_hf(bert), std::invalid_argument);
  v2["rotary_value"] = true;
  EXPECT_THROW(encoder_config_from_hf(v2), std::invalid_argument);
  EXPECT_THROW(encoder_config_from_hf(nlohmann::json{{"model_type", "gpt2"}}),
               std::invalid_argument);
  // Our own writer's config.json round-trips exactly through the "sentzoo" object.
  auto d = deepnet_tiny();
  d.deepnorm_init = DeepNormInit::kXavierNormal;
  EXPECT_EQ(nlohmann::json(encoder_config_from_hf(encoder_config_to_hf(d))), nlohmann::json(d));
  auto custom = bert_tiny();
  custom.architecture = Architecture::kCustom;
  custom.norm_position = NormPosition::kPre;
  EXPECT_EQ(nlohmann::json(encoder_config_from_hf(encoder_config_to_hf(custom))),
            nlohmann::json(custom));
  EXPECT_EQ(hf_weight_name("final_norm.weight"), "sentzoo_final_norm.weight");
  // A JunnYu RoFormer v1 config with use_bias false is no architecture (V2 needs rms_norm).
  nlohmann::json v1 = v2;
  v1.erase("rotary_value");
  v1["norm_type"] = "layer_norm";
  v1["use_bias"] = false;
  EXPECT_THROW(encoder_config_from_hf(v1), std::invalid_argument);
}

}  // namespace
}  // namespace sentzoo
