// Properties of the shared blocks and encoders: RoPE, attention masking, DeepNorm constants,
// initialisers, strict configs, bf16 autocast (STYLE.md §9).

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/compat.h"
#include "models/attention.h"
#include "models/encoder.h"
#include "models/norm.h"
#include "models/pooling.h"
#include "models/rotary.h"
#include "tests/fused_attention_setting.h"

namespace sentzoo {
namespace {

class Seeded : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(0); }
};

// ---- RoPE ----

TEST(RotaryEmbedding, MatchesRoFormerReferenceSlice) {
  RotaryEmbedding rope(/*head_dim=*/64);
  auto q = torch::arange(2 * 12 * 16 * 64, torch::kFloat).reshape({2, 12, 16, 64}) / 100;
  auto got = rope(q)[0][0][1].slice(/*dim=*/0, 0, 8);
  // transformers tests/models/roformer/test_modeling_roformer.py, desired_query_layer row 1
  auto want = torch::tensor({-0.2012, 0.8897, 0.0263, 0.9401, 0.2074, 0.9463, 0.3481, 0.9343});
  EXPECT_TRUE(torch::allclose(got, want, /*rtol=*/1e-4, /*atol=*/1e-4)) << got;
}

TEST_F(Seeded, RopeKeepsNormsIsIdentityAtZeroAndDependsOnlyOnOffset) {
  const int64_t d = 16, T = 12;
  auto angles = detail::rope_angles(torch::arange(T), d, 10000.0);  // (T, d/2) float64
  auto rot = [&](const torch::Tensor& x, int64_t m) {  // rotate a (d) float64 vector to position m
    auto a = angles[m];
    auto x1 = x.slice(0, 0, c10::nullopt, 2), x2 = x.slice(0, 1, c10::nullopt, 2);
    return torch::stack({x1 * a.cos() - x2 * a.sin(), x2 * a.cos() + x1 * a.sin()}, -1).flatten();
  };
  auto q = torch::randn({d}, torch::kDouble), k = torch::randn({d}, torch::kDouble);
  EXPECT_TRUE(torch::allclose(rot(q, 0), q, 0, 1e-15));
  for (int64_t m = 0; m < T; ++m)
    EXPECT_NEAR(rot(q, m).norm().item<double>(), q.norm().item<double>(), 1e-12);
  const double d_3_1 = rot(q, 3).dot(rot(k, 1)).item<double>();
  EXPECT_NEAR(rot(q, 7).dot(rot(k, 5)).item<double>(), d_3_1, 1e-12);
  EXPECT_NEAR(rot(q, 11).dot(rot(k, 9)).item<double>(), d_3_1, 1e-12);
  // The module (fp32, (B, H, T, D)) agrees with this float64 reference.
  auto x = torch::randn({1, 1, T, d});
  auto y = RotaryEmbedding(d)(x);
  for (int64_t m = 0; m < T; ++m)
    EXPECT_TRUE(torch::allclose(
        y[0][0][m].to(torch::kDouble), rot(x[0][0][m].to(torch::kDouble), m), 1e-5, 1e-6));
}

