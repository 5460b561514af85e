// docs/CONFIG.md, generated from the schema (train/config_schema.h) and the descriptions below.
// `sentzoo-train --print-config-reference > docs/CONFIG.md` regenerates it; the test
// ConfigSchema.ReferenceDocIsUpToDate fails when the committed file differs, and the generator throws
// when a key has no description here or a description names no key.
#include <fmt/format.h>

#include <map>
#include <set>
#include <stdexcept>

#include "losses/gradient_combiner.h"
#include "losses/loss_weighting.h"
#include "losses/make_loss.h"
#include "models/encoder_config.h"
#include "train/config_schema.h"

namespace sentzoo {

namespace {
using json = nlohmann::json;

// One line per key of the config (paths as in error messages), then per parameter of each loss
// ("loss:NAME.KEY"), weighting ("weighting:NAME.KEY") and combiner ("combiner:NAME.KEY").
const std::map<std::string, std::string>& descriptions() {
  static const std::map<std::string, std::string> d = {
      {"objective", "single-task shorthand: `dual` (bi-encoder), `cross` (cross encoder) or `mlm`"},
      {"model.preset", "encoder preset the run starts from (see Presets); ignored with `init_from`"},
      {"model.encoder",
       "encoder fields over the preset (or over `init_from`'s config.json), e.g. "
       "`{\"hidden_dropout\": 0.2}`; keys below, their defaults those of the default preset "
       "`roformer_v2_tiny`"},
      {"model.init_from",
       "Hugging Face / sentence-transformers folder (config.json + weights) to start from; a "
       "leading `~/` is the home folder. The run logs what it loaded and what it initialised"},
      {"model.pooling.mode", "dual encoders: `cls`, `mean`, `max`, `first_last_avg`, ... "
                             "(models/pooling.h)"},
      {"model.pooling.dense_dim", "dual encoders: projection to this size after pooling (0: none)"},
      {"model.pooling.dense_activation", "activation of that projection: `tanh` or `identity`"},
      {"model.pooling.normalize", "dual encoders: L2-normalise the sentence vector"},
      {"model.shared_towers", "dual encoders: one tower for both sides (false: two towers)"},
      {"model.num_labels", "cross encoders: 1 score, or K classes"},
      {"model.head_input", "cross encoders: classifier input `cls` (hidden state) or `pooler`"},
      {"model.zero_segments", "cross encoders: all-zero segment ids (RoFormerV2 fine-tuning)"},
      {"model.head_dropout", "cross encoders: dropout before the classifier, in [0, 1)"},
      {"tokenizer.vocab",
       "vocab.txt, SentencePiece .model, or a folder holding one (relative paths: from the "
       "working folder, then SENTZOO_DATA)"},
      {"tokenizer.lowercase", "WordPiece: lower-case and strip accents (uncased models)"},
      {"tokenizer.max_length", "tokens per text (dual, mlm) or per packed pair (cross), >= 4"},
      {"data.train", "training data as FMT:PATH (docs: README, Data), e.g. `tsv:zh/STS-B/STS-B.train.data`"},
      {"data.dev", "dev data as FMT:PATH, or empty for no evaluation"},
      {"data.batch_size", "pairs (dual, cross) or texts (mlm) per step; with several processes the global batch, split between them"},
      {"data.bucket_batches", "length-bucketing window in batches (0: off), e.g. 50"},
      {"data.max_examples", "use only the first N training examples (0: all)"},
      {"data.pack_texts",
       "mlm only: pack consecutive training texts, whole, into rows of up to tokenizer.max_length "
       "tokens ([CLS] t1 [SEP] t2 [SEP] ...; RoBERTa's FULL-SENTENCES); data.batch_size then "
       "counts rows. Dev texts stay one per row"},
      {"loss.name", "single-task loss (see Losses); empty: the objective's default"},
      {"loss.params", "the loss's parameters (see Losses)"},
      {"optim.lr", "peak learning rate (AdamW)"},
      {"optim.weight_decay", "decoupled weight decay"},
      {"optim.beta1", "AdamW beta1"},
      {"optim.beta2", "AdamW beta2"},
      {"optim.eps", "AdamW epsilon"},
      {"optim.decay_embeddings", "embedding tables join the decayed group"},
      {"train.max_steps", "optimizer steps"},
      {"train.seed", "seed of data order, dropout, masking and initialisation"},
      {"train.deterministic", "deterministic kernels; with --threads 1 runs repeat bitwise"},
      {"train.checkpoint_every", "steps between checkpoints (0: only at the end)"},
      {"train.keep_checkpoints", "newest K checkpoints kept"},
      {"train.eval_every", "steps between dev evaluations (0: only at the end)"},
      {"train.log_every", "steps between progress lines"},
      {"train.early_stop_patience", "stop after N evaluations without improvement (0: never)"},
      {"train.amp", "autocast: `off`, `bf16` (CPU or CUDA) or `fp16` (CUDA, with loss scaling)"},
      {"train.device", "`cpu` or `cuda`"},
      {"train.schedule", "learning-rate decay: `constant`, `linear` or `cosine`"},
      {"train.warmup_steps", "linear warm-up steps from 0"},
      {"train.min_lr_ratio", "floor of the decay as a fraction of lr, in [0, 1]"},
      {"train.grad_clip", "max global gradient norm (0: off)"},
      {"train.grad_accum", "micro-batches per optimizer step"},
      {"train.residual_ramp_steps", "RoFormerV2 residual ramp alpha 0 -> 1 over N steps (0: off)"},
      {"train.layer_stats_every",
       "steps between `layers` rows in metrics.jsonl: gradient (before clipping), weight and "
       "update norm of the embeddings, each encoder layer and the rest (0: off; when on, step 1 "
       "is logged too)"},
      {"train.gather_embeddings",
       "data-parallel runs (`--nproc`, torchrun-style environment): batch-level losses of dual "
       "tasks (in-batch negatives, CoSENT) see the whole global batch through an all-gather that "
       "keeps the gradient path, as one process would (true), or only each process's own rows "
       "(false, sentence-transformers without gather_across_devices); no effect in one process"},
      {"tasks", "multi-task runs: a list of tasks sharing one encoder (then `objective`, "
                "`data.train`, `data.dev` and `loss` are unused); keys below"},
      {"tasks[].name", "task name in logs and metrics (default: taskK)"},
      {"tasks[].objective", "`dual`, `cross` or `mlm`"},
      {"tasks[].train", "training data as FMT:PATH"},
      {"tasks[].dev", "dev data as FMT:PATH, or empty"},
      {"tasks[].loss.name", "the task's loss; empty: the objective's default"},
      {"tasks[].loss.params", "the loss's parameters (see Losses)"},
      {"tasks[].weight", "fixed loss weight, > 0"},
      {"tasks[].sampling_weight", "task sampling size (0: its number of examples)"},
      {"tasks[].num_labels", "cross tasks: head outputs (0: model.num_labels)"},
      {"multitask.tasks_per_step", "`sample` (one task per step) or `all` (every task)"},
      {"multitask.sampling", "`proportional`, `temperature` or `round_robin`"},
      {"multitask.temperature", "temperature of `temperature` sampling, > 0"},
      {"multitask.weighting.name", "loss weighting (see Loss weightings)"},
      {"multitask.weighting.params", "its parameters"},
      {"multitask.combiner.name", "gradient combiner (see Gradient combiners); needs "
                                  "tasks_per_step `all` and weighting `fixed`"},
      {"multitask.combiner.params", "its parameters"},
      // EncoderConfig (models/encoder_config.h)
      {"model.encoder.architecture", "`bert`, `roformer`, `roformer_v2`, `deepnet` or `custom` "
                                     "(free combinations of the switches below)"},
      {"model.encoder.vocab_size", "embedding rows; default: the tokenizer's size"},
      {"model.encoder.hidden_size", "model width"},
      {"model.encoder.num_layers", "layers N, at most 10000"},
      {"model.encoder.num_heads", "attention heads (hidden_size / num_heads per head)"},
      {"model.encoder.intermediate_size", "feed-forward width"},
      {"model.encoder.max_position_embeddings", "learned position rows (absolute positions)"},
      {"model.encoder.position_offset",
       "first learned position row used: rows offset..offset+T-1 (torchscale/fairseq: 2)"},
      {"model.encoder.scale_embedding",
       "multiply token embeddings by sqrt(hidden_size) (torchscale's embed_scale)"},
      {"model.encoder.type_vocab_size", "segment ids 0..type_vocab_size-1"},
      {"model.encoder.pad_token_id", "padding id (the mask comes from attention_mask)"},
      {"model.encoder.hidden_act", "`gelu` (erf), `gelu_new` (tanh approximation) or `relu`"},
      {"model.encoder.position_embedding", "`absolute` (learned) or `rotary` (RoPE)"},
      {"model.encoder.rope_theta", "RoPE base"},
      {"model.encoder.use_bias", "biases in dense layers (false for RoFormerV2)"},
      {"model.encoder.norm_type", "`layer_norm` or `rms_norm` (RoFormerV2, no gain)"},
      {"model.encoder.norm_eps", "norm epsilon"},
      {"model.encoder.norm_position", "`post` or `pre` (custom only)"},
      {"model.encoder.residual",
       "skip connections x + F(x); false: x = Norm(F(x)) (post) or F(Norm(x)) (pre), custom only "
       "(an ablation)"},
      {"model.encoder.embedding_norm", "norm after the embeddings"},
      {"model.encoder.deepnorm", "DeepNet: x = LN(alpha x + G(x)) with scaled init"},
      {"model.encoder.deepnorm_constants", "DeepNet alpha/beta: `paper` ((2N)^1/4, (8N)^-1/4) "
                                           "or `adam` ((2N)^1/2)"},
      {"model.encoder.deepnorm_init", "DeepNet init: `torchscale`, `fairseq` or `xavier_normal`"},
      {"model.encoder.with_pooler", "BERT/RoFormer pooler act(W x[CLS] + b)"},
      {"model.encoder.pooler_activation",
       "the pooler's activation (transformers ACT2FN names): `tanh` (BERT), `linear` (the "
       "roformer package's RoFormerV2), `relu`, `gelu`, ..."},
      {"model.encoder.pooler_bias",
       "the pooler has a bias (false only for RoFormerV2 folders sentzoo wrote before pooler_bias existed)"},
      {"model.encoder.with_mlm_head", "MLM head (set by the run for mlm tasks)"},
      {"model.encoder.mlm_head", "`bert` (transform + tied decoder + bias) or `tied` (x E^T)"},
      {"model.encoder.hidden_dropout", "dropout on hidden states"},
      {"model.encoder.attention_dropout", "dropout on attention probabilities"},
      {"model.encoder.initializer_range", "std of the normal initialisation"},
      // losses (losses/make_loss.cpp)
      {"loss:cosent.scale", "lambda: cosine differences are multiplied by it (Su: 20)"},
      {"loss:angle.scale", "lambda of the angle-difference ranking"},
      {"loss:cosent_cross.scale", "multiplier of the raw logit differences"},
      {"loss:cosine_mse.label_scale", "labels are divided by it (e.g. 5 for 0..5 scores)"},
      {"loss:softmax.dim", "sentence vector size (set by the run from the model)"},
      {"loss:softmax.num_labels", "classes (required)"},
      {"loss:softmax.concatenation_sent_rep", "features u, v"},
      {"loss:softmax.concatenation_sent_difference", "feature |u - v|"},
      {"loss:softmax.concatenation_sent_multiplication", "feature u * v"},
      {"loss:contrastive.margin", "margin for negative pairs"},
      {"loss:contrastive.distance", "`cosine`, `euclidean` or `manhattan`"},
      {"loss:contrastive.size_average", "mean (true) or sum over the batch"},
      {"loss:online_contrastive.margin", "margin for hard negative pairs"},
      {"loss:online_contrastive.distance", "`cosine`, `euclidean` or `manhattan`"},
      {"loss:mnrl.scale", "logit scale of the in-batch softmax"},
      {"loss:mnrl_symmetric.scale", "logit scale of the in-batch softmax (both directions)"},
      {"loss:triplet.margin", "triplet margin"},
      {"loss:triplet.distance", "`euclidean`, `cosine` or `manhattan`"},
      {"loss:bce.pos_weight", "weight of positive examples (0: 1)"},
      // loss weightings (losses/loss_weighting.cpp)
      {"weighting:fixed.weights", "one weight per task (default: tasks[].weight)"},
      {"weighting:initial.initial", "per-task initial losses (empty: the first loss seen)"},
      {"weighting:prior.priors", "per-task prior losses (required)"},
      {"weighting:realtime.eps", "floor of the loss it divides by"},
      {"weighting:generalized_mean.gamma", "mean exponent (0: geometric)"},
      {"weighting:uncertainty.num_tasks", "tasks (set by the run)"},
      {"weighting:uncertainty.init", "initial log-variance"},
      // gradient combiners (losses/gradient_combiner.cpp)
      {"combiner:grad_norm.eps", "floor of the gradient norms"},
      {"combiner:mgda.max_iters", "Frank-Wolfe iterations"},
      {"combiner:mgda.tol", "Frank-Wolfe tolerance"},
      {"combiner:pcgrad.seed", "seed of the projection order"},
      {"combiner:pcgrad.reduction", "`sum` or `mean` of the projected gradients"},
      {"combiner:main_aux.main", "index of the main task"},
      {"combiner:main_aux.max_iters", "iterations of the solver"},
      {"combiner:main_aux.tol", "tolerance of the solver"},
  };
  return d;
}

// Rows "key | default | description" for every leaf of `node` (objects recurse; free-form
// parameter objects and the task list get their own sections).
void collect(const json& node, const std::string& path, std::vector<std::pair<std::string, json>>& out) {
  const bool free_form = path.ends_with(".params") || path == "tasks";
  if (node.is_object() && !free_form && path != "model.encoder") {
    for (const auto& item : node.items())
      collect(item.value(), path.empty() ? item.key() : path + "." + item.key(), out);
    return;
  }
  // Free-form parts show their default as given (empty); their keys follow or have a section.
  out.emplace_back(path, free_form || path == "model.encoder"
                             ? (path == "tasks" ? json::array() : json::object())
                             : node);
  if (path == "model.encoder")
    for (const auto& item : node.items()) out.emplace_back(path + "." + item.key(), item.value());
}

std::string value_text(const json& v) {
  if (v.is_null()) return "(required)";
  return "`" + v.dump() + "`";
}

class Writer {
 public:
  std::string text;
  std::set<std::string> used;
  std::string describe(const std::string& key) {
    const auto it = descriptions().find(key);
    if (it == descriptions().end())
      throw std::logic_error("docs/CONFIG.md: no description for '" + key +
                             "' (train/config_reference.cpp)");
    used.insert(key);
    return it->second;
  }
  void row(const std::string& key, const std::string& shown, const json& value) {
    text += fmt::format("| `{}` | {} | {} |\n", shown, value_text(value), describe(key));
  }
  void params_section(const std::string& title, const std::string& prefix,
                      const std::vector<std::string>& names,
                      json (*describe_params_of)(const std::string&)) {
    text += fmt::format("\n## {}\n\n| name | parameter | default | description |\n|---|---|---|---|\n", title);
    for (const auto& name : names) {
      const json params = describe_params_of(name);
      if (params.empty()) text += fmt::format("| `{}` | (none) | | |\n", name);
      for (const auto& p : params.items())
        text += fmt::format("| `{}` | `{}` | {} | {} |\n", name, p.key(), value_text(p.value()),
                            describe(prefix + name + "." + p.key()));
    }
  }
};

}  // namespace

std::string config_reference_markdown() {
  Writer w;
  w.text =
      "# sentzoo-train configuration reference\n\n"
      "Generated by `sentzoo-train --print-config-reference` from the schema in "
      "train/config_schema.cpp and the descriptions in train/config_reference.cpp; do not edit "
      "by hand (ctest `ConfigSchema.ReferenceDocIsUpToDate` compares).\n\n"
      "A config is strict JSON: an unknown key, a value of the wrong type or a non-finite number "
      "is an error naming the key. Every key may be left out (its default applies) and set on "
      "the command line with `--set key.path=value`, listed in the file or not "
      "(`--set model.encoder.hidden_dropout=0.2`, `--set tasks[1].loss.params.scale=30`). "
      "Keys that choose (`objective`, `model.preset`, `model.init_from`, `*.name`) apply first; "
      "when `--set loss.name=...` changes the loss, the old loss's parameters that the new one "
      "does not take are dropped, with a line saying so. "
      "`sentzoo-train --print-config [--config F] [--set ...]` prints the resolved config with "
      "every key; fed back as a config it trains the same model.\n\n"
      "## Keys\n\n| key | default | description |\n|---|---|---|\n";
  // The defaults of a dual run from the default preset; model.encoder lists EncoderConfig's keys.
  const json schema = train_config_schema(json::object());
  std::vector<std::pair<std::string, json>> rows;
  collect(schema, "", rows);
  for (const auto& [key, value] : rows) w.row(key, key, value);
  const json task_defaults = TaskSpec{};
  for (const auto& item : task_defaults.items()) {
    if (item.key() == "loss") {
      w.row("tasks[].loss.name", "tasks[].loss.name", "");
      w.row("tasks[].loss.params", "tasks[].loss.params", json::object());
      continue;
    }
    w.row("tasks[]." + item.key(), "tasks[]." + item.key(), item.value());
  }
  w.text += "\n## Presets\n\n`model.preset` takes one of: ";
  const auto presets = encoder_preset_names();
  for (size_t i = 0; i < presets.size(); ++i)
    w.text += fmt::format("{}`{}`", i ? ", " : "", presets[i]);
  w.text +=
      ". Each sets every `model.encoder` key; `model.encoder` overrides any of them. "
      "`sentzoo-train --print-config --set model.preset=NAME` shows one in full.\n";
  w.params_section("Losses (`loss`, `tasks[].loss`)", "loss:", loss_names(), loss_params_schema);
  w.params_section("Loss weightings (`multitask.weighting`)", "weighting:",
                   loss_weighting_names(), weighting_params_schema);
  w.params_section("Gradient combiners (`multitask.combiner`)", "combiner:",
                   gradient_combiner_names(), combiner_params_schema);
  for (const auto& [key, text] : descriptions())
    if (!w.used.count(key))
      throw std::logic_error("train/config_reference.cpp: description of '" + key +
                             "', a key the schema does not have");
  return w.text;
}

}  // namespace sentzoo
