// TrainRunConfig: validation and strict parsing (train/train_config.h).
#include "train/train_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "core/config.h"
#include "losses/gradient_combiner.h"
#include "losses/loss_weighting.h"
#include "models/encoder_config.h"
#include "train/objectives/objective.h"

namespace sentzoo {

namespace {
void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}
}  // namespace

nlohmann::json resolved_weighting_params(const TrainRunConfig& config) {
  auto params = config.multitask.weighting.params;
  const auto& name = config.multitask.weighting.name;
  const auto tasks = config.resolved_tasks();
  if (name == "fixed" && !params.contains("weights")) {
    std::vector<double> weights;
    for (const auto& t : tasks) weights.push_back(t.weight);
    params["weights"] = weights;
  }
  if (name == "uncertainty" && !params.contains("num_tasks")) params["num_tasks"] = tasks.size();
  return params;
}

std::string default_loss(const std::string& objective) {
  try {
    return objective_kind(objective).default_loss;
  } catch (const std::invalid_argument&) {
    return "";  // validate() reports the unknown objective
  }
}

std::vector<TaskSpec> TrainRunConfig::resolved_tasks() const {
  if (!tasks.empty()) {
    std::vector<TaskSpec> out = tasks;
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i].name.empty()) out[i].name = fmt::format("task{}", i);
      if (out[i].loss.name.empty()) out[i].loss.name = default_loss(out[i].objective);
      if (out[i].num_labels == 0) out[i].num_labels = model.num_labels;
    }
    return out;
  }
  TaskSpec task;
  task.name = objective;
  task.objective = objective;
  task.train = data.train;
  task.dev = data.dev;
  task.loss = loss;
  if (task.loss.name.empty()) task.loss.name = default_loss(objective);
  task.num_labels = model.num_labels;
  return {task};
}

