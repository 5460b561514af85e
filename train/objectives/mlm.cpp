// The masked-language-model objective (BERT pretraining, arXiv 1810.04805 §3.1; RoFormerV2's
// tied head, REFERENCE.md §1.1): 15% of the tokens are chosen (80% [MASK], 10% random, 10% kept,
// mlm_masking.h) and predicted by the encoder's MLM head; the loss is cross-entropy over the
// chosen tokens. Dev metrics: the same loss on dev texts (lower is better; the primary metric)
// and the accuracy of the arg-max prediction at the chosen tokens (BERT's "masked LM accuracy"),
// masked with the run's seed so every evaluation sees the same masks. With data.pack_texts the
// training texts are packed whole into rows of tokenizer.max_length (data/tokenized_split.h:
// pack_texts); dev texts stay one per row, so held-out numbers compare across settings.

#include <fmt/format.h>

#include "core/compat.h"
#include "data/tokenized_split.h"
#include "models/model_folder.h"
#include "train/objectives/common.h"
#include "train/objectives/mlm_masking.h"

namespace sentzoo {

namespace {

// Per masked token of rows [begin, end): losses (M) fp32 cross-entropy; correct (M) bool, whether
// the arg-max of the logits is the original token (only filled when asked: evaluation).
struct MaskedTokens {
  torch::Tensor losses;
  torch::Tensor correct;
};

// The masked tokens of rows [begin, end) of `batch`, which is masked as a whole with `seed`: the
// masks of a row do not depend on how a batch is split over ranks. Undefined when begin == end.
MaskedTokens masked_tokens(TransformerEncoder& encoder,
                           const Batch& batch,
                           int64_t begin,
                           int64_t end,
                           const SpecialIds& special,
                           const torch::Device& device,
                           uint64_t seed,
                           bool with_accuracy = false) {
  std::vector<int64_t> specials;
  for (int64_t id : {special.cls, special.sep, special.pad, special.mask, special.unk}) {
    if (id >= 0) specials.push_back(id);
  }
  auto generator = at::detail::createCPUGenerator(seed);
  auto masked = mask_tokens(batch.input_ids.cpu(),
                            batch.attention_mask.cpu(),
                            specials,
                            special.mask,
                            encoder->config.vocab_size,
                            MlmMaskingConfig{},
                            generator);
  const int64_t rows = end - begin;
  if (rows == 0) return {};  // this rank has no rows of the batch
  auto ids = masked.input_ids.narrow(0, begin, rows).to(device);
  auto labels = masked.labels.narrow(0, begin, rows).to(device);
  auto out = encoder->forward(ids,
                              batch.attention_mask.narrow(0, begin, rows),
                              batch.token_type_ids.narrow(0, begin, rows));
  // The head (h -> vocab, the largest matmul of a small model) only at the ~15% masked
  // positions.
  const auto selected = labels.view({-1}).ne(kIgnoreIndex).nonzero().squeeze(1);  // (M,)
  const auto hidden = out.last_hidden.reshape({-1, out.last_hidden.size(-1)});    // (B*T, h)
  auto logits = encoder->mlm_logits(hidden.index_select(0, selected)).to(torch::kFloat);  // (M, V)
  const auto targets = labels.view({-1}).index_select(0, selected);                       // (M,)
  MaskedTokens tokens;
  tokens.losses = torch::nn::functional::cross_entropy(
      logits, targets, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
  if (with_accuracy) tokens.correct = logits.argmax(-1).eq(targets);
  return tokens;
}

// () mean cross-entropy over every masked token of the batch (all ranks' with `shard`); 0, with
// zero gradients, when nothing was masked.
torch::Tensor mean_over_masked(const torch::Tensor& token_losses, const BatchShard& shard) {
  const auto all = shard.gather(token_losses);
  if (all.numel() > 0) return all.mean();
  return token_losses.defined() ? token_losses.sum() : torch::zeros({}, all.options());
}

Objective build(const ObjectiveContext& ctx) {
  TaskSplits splits = tokenize_task(ctx, tokenize_texts);
  if (ctx.config.data.pack_texts) {  // dev stays one text per row: comparable held-out numbers
    splits.train = std::make_shared<const TokenizedSplit>(pack_texts(
        *splits.train, ctx.config.tokenizer.max_length, ctx.tokenizer.special().cls));
  }
  const auto& train = splits.train;
  const auto& dev = splits.dev;
  // The folder holds the encoder with its MLM head: no head of its own.
  Objective objective = objective_with_save(
      ctx, splits, ctx.encoder.ptr(), base_model_info(ctx, "mlm"), /*exportable=*/false);
  TransformerEncoder encoder = ctx.encoder;
  const SpecialIds special = ctx.tokenizer.special();
  const CollateOptions collate = train_collate(ctx);
  const torch::Device device = ctx.device;
  objective.loss = [=](const BatchShard& shard, uint64_t seed) mutable {
    // Every rank masks the global batch alike and runs its rows; the mean is over all masked
    // tokens of the global batch, as in one process.
    const Batch b = gather_batch(train->a, shard.rows, collate, device);
    return mean_over_masked(
        masked_tokens(encoder, b, shard.begin, shard.end, special, device, seed).losses, shard);
  };
  const EvalSettings settings = eval_settings(ctx);
  const uint64_t seed = ctx.config.train.seed;
  objective.evaluate = [=]() mutable {
    double total = 0;
    int64_t batches = 0;
    int64_t correct = 0;
    int64_t masked = 0;
    for (const auto& rows : length_sorted_batches(dev->lengths, settings.batch_size)) {
      compat::AutocastGuard amp(settings.autocast, settings.device.type(), settings.amp_dtype);
      const Batch b = gather_batch(dev->a, rows, settings.collate, settings.device);
      const auto tokens = masked_tokens(encoder,
                                        b,
                                        0,
                                        b.input_ids.size(0),
                                        special,
                                        settings.device,
                                        seed + batches,
                                        /*with_accuracy=*/true);
      total += mean_over_masked(tokens.losses, BatchShard::whole(rows)).item<double>();
      correct += tokens.correct.sum().item<int64_t>();
      masked += tokens.correct.numel();
      ++batches;
    }
    Metrics metrics;
    // The loss is the mean of the batches' means (as before accuracy was added); the accuracy is
    // over every masked token of the dev set.
    metrics.values["mlm_loss"] = total / std::max<int64_t>(1, batches);
    metrics.values["mlm_accuracy"] =
        static_cast<double>(correct) / static_cast<double>(std::max<int64_t>(1, masked));
    metrics.primary = "mlm_loss";
    metrics.greater_is_better = false;
    return metrics;
  };
  return objective;
}

void validate(const TaskSpec& spec, const std::string& where) {
  if (spec.loss.name != "mlm")
    throw std::invalid_argument(
        fmt::format("{}: the mlm objective takes loss 'mlm', got '{}'", where, spec.loss.name));
}

}  // namespace

ObjectiveKind mlm_objective_kind() {
  ObjectiveKind kind;
  kind.name = "mlm";
  kind.default_loss = "mlm";
  kind.needs_mlm_head = true;
  kind.validate = validate;
  kind.build = build;
  return kind;
}

}  // namespace sentzoo
