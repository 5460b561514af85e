// Every loss against sentence-transformers 3.0.1 on the same embeddings (value and gradient),
// through make_loss() as the trainer calls it; then the same losses under bf16 CPU autocast.

#include <gtest/gtest.h>

#include "core/compat.h"
#include "losses/make_loss.h"
#include "losses/softmax_classifier.h"
#include "tests/losses/loss_test_util.h"

namespace sentzoo {
namespace {

using testing::json_tensor;
using testing::load_loss_fixture;

struct GoldenInputs {
  torch::Tensor u, v, w, sts, binary, classes;
};

GoldenInputs golden_inputs(const nlohmann::json& j) {
  const int64_t B = j["batch"], D = j["dim"];
  return {json_tensor(j["u"], {B, D}),
          json_tensor(j["v"], {B, D}),
          json_tensor(j["w"], {B, D}),
          json_tensor(j["sts"], {B}),
          torch::tensor(j["binary"].get<std::vector<int64_t>>()),
          torch::tensor(j["classes"].get<std::vector<int64_t>>())};
}

/// The configured loss and its batch for one fixture case; `u` replaces the first embedding.
struct GoldenCase {
  Loss loss;
  LossBatch batch;
};

GoldenCase golden_case(const nlohmann::json& c, const GoldenInputs& in, const torch::Tensor& u) {
  const std::string name = c["name"];
  GoldenCase g{make_loss(name, c["params"]), {}};
  g.batch.a = u;
  g.batch.b = in.v.to(u.scalar_type());
  if (c["inputs"] == 3) g.batch.negatives = {in.w.to(u.scalar_type())};
  if (name == "cosent" || name == "angle") g.batch.labels = in.sts;
  if (name == "cosine_mse") g.batch.labels = in.sts / 5.0;
  if (name == "softmax") g.batch.labels = in.classes;
  if (name == "contrastive" || name == "online_contrastive") g.batch.labels = in.binary;
  if (c.contains("head_weight")) {
    auto head = std::dynamic_pointer_cast<SoftmaxHeadImpl>(g.loss.module);
    torch::NoGradGuard no_grad;
    const int64_t K = c["head_bias"].size();
    head->classifier->weight.copy_(json_tensor(c["head_weight"], {K, -1}));
    head->classifier->bias.copy_(json_tensor(c["head_bias"], {K}));
    head->to(torch::kDouble);
  }
  return g;
}

TEST(LossGolden, MatchesSentenceTransformersValueAndGradient) {
  const auto j = load_loss_fixture("st_losses.json");
  const auto in = golden_inputs(j);
  ASSERT_EQ(j["cases"].size(), 15u);
  for (const auto& c : j["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>() + " " + c["params"].dump());
    auto u = in.u.clone().requires_grad_(true);
    auto g = golden_case(c, in, u);
    auto value = g.loss(g.batch);
    value.backward();
    const double want = c["value"];
    // float32 reference cases (CosineSimilarityLoss) carry float32 rounding
    const double tol = (c["dtype"] == "float32" ? 1e-6 : 1e-9) * std::max(1.0, std::abs(want));
    EXPECT_NEAR(value.item<double>(), want, tol);
    auto want_grad = json_tensor(c["grad_first"], u.sizes().vec());
    EXPECT_TRUE(torch::allclose(u.grad(), want_grad, /*rtol=*/1e-5, /*atol=*/1e-6))
        << u.grad() << "\n"
        << want_grad;
  }
}

TEST(LossGolden, Bf16AutocastGivesFp32Value) {
  const auto j = load_loss_fixture("st_losses.json");
  const auto in = golden_inputs(j);
  for (const auto& c : j["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>() + " " + c["params"].dump());
    auto g = golden_case(c, in, in.u.to(torch::kFloat));
    if (g.loss.module) g.loss.module->to(torch::kFloat);
    const double fp32 = g.loss(g.batch).item<double>();
    torch::Tensor amp;
    {
      compat::AutocastGuard guard(/*enabled=*/true);
      amp = g.loss(g.batch);
    }
    EXPECT_EQ(amp.scalar_type(), torch::kFloat);
    EXPECT_NEAR(amp.item<double>(), fp32, 1e-3 * std::max(1.0, std::abs(fp32)));
    // bf16 embeddings (as an autocast encoder emits them) still give a finite fp32 loss
    LossBatch half = g.batch;
    half.a = half.a.to(torch::kBFloat16);
    half.b = half.b.to(torch::kBFloat16);
    for (auto& n : half.negatives) n = n.to(torch::kBFloat16);
    compat::AutocastGuard guard(/*enabled=*/true);
    auto low = g.loss(half);
    EXPECT_EQ(low.scalar_type(), torch::kFloat);
    EXPECT_TRUE(std::isfinite(low.item<double>()));
  }
}

}  // namespace
}  // namespace sentzoo
