#include "train/optimizer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>

namespace sentzoo {
namespace {
struct TinyNet : torch::nn::Module {
  TinyNet() {
    word_embeddings = register_module("word_embeddings", torch::nn::Embedding(10, 4));
    dense = register_module("dense", torch::nn::Linear(4, 3));
    norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({3})));
  }
  torch::nn::Embedding word_embeddings{nullptr};
  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};
}  // namespace

TEST(Optimizer, BiasesNormsAndEmbeddingsDoNotDecay) {
  TinyNet net;
  const auto split = split_for_weight_decay(net, OptimizerConfig{});
  EXPECT_EQ(split.decay_names, std::vector<std::string>{"dense.weight"});
  EXPECT_EQ(split.no_decay_names.size(), 4u);  // embeddings, dense.bias, norm weight and bias
  OptimizerConfig with_embeddings;
  with_embeddings.decay_embeddings = true;
  EXPECT_EQ(split_for_weight_decay(net, with_embeddings).decay.size(), 2u);
}

TEST(Optimizer, AdamWStepsMatchTheDecoupledFormulaInFloat64) {
  TinyNet net;
  net.to(torch::kDouble);
  OptimizerConfig config;
  config.lr = 0.1;
  config.weight_decay = 0.5;
  auto optimizer = make_adamw(net, config);
  auto weight = net.dense->weight.detach().clone();  // decays
  auto bias = net.dense->bias.detach().clone();      // does not decay
  torch::Tensor m_w = torch::zeros_like(weight), v_w = torch::zeros_like(weight);
  torch::Tensor m_b = torch::zeros_like(bias), v_b = torch::zeros_like(bias);
  // Replays AdamW (Loshchilov & Hutter 2019, Algorithm 2) on the recorded gradients.
  auto replay = [&](torch::Tensor& p,
                    torch::Tensor& m,
                    torch::Tensor& v,
                    const torch::Tensor& g,
                    double decay,
                    int t) {
    p = p * (1 - config.lr * decay);
    m = config.beta1 * m + (1 - config.beta1) * g;
    v = config.beta2 * v + (1 - config.beta2) * g * g;
    const auto m_hat = m / (1 - std::pow(config.beta1, t));
    const auto v_hat = v / (1 - std::pow(config.beta2, t));
    p = p - config.lr * m_hat / (v_hat.sqrt() + config.eps);
  };
  for (int t = 1; t <= 3; ++t) {
    optimizer->zero_grad();
    net.dense->forward(torch::randn({2, 4}, torch::kDouble)).pow(2).sum().backward();
    replay(weight, m_w, v_w, net.dense->weight.grad(), config.weight_decay, t);
    replay(bias, m_b, v_b, net.dense->bias.grad(), 0.0, t);
    optimizer->step();
    EXPECT_TRUE(torch::allclose(net.dense->weight, weight, /*rtol=*/1e-12, /*atol=*/1e-12)) << t;
    EXPECT_TRUE(torch::allclose(net.dense->bias, bias, /*rtol=*/1e-12, /*atol=*/1e-12)) << t;
  }
}

// FusedAdamW against LibTorch's AdamW on identical parameters and gradients: fp32 (fused pass)
// within float rounding, bf16 (LibTorch's op sequence) bit for bit, and the saved state loads
// into the stock optimizer (same torch::save format, so old checkpoints keep loading).
TEST(Optimizer, FusedAdamWMatchesLibTorchAdamW) {
  for (auto dtype : {torch::kFloat, torch::kBFloat16}) {
    torch::manual_seed(5);
    TinyNet fused_net, stock_net;
    fused_net.to(dtype);
    stock_net.to(dtype);
    for (size_t i = 0; i < fused_net.parameters().size(); ++i) {
      torch::NoGradGuard no_grad;
      stock_net.parameters()[i].copy_(fused_net.parameters()[i]);
    }
    OptimizerConfig config;
    config.lr = 0.05;
    config.weight_decay = 0.1;
    auto fused = make_adamw(fused_net, config);
    ASSERT_NE(dynamic_cast<FusedAdamW*>(fused.get()), nullptr);
    const auto split = split_for_weight_decay(stock_net, config);
    auto stock_groups = [&] {
      std::vector<torch::optim::OptimizerParamGroup> groups;
      groups.emplace_back(split.decay,
                          std::make_unique<torch::optim::AdamWOptions>(
                              torch::optim::AdamWOptions(config.lr).weight_decay(0.1)));
      groups.emplace_back(split.no_decay,
                          std::make_unique<torch::optim::AdamWOptions>(
                              torch::optim::AdamWOptions(config.lr).weight_decay(0)));
      return groups;
    };
    torch::optim::AdamW stock(stock_groups(), torch::optim::AdamWOptions(config.lr));
    for (int t = 1; t <= 5; ++t) {
      fused->zero_grad();
      stock.zero_grad();
      auto ids = torch::randint(0, 10, {6});
      auto loss = [&](TinyNet& net) {
        return net.norm(net.dense(net.word_embeddings(ids))).to(torch::kFloat).pow(3).sum();
      };
      loss(fused_net).backward();
      loss(stock_net).backward();
      fused->step();
      stock.step();
      for (size_t i = 0; i < fused_net.parameters().size(); ++i) {
        const auto a = fused_net.parameters()[i];
        const auto b = stock_net.parameters()[i];
        if (dtype == torch::kBFloat16) {
          EXPECT_TRUE(a.equal(b)) << "step " << t << " parameter " << i;
        } else {
          EXPECT_TRUE(torch::allclose(a, b, /*rtol=*/1e-5, /*atol=*/1e-6)) << "step " << t;
        }
      }
    }
    std::stringstream saved;
    torch::save(*fused, saved);
    torch::optim::AdamW reloaded(stock_groups(), torch::optim::AdamWOptions(config.lr));
    torch::load(reloaded, saved);
    const auto& state = reloaded.state();
    ASSERT_EQ(state.size(), fused_net.parameters().size());
    for (const auto& item : state) {
      EXPECT_EQ(static_cast<const torch::optim::AdamWParamState&>(*item.second).step(), 5);
    }
  }
}

TEST(Optimizer, SetLearningRateReachesEveryGroup) {
  TinyNet net;
  auto optimizer = make_adamw(net, OptimizerConfig{});
  set_learning_rate(*optimizer, 0.25);
  for (auto& group : optimizer->param_groups()) EXPECT_DOUBLE_EQ(group.options().get_lr(), 0.25);
}

}  // namespace sentzoo
