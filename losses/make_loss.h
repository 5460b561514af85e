#pragma once
// Losses by name with JSON parameters, for the trainer's config (`"loss": {"name": "cosent",
// "params": {"scale": 20}}`). Each Loss names the input it needs; the trainer fills a LossBatch:
//
//   auto loss = sentzoo::make_loss("softmax", {{"dim", 768}, {"num_labels", 3}});
//   if (loss.module) model->register_module("loss_head", loss.module);  // or add loss.parameters()
//   LossBatch batch;                                                   // to the optimizer
//   batch.a = model(b.texts_a); batch.b = model(b.texts_b); batch.labels = b.labels;
//   torch::Tensor value = loss(batch);   // () fp32 scalar, autocast-safe
//
// Inputs by kind: kPairEmbeddings: a = u, b = v (B, D), labels (B);
// kAnchorPositiveNegatives: a = anchor, b = positive (B, D), negatives = hard negatives (B, D)
// each (MNRL: zero or more; triplet: exactly one), no labels;
// kCrossLogits: logits (B) (or (B, K) for cross_entropy), labels (B).

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sentzoo {

enum class LossInput { kPairEmbeddings, kAnchorPositiveNegatives, kCrossLogits };

/// The tensors a loss may read; which ones are used is fixed by Loss::input.
struct LossBatch {
  torch::Tensor a, b;                    // (B, D) u/v or anchor/positive
  std::vector<torch::Tensor> negatives;  // (B, D) each
  torch::Tensor logits;                  // (B) or (B, K)
  torch::Tensor labels;                  // (B)
};

/// A configured loss: call it on a LossBatch to get a () fp32 tensor.
struct Loss {
  std::string name;                              // e.g. "cosent"
  LossInput input = LossInput::kPairEmbeddings;  // which LossBatch fields it reads
  bool needs_labels = true;                      // false for mnrl, mnrl_symmetric, triplet
  std::function<torch::Tensor(const LossBatch&)> compute;
  std::shared_ptr<torch::nn::Module> module;  // trainable head (softmax) or null; trainer owns it

  torch::Tensor operator()(const LossBatch& batch) const;
  /// The head's parameters (empty for parameter-free losses), for the trainer's optimizer.
  std::vector<torch::Tensor> parameters() const;
};

/// Builds a loss by name; unknown names and unknown/mistyped parameter keys throw
/// std::invalid_argument listing the valid ones.
Loss make_loss(const std::string& name, const nlohmann::json& params = nlohmann::json::object());

/// The names make_loss accepts.
std::vector<std::string> loss_names();

/// "pair_embeddings" | "anchor_positive_negatives" | "cross_logits".
std::string to_string(LossInput input);

}  // namespace sentzoo