void TrainRunConfig::validate() const {
  const auto all = resolved_tasks();
  std::set<std::string> names;
  for (size_t i = 0; i < all.size(); ++i) {
    const auto& t = all[i];
    const std::string where =
        tasks.empty() ? std::string("objective") : fmt::format("tasks[{}]", i);
    const ObjectiveKind* kind = nullptr;
    try {
      kind = &objective_kind(t.objective);
    } catch (const std::invalid_argument& e) {
      require(false, fmt::format("{}: {}", where, e.what()));
    }
    require(!t.train.empty(),
            fmt::format("{}: no training data (data.train / tasks[].train)", where));
    require(names.insert(t.name).second,
            fmt::format("{}: duplicate task name '{}'", where, t.name));
    require(t.weight > 0, fmt::format("{}.weight must be > 0", where));
    require(t.num_labels >= 1, fmt::format("{}.num_labels must be >= 1", where));
    require(t.sampling_weight >= 0, fmt::format("{}.sampling_weight must be >= 0", where));
    // The objective checks its loss and its number of labels (train/objectives/).
    try {
      kind->validate(t, where);
    } catch (const std::invalid_argument& e) {
      require(false, e.what());
    }
  }
  require(all.size() <= kMaxTasks,
          fmt::format("tasks: {} tasks; at most {} are supported", all.size(), kMaxTasks));
  require(model.head_dropout >= 0 && model.head_dropout < 1,
          fmt::format("model.head_dropout must be in [0, 1), found {}", model.head_dropout));
  require(tokenizer.max_length >= 4, "tokenizer.max_length must be >= 4");
  require(tokenizer.max_length <= 1 << 20, "tokenizer.max_length must be <= 1048576");
  require(data.batch_size >= 1, "data.batch_size must be >= 1");
  require(data.bucket_batches >= 0, "data.bucket_batches must be >= 0");
  int64_t window = 0;
  require(!__builtin_mul_overflow(data.bucket_batches, data.batch_size, &window) &&
              !__builtin_mul_overflow(data.batch_size, train.grad_accum, &window),
          fmt::format("data.bucket_batches ({}) x data.batch_size ({}) x train.grad_accum ({}) "
                      "overflows",
                      data.bucket_batches, data.batch_size, train.grad_accum));
  require(data.max_examples >= 0, "data.max_examples must be >= 0");
  require(!data.pack_texts || std::any_of(all.begin(), all.end(),
                                          [](const TaskSpec& t) { return t.objective == "mlm"; }),
          "data.pack_texts packs the texts of mlm tasks, but no task has the mlm objective");
  require(train.max_steps >= 1, "train.max_steps must be >= 1");
  require(train.checkpoint_every >= 0 && train.eval_every >= 0 && train.log_every >= 0,
          "train.checkpoint_every, eval_every and log_every must be >= 0");
  require(train.keep_checkpoints >= 1, "train.keep_checkpoints must be >= 1");
  require(train.grad_accum >= 1, "train.grad_accum must be >= 1");
  require(train.grad_clip >= 0, "train.grad_clip must be >= 0");
  require(train.warmup_steps >= 0, "train.warmup_steps must be >= 0");
  require(train.residual_ramp_steps >= 0, "train.residual_ramp_steps must be >= 0");
  require(train.layer_stats_every >= 0, "train.layer_stats_every must be >= 0");
  require(train.early_stop_patience >= 0, "train.early_stop_patience must be >= 0");
  require(train.min_lr_ratio >= 0 && train.min_lr_ratio <= 1,
          "train.min_lr_ratio must be in [0, 1]");
  require(train.schedule == "constant" || train.schedule == "linear" || train.schedule == "cosine",
          fmt::format("train.schedule: unknown '{}' (expected one of: constant, linear, cosine)",
                      train.schedule));
  require(multitask.sampling == "proportional" || multitask.sampling == "temperature" ||
              multitask.sampling == "round_robin",
          fmt::format("multitask.sampling: unknown '{}' (expected one of: proportional, "
                      "temperature, round_robin)",
                      multitask.sampling));
  require(multitask.temperature > 0, "multitask.temperature must be > 0");
  require(train.amp == "off" || train.amp == "bf16" || train.amp == "fp16",
          fmt::format("train.amp: unknown '{}' (expected one of: off, bf16, fp16)", train.amp));
  require(train.device == "cpu" || train.device == "cuda",
          fmt::format("train.device: unknown '{}' (expected one of: cpu, cuda)", train.device));
  require(!(train.amp == "fp16" && train.device == "cpu"),
          "train.amp: fp16 needs device cuda (LibTorch has no fp16 CPU kernels); use bf16 on CPU");
  require(model.num_labels >= 1, "model.num_labels must be >= 1");
  require(model.head_input == "cls" || model.head_input == "pooler",
          "model.head_input: expected cls or pooler");
  require(multitask.tasks_per_step == "sample" || multitask.tasks_per_step == "all",
          "multitask.tasks_per_step: expected sample or all");
  require(multitask.combiner.name == "sum" || multitask.tasks_per_step == "all",
          "multitask.combiner other than 'sum' needs multitask.tasks_per_step = \"all\"");
  require(multitask.combiner.name == "sum" || multitask.weighting.name == "fixed",
          "multitask: a gradient combiner works on the raw task losses; use weighting 'fixed'");
  try {
    make_loss_weighting(multitask.weighting.name, resolved_weighting_params(*this));
  } catch (const std::exception& e) {
    require(false, fmt::format("multitask.weighting: {}", e.what()));
  }
  try {
    make_gradient_combiner(multitask.combiner.name, multitask.combiner.params);
  } catch (const std::exception& e) {
    require(false, fmt::format("multitask.combiner: {}", e.what()));
  }
  optim.validate();
  model.pooling.validate();
  // The encoder a run from a preset builds, checked now (a usage error, before any data is
  // read); vocab_size follows the tokenizer at run time, the preset's stands in here.
  if (model.init_from.empty()) {
    nlohmann::json encoder;
    try {
      encoder = encoder_preset(model.preset);
    } catch (const std::invalid_argument& e) {
      require(false, fmt::format("model.preset: {}", e.what()));
    }
    encoder.merge_patch(model.encoder);
    (void)parse_config<EncoderConfig>(encoder, "model.encoder");
  }
}

TrainRunConfig parse_train_config(const nlohmann::json& j, const std::string& source, bool validate) {
  // Arrays are not covered by the generic key check: check each task object too.
  if (j.is_object() && j.contains("tasks") && j["tasks"].is_array()) {
    const nlohmann::json known = TaskSpec{};
    for (size_t i = 0; i < j["tasks"].size(); ++i) {
      try {
        detail::check_known_keys(j["tasks"][i], known, fmt::format("tasks[{}]", i));
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(fmt::format("{}: {}", source, e.what()));
      }
    }
  }
  return parse_config<TrainRunConfig>(j, source, validate);
}

}  // namespace sentzoo