TEST_F(Seeded, AttentionSoftmaxRunsInFp32UnderAutocast) {
  // Under autocast q k^T runs in bf16 (as in any AMP); the scaling, mask and softmax must then
  // run in fp32. With v = identity the output is the probability matrix (the bf16 matmul with
  // 0/1 is exact), so it must equal the fp32 softmax of the path's scores up to bf16 rounding.
  // A softmax left in bf16 is measurably worse (last check).
  auto q = (3 * torch::randn({2, 2, 7, 8})).to(torch::kBFloat16);
  auto k = torch::randn({2, 2, 7, 8}).to(torch::kBFloat16);
  auto v = torch::eye(7).expand({2, 2, 7, 7}).to(torch::kBFloat16);
  auto mask = torch::tensor({1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}).view({2, 7});
  auto attention = [&](bool fused) {
    testing::FusedAttentionSetting setting(fused);
    compat::AutocastGuard amp(true);
    return detail::masked_attention(q, k, v, mask, 0.0, false);
  };
  auto pad = (mask == 0).view({2, 1, 1, 7});
  auto softmax_of = [&](const torch::Tensor& scores) {
    return torch::softmax((scores.to(torch::kFloat) / std::sqrt(8.0)).masked_fill(pad, -1e30), -1);
  };
  auto rel = [](const torch::Tensor& x, const torch::Tensor& ref) {
    auto r = (x.to(torch::kFloat) - ref).abs() / ref.clamp_min(1e-30);
    return r.masked_fill(ref < 1e-20, 0).max().item<double>();
  };
  // The hand-written path: bf16 scores (as autocast's matmul computes them), fp32 softmax, one
  // bf16 rounding of the probabilities.
  const auto bf16_scores = torch::matmul(q, k.transpose(-1, -2));
  const auto ref = softmax_of(bf16_scores);
  const auto got = attention(/*fused=*/false);
  EXPECT_EQ(got.scalar_type(), torch::kBFloat16);
  RecordProperty("rel_err_fp32_softmax", std::to_string(rel(got, ref)));
  EXPECT_LE(rel(got, ref), 1.001 * std::pow(2.0, -8));  // measured 0.0038; bf16 path 0.030
  auto bf16_softmax = torch::softmax((bf16_scores / std::sqrt(8.0)).masked_fill(pad, -1e4), -1);
  RecordProperty("rel_err_bf16_softmax", std::to_string(rel(bf16_softmax, ref)));
  EXPECT_GT(rel(bf16_softmax, ref), std::pow(2.0, -8));
  if (compat::kHasFusedAttention) {
    // The fused kernel (LibTorch 2.x) keeps the scores in fp32 and rounds twice to bf16: the
    // unnormalised probabilities before P·V, and the output.
    const auto fp32_ref =
        softmax_of(torch::matmul(q.to(torch::kFloat), k.to(torch::kFloat).transpose(-1, -2)));
    const auto fused = attention(/*fused=*/true);
    EXPECT_EQ(fused.scalar_type(), torch::kBFloat16);
    RecordProperty("rel_err_fused", std::to_string(rel(fused, fp32_ref)));
    EXPECT_LE(rel(fused, fp32_ref), 2.002 * std::pow(2.0, -8));
    EXPECT_GT(rel(bf16_softmax, fp32_ref), 2.002 * std::pow(2.0, -8));
  }
}

// ---- encoders: masking and permutation ----

class EncoderProps : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { torch::manual_seed(0); }
};

TEST_P(EncoderProps, PaddingNeverChangesUnpaddedOutputs) {
  auto c = encoder_preset(GetParam());
  auto enc = make_encoder(c);
  enc->eval();
  torch::NoGradGuard no_grad;
  auto ids = torch::randint(1, c.vocab_size, {2, 5});
  auto mask = torch::ones_like(ids);
  auto a = enc->forward(ids, mask, {}, true);
  // Append 4 padding positions with arbitrary ids: valid positions and every pooling unchanged.
  auto ids_p = torch::cat({ids, torch::randint(0, c.vocab_size, {2, 4})}, 1);
  auto mask_p = torch::cat({mask, torch::zeros({2, 4}, torch::kLong)}, 1);
  auto b = enc->forward(ids_p, mask_p, {}, true);
  for (size_t i = 0; i < a.hidden_states.size(); ++i)
    EXPECT_TRUE(torch::allclose(b.hidden_states[i].slice(1, 0, 5), a.hidden_states[i], 1e-5, 1e-5))
        << i;
  for (auto p : {Pooling::kCls,
                 Pooling::kMean,
                 Pooling::kMax,
                 Pooling::kWeightedMean,
                 Pooling::kLastToken,
                 Pooling::kFirstLastAvg})
    EXPECT_TRUE(torch::allclose(pool(b, p), pool(a, p), 1e-5, 1e-5)) << to_string(p);
}

