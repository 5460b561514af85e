// Per-layer norms of an optimizer step (train/layer_stats.h): the grouping of parameter names,
// the norms of a plain SGD step against float64 brute force, and the "layers" rows a run writes.
#include "train/layer_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "tests/train/trainer_test_util.h"
#include "train/trainer.h"

namespace sentzoo {
namespace {

TEST(LayerStats, GroupsFollowTheParameterNames) {
  EXPECT_EQ(layer_group("encoder.layers.3.attn.q.weight"), "layers.3");
  EXPECT_EQ(layer_group("layers.12.ffn.fc1.bias"), "layers.12");
  EXPECT_EQ(layer_group("towers.1.layers.0.norm1.weight"), "layers.0");
  EXPECT_EQ(layer_group("encoder.embeddings.word.weight"), "embeddings");
  EXPECT_EQ(layer_group("embeddings.position.weight"), "embeddings");
  EXPECT_EQ(layer_group("encoder.mlm.bias"), "other");
  EXPECT_EQ(layer_group("encoder.final_norm.weight"), "other");
  // Whole words only: no "layers." inside another word, digits then a dot.
  EXPECT_EQ(layer_group("encoder.sublayers.3.w"), "other");
  EXPECT_EQ(layer_group("encoder.layers.x.w"), "other");
  EXPECT_EQ(layer_group("encoder.layers.7"), "other");
  EXPECT_EQ(layer_group("my_embeddings.w"), "other");
}

TEST(LayerStats, NormsOfAnSgdStepMatchFloat64BruteForce) {
  torch::manual_seed(3);
  const std::vector<std::pair<std::string, torch::Tensor>> named = {
      {"encoder.layers.1.w", torch::randn({3, 4}).requires_grad_()},
      {"encoder.embeddings.word", torch::randn({5, 2}).requires_grad_()},
      {"encoder.layers.0.w", torch::randn({4, 4}).requires_grad_()},
      {"encoder.layers.0.b", torch::randn({4}).requires_grad_()},
      {"head.w", torch::randn({2}).requires_grad_()}};  // no gradient: 0 and 0
  std::vector<torch::Tensor> parameters;
  for (const auto& [name, p] : named) {
    if (name != "head.w") p.mutable_grad() = torch::randn_like(p);
    parameters.push_back(p);
  }
  std::vector<torch::Tensor> before;
  for (const auto& p : parameters) before.push_back(p.detach().to(torch::kDouble).clone());
  const double lr = 0.5;
  torch::optim::SGD sgd(parameters, torch::optim::SGDOptions(lr));
  LayerStats stats(named);
  stats.before_update();
  sgd.step();
  const auto groups = stats.after_update();

  ASSERT_EQ(groups.size(), 4u);
  const std::vector<std::string> order = {"embeddings", "layers.0", "layers.1", "other"};
  const std::vector<std::vector<size_t>> members = {{1}, {2, 3}, {0}, {4}};
  for (size_t g = 0; g < 4; ++g) {
    EXPECT_EQ(groups[g].group, order[g]);
    double grad = 0, weight = 0, update = 0;
    for (size_t i : members[g]) {
      const auto p = parameters[i].detach().to(torch::kDouble);
      if (parameters[i].grad().defined())
        grad += parameters[i].grad().to(torch::kDouble).pow(2).sum().item<double>();
      weight += p.pow(2).sum().item<double>();
      update += (p - before[i]).pow(2).sum().item<double>();
    }
    EXPECT_NEAR(groups[g].grad_norm, std::sqrt(grad), 1e-5 * (1 + std::sqrt(grad))) << order[g];
    EXPECT_NEAR(groups[g].weight_norm, std::sqrt(weight), 1e-5 * std::sqrt(weight)) << order[g];
    EXPECT_NEAR(groups[g].update_norm, std::sqrt(update), 1e-5 * (1 + std::sqrt(update)))
        << order[g];
    // SGD moves by lr * gradient.
    EXPECT_NEAR(groups[g].update_norm, lr * groups[g].grad_norm, 1e-5) << order[g];
  }
  EXPECT_EQ(groups[3].grad_norm, 0.0);
  EXPECT_EQ(groups[3].update_norm, 0.0);
  EXPECT_THROW(stats.after_update(), std::logic_error);
}

TEST(LayerStats, ARunLogsLayerRowsWhoseGradientNormsAddUpToTheStepsNorm) {
  testing::TempRunDir dir("layer_stats");
  testing::write_toy_data(dir.path());
  auto j = testing::toy_config(dir.path());
  j["model"]["encoder"]["num_layers"] = 2;
  j["train"]["max_steps"] = 5;
  j["train"]["layer_stats_every"] = 2;
  run_training(testing::to_config(j), dir / "run", /*resume=*/false, {});

  std::ifstream in(dir / "run" / "metrics.jsonl");
  std::map<int64_t, double> step_grad_norm;
  std::vector<nlohmann::json> rows;
  for (std::string line; std::getline(in, line);) {
    const auto row = nlohmann::json::parse(line);
    if (row["event"] == "step") step_grad_norm[row["step"]] = row["grad_norm"];
    if (row["event"] == "layers") rows.push_back(row);
  }
  ASSERT_EQ(rows.size(), 3u);  // steps 1, 2 and 4
  EXPECT_EQ(rows[0]["step"], 1);
  EXPECT_EQ(rows[1]["step"], 2);
  EXPECT_EQ(rows[2]["step"], 4);
  for (const auto& row : rows) {
    std::vector<std::string> names;
    double grad_sq = 0;
    for (const auto& g : row["groups"]) {
      names.push_back(g["group"]);
      grad_sq += std::pow(g["grad_norm"].get<double>(), 2);
      EXPECT_GT(g["weight_norm"].get<double>(), 0) << g.dump();
      if (g["group"] != "other") EXPECT_GT(g["update_norm"].get<double>(), 0) << g.dump();
    }
    ASSERT_GE(names.size(), 3u) << row.dump();
    EXPECT_EQ(names[0], "embeddings");
    EXPECT_EQ(names[1], "layers.0");
    EXPECT_EQ(names[2], "layers.1");
    // The groups partition the trained parameters: their squared gradient norms add up to the
    // step's (unclipped) global gradient norm.
    const double total = step_grad_norm.at(row["step"].get<int64_t>());
    EXPECT_NEAR(std::sqrt(grad_sq), total, 1e-4 * total) << row.dump();
  }
}

}  // namespace
}  // namespace sentzoo
