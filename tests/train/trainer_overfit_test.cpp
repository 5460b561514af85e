// Overfitting 8 examples: a run that cannot drive its loss far down on data it sees every step is
// broken (wrong gradients, a frozen encoder, labels read wrongly, a mis-wired optimizer). Each
// objective must reach < 30% of its first loss in a few seconds.
#include <gtest/gtest.h>

#include <numeric>

#include "tests/train/trainer_test_util.h"
#include "train/trainer.h"

namespace sentzoo {
namespace {

using testing::TempRunDir;
using testing::to_config;
using testing::toy_config;

struct Curve {
  double first = 0, last = 0;  // loss of step 1; mean of the last 5 steps
};

Curve overfit(nlohmann::json j, const std::filesystem::path& out) {
  std::vector<double> losses;
  TrainHooks hooks;
  hooks.on_step = [&](const StepReport& s) { losses.push_back(s.loss); };
  run_training(to_config(j), out, false, hooks);
  EXPECT_EQ(static_cast<int64_t>(losses.size()), j["train"]["max_steps"].get<int64_t>());
  Curve c;
  c.first = losses.front();
  c.last = std::accumulate(losses.end() - 5, losses.end(), 0.0) / 5.0;
  return c;
}

TEST(TrainerOverfit, DualEncoderCoSENT) {
  TempRunDir dir("overfit_dual");
  testing::write_toy_data(dir.path());
  auto j = toy_config(dir.path());
  j["loss"] = {{"name", "cosent"}, {"params", {{"scale", 20}}}};
  j["train"]["max_steps"] = 60;
  const auto c = overfit(j, dir / "out");
  EXPECT_GT(c.first, 1.0);  // log(1 + #ordered pairs) region at initialisation
  EXPECT_LT(c.last, 0.3 * c.first) << "first " << c.first << " last " << c.last;
}

TEST(TrainerOverfit, CrossEncoderCoSENT) {
  TempRunDir dir("overfit_cross");
  testing::write_toy_data(dir.path());
  auto j = toy_config(dir.path());
  j["objective"] = "cross";
  j["loss"] = {{"name", "cosent_cross"}};
  j["model"]["zero_segments"] = true;
  j["train"]["max_steps"] = 60;
  const auto c = overfit(j, dir / "out");
  EXPECT_GT(c.first, 1.0);
  EXPECT_LT(c.last, 0.3 * c.first) << "first " << c.first << " last " << c.last;
}

TEST(TrainerOverfit, CrossEncoderBinaryCrossEntropy) {
  TempRunDir dir("overfit_bce");
  testing::write_toy_data(dir.path());
  auto j = toy_config(dir.path());
  j["objective"] = "cross";
  j["loss"] = {{"name", "bce"}};
  j["data"]["train"] = "tsv:" + (dir / "binary.tsv").string();
  j["train"]["max_steps"] = 60;
  const auto c = overfit(j, dir / "out");
  EXPECT_NEAR(c.first, std::log(2.0), 0.3);  // logits near 0 at initialisation
  EXPECT_LT(c.last, 0.3 * c.first) << "first " << c.first << " last " << c.last;
}

TEST(TrainerOverfit, MaskedLanguageModel) {
  TempRunDir dir("overfit_mlm");
  testing::write_toy_data(dir.path());
  auto j = toy_config(dir.path());
  j["objective"] = "mlm";
  j.erase("loss");
  // The 8 lines 4 times in a batch of 32: enough masked tokens per step for a steady curve.
  const auto lines = testing::file_bytes(dir / "corpus.txt");
  testing::write_text(dir / "corpus4.txt", lines + lines + lines + lines);
  j["data"]["train"] = "text:" + (dir / "corpus4.txt").string();
  j["data"]["batch_size"] = 32;
  j["model"]["encoder"]["hidden_size"] = 64;
  j["model"]["encoder"]["intermediate_size"] = 128;
  j["optim"]["lr"] = 5e-3;
  j["train"]["max_steps"] = 150;
  const auto c = overfit(j, dir / "out");
  EXPECT_GT(c.first, 2.5);  // about log(vocab size 55) at initialisation
  EXPECT_LT(c.last, 0.3 * c.first) << "first " << c.first << " last " << c.last;
}

}  // namespace
}  // namespace sentzoo