TEST_P(EncoderProps, BatchPermutationPermutesOutputs) {
  auto c = encoder_preset(GetParam());
  auto enc = make_encoder(c);
  enc->eval();
  torch::NoGradGuard no_grad;
  auto ids = torch::randint(1, c.vocab_size, {4, 6});
  auto mask =
      torch::tensor({1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0})
          .view({4, 6});
  auto perm = torch::tensor({2, 0, 3, 1});
  auto a = enc->forward(ids, mask).last_hidden;
  auto b = enc->forward(ids.index_select(0, perm), mask.index_select(0, perm)).last_hidden;
  EXPECT_TRUE(torch::allclose(b, a.index_select(0, perm), 1e-5, 1e-5));
}

INSTANTIATE_TEST_SUITE_P(
    Tiny,
    EncoderProps,
    ::testing::Values("bert_tiny", "roformer_tiny", "roformer_v2_tiny", "deepnet_tiny"));

TEST_F(Seeded, ResidualRampZeroLeavesOnlyTheNorms) {
  // x = Norm(x + 0 * F(x)) = Norm(x), and the RMS norm is idempotent: output = embeddings output.
  auto enc = make_encoder(roformer_v2_tiny());
  enc->eval();
  enc->set_residual_ramp(0.0);
  torch::NoGradGuard no_grad;
  auto ids = torch::randint(1, 99, {2, 7});
  auto out = enc->forward(ids, torch::ones_like(ids), {}, true);
  EXPECT_TRUE(torch::allclose(out.last_hidden, out.hidden_states[0], 1e-5, 1e-5));
}

TEST_F(Seeded, WithoutResidualEachSublayerIsItsBranchAlone) {
  // custom residual false: post-norm x' = Norm2(FFN(Norm1(Attn(x)))), pre-norm
  // x' = FFN(Norm2(Attn(Norm1(x)))); the block is checked against its parts.
  for (const auto position : {NormPosition::kPost, NormPosition::kPre}) {
    auto c = bert_tiny();
    c.architecture = Architecture::kCustom;
    c.norm_position = position;
    c.residual = false;
    TransformerBlock block(c);
    block->eval();
    torch::NoGradGuard no_grad;
    const auto x = torch::randn({2, 5, c.hidden_size});
    const torch::Tensor mask;  // no padding
    const auto expected =
        position == NormPosition::kPost
            ? block->norm2(block->ffn(block->norm1(block->attn(x, mask))))
            : block->ffn(block->norm2(block->attn(block->norm1(x), mask)));
    EXPECT_TRUE(torch::allclose(block->forward(x, mask, 1.0), expected, 1e-6, 1e-6));
    // and it is not the residual block
    c.residual = true;
    TransformerBlock with_skip(c);
    with_skip->eval();
    for (size_t i = 0; i < block->parameters().size(); ++i)
      with_skip->parameters()[i].copy_(block->parameters()[i]);
    EXPECT_FALSE(torch::allclose(with_skip->forward(x, mask, 1.0), expected, 1e-3, 1e-3));
  }
}

// ---- DeepNorm and initialisers ----

