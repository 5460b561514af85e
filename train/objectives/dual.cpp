// The dual-encoder objective (Sentence-BERT / CoSENT style, REFERENCE.md §5-6): both texts of a
// pair go through the shared encoder (or a second tower), are pooled into sentence vectors, and
// a pair loss (CoSENT, softmax, in-batch negatives, ...) compares them. Dev sets are scored by
// the cosine of the two vectors (metrics/pair_metrics.h); triplet data by triplet or top-1
// retrieval accuracy.

#include <fmt/format.h>

#include "core/compat.h"
#include "data/tokenized_split.h"
#include "metrics/pair_metrics.h"
#include "models/dual_encoder.h"
#include "models/model_folder.h"
#include "train/objectives/common.h"

namespace sentzoo {

namespace {

namespace F = torch::nn::functional;

// Sentence vectors (N, D) of `texts` through `tower` (0: first texts, 1: second texts).
torch::Tensor encode(DualEncoder& model,
                     const std::vector<Encoding>& texts,
                     const EvalSettings& settings,
                     int tower) {
  return forward_in_length_order(texts, settings.batch_size, settings.collate, [&](const Batch& b) {
    const Batch d = to_device(b, settings.device);
    compat::AutocastGuard amp(settings.autocast, settings.device.type(), settings.amp_dtype);
    return model->forward(d.input_ids, d.attention_mask, d.token_type_ids, tower);
  });
}

// Triplet data has no graded labels: with negatives, the share of queries closer to their
// positive than to their negative; without, top-1 retrieval of the positive among all.
Metrics triplet_metrics(DualEncoder& model,
                        const TokenizedSplit& dev,
                        const EvalSettings& settings) {
  const auto unit = F::NormalizeFuncOptions().dim(1);
  auto u = F::normalize(encode(model, dev.a, settings, 0), unit);
  auto v = F::normalize(encode(model, dev.b, settings, 1), unit);
  Metrics metrics;
  if (!dev.c.empty()) {
    auto w = F::normalize(encode(model, dev.c, settings, 1), unit);
    metrics.primary = "triplet_accuracy";
    metrics.values["triplet_accuracy"] =
        ((u * v).sum(1) > (u * w).sum(1)).to(torch::kDouble).mean().item<double>();
  } else {
    const auto hits =
        u.matmul(v.t()).argmax(1).eq(torch::arange(u.size(0), torch::kLong).to(u.device()));
    metrics.primary = "retrieval_accuracy";
    metrics.values["retrieval_accuracy"] = hits.to(torch::kDouble).mean().item<double>();
  }
  return metrics;
}

Objective build(const ObjectiveContext& ctx) {
  const auto& spec = ctx.spec;
  const TaskSplits splits = tokenize_task(ctx, tokenize_sides);
  const auto& train = splits.train;
  const auto& dev = splits.dev;
  // softmax's classes (0 = unknown: only checked to be integers >= 0).
  const int64_t classes =
      spec.loss.params.is_object() ? spec.loss.params.value("num_labels", int64_t{0}) : 0;
  check_labels(spec, classes, train->labels, spec.train, /*training=*/true);
  if (dev->size() > 0) check_labels(spec, classes, dev->labels, spec.dev, /*training=*/false);

  DualEncoderConfig dc;
  dc.encoder = ctx.encoder->config;
  dc.pooling = ctx.config.model.pooling;
  dc.shared = ctx.config.model.shared_towers;
  DualEncoder model(dc);
  model->tower = model->replace_module("tower", ctx.encoder);
  register_task_module(ctx.run_model, *model, ctx.encoder, spec.name);
  const int64_t embedding_dim =
      dc.pooling.dense_dim > 0 ? dc.pooling.dense_dim : ctx.encoder->config.hidden_size;
  auto loss =
      std::make_shared<Loss>(make_task_loss(ctx, embedding_dim, /*gives_logits=*/false, "dual"));
  if (loss->input == LossInput::kPairEmbeddings && train->triplets) {
    throw std::invalid_argument(
        fmt::format("task '{}' ({}): loss '{}' needs labelled pairs, but triplet data has no "
                    "labels; use mnrl, mnrl_symmetric or triplet",
                    spec.name,
                    spec.train,
                    loss->name));
  }
  if (loss->name == "triplet" && train->c.empty()) {
    throw std::invalid_argument(fmt::format(
        "task '{}' ({}): loss 'triplet' needs one hard negative per example: jsonl triplet "
        "data with query/pos/neg",
        spec.name,
        spec.train));
  }

  nlohmann::json info = base_model_info(ctx, "dual");
  info["pooling"] = dc.pooling;
  info["shared_towers"] = dc.shared;
  Objective objective = objective_with_save(ctx, splits, model.ptr(), info, /*exportable=*/true);
  const CollateOptions collate = train_collate(ctx);
  const torch::Device device = ctx.device;
  objective.loss = [=](const BatchShard& shard, uint64_t /*seed*/) mutable {
    // This rank's rows through the towers, then every rank's (in-batch negatives and CoSENT's
    // pairs see the global batch; anchors and positives are gathered alike, so stay aligned).
    if (shard.local_loss && shard.begin == shard.end)
      return torch::zeros({}, device);  // a local loss over no rows of ours
    auto side = [&](const std::vector<Encoding>& texts, int tower) {
      return shard.run(
          [&](const std::vector<int64_t>& local) {
            const Batch b = gather_batch(texts, local, collate, device);
            return model->forward(b.input_ids, b.attention_mask, b.token_type_ids, tower);
          },
          /*batch_loss=*/true);
    };
    LossBatch batch;
    batch.labels = collate_labels(train->labels, shard.loss_rows()).to(device);
    batch.a = side(train->a, 0);
    batch.b = side(train->b, 1);
    if (!train->c.empty()) batch.negatives.push_back(side(train->c, 1));
    return (*loss)(batch);
  };
  const EvalSettings settings = eval_settings(ctx);
  objective.evaluate = [=]() mutable {
    if (dev->triplets) return triplet_metrics(model, *dev, settings);
    auto u = encode(model, dev->a, settings, 0);
    auto v = encode(model, dev->b, settings, 1);
    const auto scores = F::cosine_similarity(u, v, F::CosineSimilarityFuncOptions().dim(1));
    return evaluate_scored_pairs({to_vector(scores), {}, dev->labels}, std::nullopt);
  };
  return objective;
}

}  // namespace

ObjectiveKind dual_objective_kind() {
  ObjectiveKind kind;
  kind.name = "dual";
  kind.default_loss = "cosent";
  kind.validate = [](const TaskSpec& spec, const std::string& where) {
    validate_task_loss(spec, where, /*gives_logits=*/false, "dual");
  };
  kind.build = build;
  return kind;
}

}  // namespace sentzoo
