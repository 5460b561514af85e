// Initialisation from a Hugging Face checkpoint (model.init_from): the run starts from its
// weights exactly, with its vocabulary.
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/train/trainer_test_util.h"
#include "train/trainer.h"

namespace sentzoo {
namespace {

using testing::TempRunDir;
using testing::to_config;
using testing::toy_config;

std::filesystem::path minilm_dir() {
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home ? home : "/nonexistent") /
         ".cache/sentzoo/models/all-MiniLM-L6-v2";
}

// The tensor of `tensors` whose name ends with `suffix`.
torch::Tensor by_suffix(const std::map<std::string, torch::Tensor>& tensors,
                        const std::string& suffix) {
  for (const auto& [name, t] : tensors) {
    if (name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      return t;
  }
  ADD_FAILURE() << "no tensor named *" << suffix;
  return {};
}

TEST(TrainerInit, FromHuggingFaceMiniLM) {
  const auto model = minilm_dir();
  if (!std::filesystem::exists(model / "model.safetensors")) {
    GTEST_SKIP() << "all-MiniLM-L6-v2 not found at " << model.string()
                 << " (scripts/fetch_models.sh)";
  }
  TempRunDir dir("init_from");
  testing::write_toy_data(dir.path());
  auto j = toy_config(dir.path());
  j["model"] = {{"init_from", model.string()}, {"pooling", {{"mode", "mean"}}}};
  j["tokenizer"]["vocab"] = model.string();
  j["optim"]["lr"] = 1e-30;  // the update is below fp32 resolution: the weights stay as loaded
  j["train"]["max_steps"] = 1;
  run_training(to_config(j), dir / "out", false);
  const auto hf = testing::read_tensors(model / "model.safetensors");
  const auto best = testing::read_tensors(dir / "out" / "best" / "model.safetensors");
  for (const char* suffix : {"word_embeddings.weight",
                             "encoder.layer.5.output.dense.weight",
                             "encoder.layer.0.attention.self.query.bias"}) {
    EXPECT_TRUE(torch::equal(by_suffix(hf, suffix), by_suffix(best, suffix))) << suffix;
  }
}

}  // namespace
}  // namespace sentzoo