TEST(DeepNorm, AlphaBetaMatchPublishedValues) {
  // Encoder-only DeepNorm, arXiv 2203.00555 Table 1: alpha = (2N)^1/4, beta = (8N)^-1/4; the
  // digits are the correctly rounded doubles, computed independently with python3's decimal
  // module at 40 digits (Decimal(2*N) ** (Decimal(1)/4)); REFERENCE.md §3.1 lists them rounded
  // (N = 6: 1.861, 0.380; N = 1000: 6.687, 0.106).
  const std::vector<std::tuple<int, double, double>> table = {
      {6, 1.8612097182041991, 0.37991784282579627},
      {12, 2.213363839400643, 0.3194715521231362},
      {24, 2.6321480259049848, 0.2686424829558855},
      {48, 3.1301691601465746, 0.22590050090246122},
      {100, 3.7606030930863934, 0.1880301546543197},
      {1000, 6.68740304976422, 0.10573712634405641}};
  for (auto [n, alpha, beta] : table) {
    EXPECT_DOUBLE_EQ(detail::deepnorm_alpha(n), alpha) << n;
    EXPECT_DOUBLE_EQ(detail::deepnorm_beta(n), beta) << n;
    auto c = deepnet_tiny();
    c.num_layers = n;
    EXPECT_DOUBLE_EQ(c.residual_alpha(), alpha) << n;
    EXPECT_DOUBLE_EQ(c.init_beta(), beta) << n;
  }
  auto c = deepnet_tiny();
  c.num_layers = 18;
  c.deepnorm_constants = DeepNormConstants::kAdam;  // Su, blog 8978: (2N)^{1/2}, (2N)^{-1/2}
  EXPECT_DOUBLE_EQ(c.residual_alpha(), 6.0);        // sqrt(36)
  EXPECT_DOUBLE_EQ(c.init_beta(), 1.0 / 6.0);
  EXPECT_DOUBLE_EQ(bert_tiny().residual_alpha(), 1.0);
  EXPECT_DOUBLE_EQ(bert_tiny().init_beta(), 1.0);
}

TEST(DeepNorm, BetaScaledInitShrinksTorchDefaultStd) {
  // torchscale 0.3.0 as it runs (REFERENCE §3.2): nn.Linear's default init, U(-1/sqrt(fan_in),
  // 1/sqrt(fan_in)) with std 1/sqrt(3 fan_in), then v, o, fc1, fc2 divided by (8N)^1/4. N = 6,
  // h = 256, FFN 512 (python3: 48 ** -0.25 / math.sqrt(3 * 256) and so on):
  //   fc1 (fan_in 256): 0.013709104301588464   fc2 (fan_in 512): 0.009693800615646871
  //   q, k untouched:   0.036084391824351615
  auto c = deepnet_tiny();
  c.num_layers = 6;
  c.intermediate_size = 512;
  c.hidden_size = 256;
  c.num_heads = 4;
  torch::manual_seed(1);
  auto a = make_encoder(c);
  auto std_of = [&](const std::string& name) {
    return a->layers[0]->named_parameters()[name].std().item<double>();
  };
  // Sampling error of a std over n draws ~ 1/sqrt(2n): 0.2% for 65536 weights; 1% bound.
  EXPECT_NEAR(std_of("ffn.fc1.weight") / 0.013709104301588464, 1.0, 0.01);
  EXPECT_NEAR(std_of("ffn.fc2.weight") / 0.009693800615646871, 1.0, 0.01);
  EXPECT_NEAR(std_of("attn.v.weight") / 0.013709104301588464, 1.0, 0.01);
  EXPECT_NEAR(std_of("attn.o.weight") / 0.013709104301588464, 1.0, 0.01);
  EXPECT_NEAR(std_of("attn.q.weight") / 0.036084391824351615, 1.0, 0.01);
  EXPECT_NEAR(std_of("attn.k.weight") / 0.036084391824351615, 1.0, 0.01);
  // The paper's variant: xavier_normal(gain=beta): std = beta * sqrt(2 / (256 + 512))
  // = 0.019387601231293742 (python3).
  c.deepnorm_init = DeepNormInit::kXavierNormal;
  auto x = make_encoder(c);
  auto fc1 = x->layers[0]->named_parameters()["ffn.fc1.weight"];
  EXPECT_NEAR(fc1.std().item<double>() / 0.019387601231293742, 1.0, 0.01);
}

TEST(RoFormerV2Init, StdMatchesReferenceForReleasedSizes) {
  // REFERENCE.md §1.3: std for fan = hidden is 0.0237 (small, L 6, h 384), 0.0118 (base, L 12,
  // h 768), 0.0073 (large, L 24, h 1024).
  const std::vector<std::tuple<int64_t, int64_t, double>> sizes = {
      {6, 384, 0.0237}, {12, 768, 0.0118}, {24, 1024, 0.0073}};
  for (auto [L, h, want] : sizes) {
    auto w = torch::empty({4 * h, h});  // a Linear h -> 4h: fan_in = h
    EXPECT_NEAR(roformer_v2_init_std(w, /*is_embedding=*/false, L), want, 5e-5) << L;
  }
}

