// The cross-encoder objective (interaction-based matching, REFERENCE.md §7): each pair is packed
// into one sequence [CLS] a [SEP] b [SEP], the encoder reads both texts together and a classifier
// on [CLS] (or the pooler) gives one logit or K class logits; losses bce, cosent_cross,
// cross_entropy. Dev sets are scored by the logits (metrics/pair_metrics.h).

#include <fmt/format.h>

#include "core/compat.h"
#include "data/tokenized_split.h"
#include "metrics/pair_metrics.h"
#include "models/cross_encoder.h"
#include "models/model_folder.h"
#include "train/objectives/common.h"

namespace sentzoo {

namespace {

Objective build(const ObjectiveContext& ctx) {
  const auto& spec = ctx.spec;
  const TaskSplits splits = tokenize_task(ctx, tokenize_packed_pairs);
  const auto& train = splits.train;
  const auto& dev = splits.dev;
  check_labels(spec, spec.num_labels, train->labels, spec.train, /*training=*/true);
  if (dev->size() > 0) check_labels(spec, spec.num_labels, dev->labels, spec.dev, false);

  const auto& m = ctx.config.model;
  CrossEncoderConfig cc;
  cc.encoder = ctx.encoder->config;
  cc.num_labels = spec.num_labels;
  cc.head_input = m.head_input;
  cc.zero_segments = m.zero_segments;
  cc.dropout = m.head_dropout;
  CrossEncoder model(cc);
  model->encoder = model->replace_module("encoder", ctx.encoder);
  register_task_module(ctx.run_model, *model, ctx.encoder, spec.name);
  auto loss = std::make_shared<Loss>(
      make_task_loss(ctx, ctx.encoder->config.hidden_size, /*gives_logits=*/true, "cross"));

  nlohmann::json info = base_model_info(ctx, "cross");
  info["num_labels"] = cc.num_labels;
  info["head_input"] = cc.head_input;
  info["zero_segments"] = cc.zero_segments;
  Objective objective = objective_with_save(ctx, splits, model.ptr(), info, /*exportable=*/true);
  const CollateOptions collate = train_collate(ctx);
  const torch::Device device = ctx.device;
  objective.loss = [=](const BatchShard& shard, uint64_t /*seed*/) mutable {
    // This rank's pairs through the model; the loss (a mean over pairs) over every rank's logits.
    LossBatch batch;
    batch.labels = collate_labels(train->labels, shard.rows).to(device);
    batch.logits = shard.run([&](const std::vector<int64_t>& local) {
      const Batch b = gather_batch(train->a, local, collate, device);
      return model->forward(b.input_ids, b.attention_mask, b.token_type_ids);
    });
    return (*loss)(batch);
  };
  const EvalSettings settings = eval_settings(ctx);
  objective.evaluate = [=]() mutable {
    // (N) logits, or (N, K) for K classes: then accuracy with per-class offsets tuned on dev.
    const auto logits =
        forward_in_length_order(dev->a, settings.batch_size, settings.collate, [&](const Batch& b) {
          const Batch d = to_device(b, settings.device);
          compat::AutocastGuard amp(settings.autocast, settings.device.type(), settings.amp_dtype);
          return model->forward(d.input_ids, d.attention_mask, d.token_type_ids);
        });
    ScoredPairs scored{{}, {}, dev->labels};
    if (logits.dim() == 2) {
      const auto rows = logits.to(torch::kCPU, torch::kDouble).contiguous();
      for (int64_t n = 0; n < rows.size(0); ++n) scored.classes.push_back(to_vector(rows[n]));
    } else {
      scored.scores = to_vector(logits);
    }
    return evaluate_scored_pairs(scored, std::nullopt);
  };
  return objective;
}

void validate(const TaskSpec& spec, const std::string& where) {
  if (spec.loss.name == "cross_entropy" && spec.num_labels < 2)
    throw std::invalid_argument(
        fmt::format("{}: loss cross_entropy needs num_labels >= 2 (K classes), got {}",
                    where,
                    spec.num_labels));
  if ((spec.loss.name == "bce" || spec.loss.name == "cosent_cross") && spec.num_labels != 1)
    throw std::invalid_argument(fmt::format("{}: loss {} needs num_labels = 1 (one score), got {}",
                                            where,
                                            spec.loss.name,
                                            spec.num_labels));
  validate_task_loss(spec, where, /*gives_logits=*/true, "cross");
}

}  // namespace

ObjectiveKind cross_objective_kind() {
  ObjectiveKind kind;
  kind.name = "cross";
  kind.default_loss = "bce";
  kind.validate = validate;
  kind.build = build;
  return kind;
}

}  // namespace sentzoo
