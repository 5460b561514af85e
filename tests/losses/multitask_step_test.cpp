// The trainer-facing pieces together on a toy shared encoder: two tasks from make_loss, one
// backward per task, gradients combined over the shared weight, weighting of the losses.

#include <gtest/gtest.h>

#include "core/compat.h"
#include "losses/gradient_combiner.h"
#include "losses/loss_weighting.h"
#include "losses/make_loss.h"

namespace sentzoo {
namespace {

struct ToyTasks {
  torch::nn::Linear encoder{torch::nn::LinearOptions(6, 4)};  // shared
  Loss sts = make_loss("cosent");
  Loss nli = make_loss("softmax", {{"dim", 4}, {"num_labels", 3}});
  torch::Tensor xa = torch::randn({8, 6}), xb = torch::randn({8, 6});
  torch::Tensor sts_labels = torch::tensor({0., 1., 2., 3., 4., 5., 1., 2.});
  torch::Tensor nli_labels = torch::tensor({0, 1, 2, 0, 1, 2, 0, 1});

  torch::Tensor task_loss(int t, bool amp) {
    compat::AutocastGuard guard(amp);
    LossBatch b;
    b.a = encoder(xa);
    b.b = encoder(xb);
    b.labels = t == 0 ? sts_labels : nli_labels;
    return t == 0 ? sts(b) : nli(b);
  }
};

TEST(MultiTaskStep, GradientCombinersTrainASharedEncoder) {
  for (const std::string name : {"mgda", "pcgrad", "main_aux", "grad_norm"}) {
    SCOPED_TRACE(name);
    torch::manual_seed(0);
    ToyTasks toy;
    auto combiner = make_gradient_combiner(name);
    auto shared = toy.encoder->parameters();
    auto params = shared;
    for (auto& p : toy.nli.parameters()) params.push_back(p);
    torch::optim::Adam opt(params, torch::optim::AdamOptions(0.05));
    const double first0 = toy.task_loss(0, false).item<double>();
    const double first1 = toy.task_loss(1, false).item<double>();
    for (int step = 0; step < 15; ++step) {
      opt.zero_grad();
      std::vector<std::vector<torch::Tensor>> per_task;
      for (int t = 0; t < 2; ++t) {
        for (auto& p : shared) p.mutable_grad() = torch::Tensor();
        toy.task_loss(t, /*amp=*/step % 2 == 1).backward();  // backward outside autocast
        per_task.emplace_back();
        for (auto& p : shared) per_task.back().push_back(p.grad().clone());
      }
      auto u = combiner->combine(per_task);
      for (size_t k = 0; k < shared.size(); ++k) shared[k].mutable_grad() = u[k];
      opt.step();
    }
    EXPECT_LT(toy.task_loss(0, false).item<double>(), first0);
    EXPECT_LT(toy.task_loss(1, false).item<double>(), first1);
  }
}

TEST(MultiTaskStep, LossWeightingWithSampledTasks) {
  torch::manual_seed(0);
  ToyTasks toy;
  auto weighting = make_loss_weighting("uncertainty", {{"num_tasks", 2}});
  auto params = toy.encoder->parameters();
  for (auto& p : toy.nli.parameters()) params.push_back(p);
  for (auto& p : weighting->parameters()) params.push_back(p);
  torch::optim::Adam opt(params, torch::optim::AdamOptions(0.05));
  const double first =
      toy.task_loss(0, false).item<double>() + toy.task_loss(1, false).item<double>();
  for (int step = 0; step < 30; ++step) {
    opt.zero_grad();
    std::vector<torch::Tensor> losses(2);
    losses[step % 2] = toy.task_loss(step % 2, false);  // one task per step
    weighting->combine(losses).backward();
    opt.step();
  }
  EXPECT_LT(toy.task_loss(0, false).item<double>() + toy.task_loss(1, false).item<double>(), first);
  EXPECT_NE(weighting->parameters()[0].abs().sum().item<double>(), 0.0);  // log σ² moved
}

}  // namespace
}  // namespace sentzoo