TEST_F(Seeded, TruncNormalHasStdAndBoundsOfTwoSigma) {
  auto t = torch::empty({400000});
  trunc_normal_(t, 0.5);
  EXPECT_LE(t.abs().max().item<double>(), 1.0 + 1e-7);
  EXPECT_GT(t.abs().max().item<double>(), 0.99);
  // std of N(0,1) truncated at +-2 is 0.8796 (1 / 1.13684723).
  EXPECT_NEAR(t.std().item<double>(), 0.5 / 1.13684723, 2e-3);
  EXPECT_NEAR(t.mean().item<double>(), 0.0, 3e-3);
}

TEST_F(Seeded, RoFormerV2InitFollowsFanInRule) {
  auto c = roformer_v2_tiny();
  c.hidden_size = 128;
  c.intermediate_size = 512;
  c.vocab_size = 10001;  // > 10000: fan = hidden
  auto enc = make_encoder(c);
  EXPECT_TRUE(enc->named_parameters().find("layers.0.attn.q.bias") == nullptr);  // no biases
  // REFERENCE §1.3: the truncated draw has std 1/sqrt(fan L) and bound 2 * 1.13684723 /
  // sqrt(fan L). L = 2: fc2 [128, 512] (fan_in 512): std 1/32 = 0.03125, bound 0.0710529519;
  // token table with 10001 rows > 10000 (fan = hidden 128): std 1/16 = 0.0625.
  ASSERT_EQ(c.num_layers, 2);
  auto fc2 = enc->layers[0]->named_parameters()["ffn.fc2.weight"];
  EXPECT_NEAR(fc2.std().item<double>(), 0.03125, 0.02 * 0.03125);
  EXPECT_NEAR(fc2.abs().max().item<double>() / 0.0710529519, 1.0, 0.01);
  EXPECT_NEAR(enc->embeddings->tok->weight.std().item<double>(), 0.0625, 0.01 * 0.0625);
}

// ---- configs ----

TEST(EncoderConfig, JsonRoundTripIsIdentityAndUnknownKeysThrow) {
  for (const auto& name : {"bert_base", "roformer_v2_small", "deepnet_tiny"}) {
    nlohmann::json j = encoder_preset(name);
    EXPECT_EQ(nlohmann::json(parse_config<EncoderConfig>(j, "t")), j);
  }
  nlohmann::json j = roformer_v2_tiny();
  j["num_layer"] = 3;
  EXPECT_THROW(parse_config<EncoderConfig>(j, "t"), std::invalid_argument);
  try {
    auto c = bert_tiny();
    c.num_heads = 5;
    c.validate();
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("hidden_size (32) must be divisible by num_heads (5)"),
              std::string::npos);
  }
  EXPECT_THROW(make_encoder(nlohmann::json{{"architecture", "gpt"}}), std::invalid_argument);
}

