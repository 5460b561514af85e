// make_loss(): every name builds from JSON and runs on its input kind; strict keys and names.

#include "losses/make_loss.h"

#include <gtest/gtest.h>

#include "core/compat.h"
#include "tests/losses/loss_test_util.h"

namespace sentzoo {
namespace {

using testing::error_of;

LossBatch batch_for(const Loss& loss) {
  LossBatch b;
  const int64_t B = 6, D = 8;
  b.a = torch::randn({B, D});
  b.b = b.a + torch::randn({B, D});
  if (loss.input == LossInput::kAnchorPositiveNegatives) b.negatives = {torch::randn({B, D})};
  if (loss.name == "cross_entropy") {
    b.logits = torch::randn({B, 3});
  } else {
    b.logits = torch::randn({B});
  }
  if (loss.name == "softmax" || loss.name == "cross_entropy") {
    b.labels = torch::tensor({0, 1, 2, 1, 0, 2});
  } else if (loss.name == "bce" || loss.name == "contrastive" ||
             loss.name == "online_contrastive") {
    b.labels = torch::tensor({1., 0., 1., 1., 0., 0.});
  } else {
    b.labels = torch::tensor({0., 1., 2., 0.5, 0.7, 0.2});
  }
  return b;
}

TEST(MakeLoss, EveryNameBuildsAndGivesTheSameFp32ScalarUnderAutocast) {
  torch::manual_seed(0);
  for (const auto& name : loss_names()) {
    SCOPED_TRACE(name);
    nlohmann::json params = nlohmann::json::object();
    if (name == "softmax") params = {{"dim", 8}, {"num_labels", 3}};
    auto loss = make_loss(name, params);
    EXPECT_EQ(loss.name, name);
    auto batch = batch_for(loss);
    auto value = loss(batch);
    torch::Tensor amp;
    {
      compat::AutocastGuard guard(/*enabled=*/true);
      amp = loss(batch);
    }
    EXPECT_NEAR(amp.item<double>(), value.item<double>(), 1e-3 * std::abs(value.item<double>()));
    EXPECT_EQ(value.dim(), 0);
    EXPECT_EQ(value.scalar_type(), torch::kFloat);
    EXPECT_TRUE(std::isfinite(value.item<double>()));
    EXPECT_EQ(!loss.parameters().empty(), name == "softmax");
  }
  EXPECT_EQ(make_loss("mnrl").input, LossInput::kAnchorPositiveNegatives);
  EXPECT_FALSE(make_loss("triplet").needs_labels);
  EXPECT_EQ(make_loss("cosent_cross").input, LossInput::kCrossLogits);
  EXPECT_EQ(make_loss("cosent").input, LossInput::kPairEmbeddings);
}

TEST(MakeLoss, ParametersChangeTheLoss) {
  torch::manual_seed(1);
  auto batch = batch_for(make_loss("cosent"));
  auto a = make_loss("cosent")(batch).item<double>();
  auto b = make_loss("cosent", {{"scale", 5.0}})(batch).item<double>();
  EXPECT_NE(a, b);
  auto t = make_loss("triplet");
  auto tb = batch_for(t);
  EXPECT_NE(t(tb).item<double>(),
            make_loss("triplet", {{"distance", "cosine"}, {"margin", 0.1}})(tb).item<double>());
}

TEST(MakeLoss, SoftmaxHeadReceivesGradients) {
  auto loss = make_loss("softmax", {{"dim", 8}, {"num_labels", 3}});
  auto batch = batch_for(loss);
  loss(batch).backward();
  for (const auto& p : loss.parameters()) {
    ASSERT_TRUE(p.grad().defined());
    EXPECT_GT(p.grad().abs().sum().item<double>(), 0);
  }
}

TEST(MakeLoss, ErrorsNameTheProblemAndTheValidChoices) {
  auto e = error_of([] { make_loss("cosnet"); });
  EXPECT_NE(e.find("unknown loss 'cosnet'"), std::string::npos) << e;
  EXPECT_NE(e.find("cosent, angle"), std::string::npos) << e;
  e = error_of([] { make_loss("cosent", {{"scael", 20}}); });
  EXPECT_NE(e.find("unknown key 'scael' (expected one of: scale)"), std::string::npos) << e;
  e = error_of([] { make_loss("cosent", {{"scale", "big"}}); });
  EXPECT_NE(e.find("bad value for 'scale'"), std::string::npos) << e;
  e = error_of([] { make_loss("softmax", {{"dim", 8}}); });
  EXPECT_NE(e.find("missing required key 'num_labels'"), std::string::npos) << e;
  e = error_of([] { make_loss("contrastive", {{"distance", "manhattan"}}); });
  EXPECT_NE(e.find("expected one of: cosine, euclidean"), std::string::npos) << e;
  e = error_of([] { make_loss("mnrl")(LossBatch{}); });
  EXPECT_NE(e.find("needs embeddings"), std::string::npos) << e;
  // Issue #14: ranges of free-form parameters (a negative CoSENT scale inverts the ranking).
  e = error_of([] { make_loss("cosent", {{"scale", -20}}); });
  EXPECT_EQ(e, "loss 'cosent': scale must be > 0, found -20");
  e = error_of([] { make_loss("mnrl", {{"scale", 0}}); });
  EXPECT_NE(e.find("scale must be > 0"), std::string::npos) << e;
  e = error_of([] { make_loss("contrastive", {{"margin", -1}}); });
  EXPECT_NE(e.find("margin must be >= 0"), std::string::npos) << e;
  e = error_of([] { make_loss("cosine_mse", {{"label_scale", 0}}); });
  EXPECT_NE(e.find("label_scale must be != 0"), std::string::npos) << e;
}

}  // namespace
}  // namespace sentzoo