std::string error_of(const nlohmann::json& j) {
  try {
    parse_config<EncoderConfig>(j, "t");
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(EncoderConfig, EnumsParseOnceAndNameTheKey) {
  nlohmann::json j = roformer_v2_tiny();
  EXPECT_EQ(j.at("norm_type"), "rms_norm");  // the JSON form is the strings of before
  EXPECT_EQ(j.at("hidden_act"), "relu");
  EXPECT_EQ(j.at("mlm_head"), "tied");
  EXPECT_EQ(parse_config<EncoderConfig>(j, "t").norm_type, NormType::kRmsNorm);
  j["hidden_act"] = "swish";
  EXPECT_NE(error_of(j).find("unknown hidden_act 'swish' (expected one of: gelu, gelu_new, relu)"),
            std::string::npos)
      << error_of(j);
  j = bert_tiny();
  j["norm_position"] = "middle";
  EXPECT_NE(error_of(j).find("norm_position 'middle' (expected one of: post, pre)"),
            std::string::npos);
}

TEST(EncoderConfig, CombinationsThatAreNoArchitectureNameTheKey) {
  struct Case {
    nlohmann::json config;
    const char* key;
  };
  auto with = [](EncoderConfig c, const char* key, nlohmann::json value) {
    nlohmann::json j = c;
    j[key] = value;
    return j;
  };
  const std::vector<Case> cases = {
      {with(bert_tiny(), "deepnorm", true), "needs deepnorm false"},
      {with(bert_tiny(), "position_embedding", "rotary"), "needs position_embedding \"absolute\""},
      {with(roformer_tiny(), "norm_type", "rms_norm"), "needs norm_type \"layer_norm\""},
      {with(roformer_v2_tiny(), "use_bias", true), "needs use_bias false"},
      {with(roformer_v2_tiny(), "norm_type", "layer_norm"), "needs norm_type \"rms_norm\""},
      {with(deepnet_tiny(), "norm_position", "pre"), "deepnorm requires norm_position 'post'"},
      {with(deepnet_tiny(), "deepnorm", false), "needs deepnorm true"},
      {with(bert_tiny(), "embedding_norm", false), "needs embedding_norm true"},
      {with(bert_tiny(), "residual", false), "residual false (no skip connections) needs"}};
  for (const auto& [config, key] : cases) {
    const auto what = error_of(config);
    EXPECT_NE(what.find(key), std::string::npos) << config.dump() << "\n" << what;
  }
  // "custom" builds every one of them that the wiring supports.
  for (const auto& [config, key] : cases) {
    auto j = config;
    j["architecture"] = "custom";
    if (j["norm_position"] == "pre") j["deepnorm"] = false;
    EXPECT_NO_THROW(make_encoder(j)) << j.dump();
  }
}

// ---- bf16 autocast ----

TEST_F(Seeded, Bf16AutocastStaysCloseToFp32WithFp32Norms) {
  for (const auto& name : {"bert_tiny", "roformer_v2_tiny"}) {
    auto enc = make_encoder(encoder_preset(name));
    enc->eval();
    torch::NoGradGuard no_grad;
    for (auto& p : enc->parameters())  // O(1) branches, so bf16 rounding in them shows up
      if (p.dim() == 2) p.normal_(0.0, 1.0 / std::sqrt(static_cast<double>(p.size(1))));
    auto ids = torch::randint(1, 99, {3, 10});
    auto mask = torch::ones_like(ids);
    mask[2].slice(0, 6).zero_();
    auto ref = enc->forward(ids, mask).last_hidden;
    torch::Tensor got;
    {
      compat::AutocastGuard amp(true);
      got = enc->forward(ids, mask).last_hidden;
      // Norm statistics in fp32: a bf16 input normalises exactly as its fp32 copy.
      auto x = torch::randn({4, 32}).to(torch::kBFloat16);
      EXPECT_TRUE(torch::equal(detail::rms_norm(x, 1e-12),
                               detail::rms_norm(x.to(torch::kFloat), 1e-12).to(torch::kBFloat16)));
    }
    // Documented tolerance (measured 0.023 max, 0.004 mean abs for both, 2 layers, random O(1)
    // weights): post-norm outputs are O(1) and bf16 keeps 8 mantissa bits (eps 2^-8 = 0.0039).
    RecordProperty(std::string(name) + "_max",
                   std::to_string((got.to(torch::kFloat) - ref).abs().max().item<double>()));
    RecordProperty(std::string(name) + "_mean",
                   std::to_string((got.to(torch::kFloat) - ref).abs().mean().item<double>()));
    EXPECT_LE((got.to(torch::kFloat) - ref).abs().max().item<double>(), 0.06) << name;
    EXPECT_LE((got.to(torch::kFloat) - ref).abs().mean().item<double>(), 0.01) << name;
  }
}

}  // namespace
}  // namespace sentzoo
