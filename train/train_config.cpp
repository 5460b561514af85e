// TrainRunConfig: validation and strict parsing (train/train_config.h).
#include "train/train_config.h"

#include <fmt/format.h>

#include <set>
#include <stdexcept>

#include "core/config.h"

namespace sentzoo {

namespace {
const std::set<std::string> kObjectives = {"dual", "cross", "mlm"};

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument("TrainRunConfig: " + message);
}
}  // namespace

std::string default_loss(const std::string& objective) {
  if (objective == "dual") return "cosent";
  if (objective == "cross") return "bce";
  return "mlm";
}

std::vector<TaskSpec> TrainRunConfig::resolved_tasks() const {
  if (!tasks.empty()) {
    std::vector<TaskSpec> out = tasks;
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i].name.empty()) out[i].name = fmt::format("task{}", i);
      if (out[i].loss.name.empty()) out[i].loss.name = default_loss(out[i].objective);
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
  return {task};
}

void TrainRunConfig::validate() const {
  const auto all = resolved_tasks();
  std::set<std::string> names;
  for (size_t i = 0; i < all.size(); ++i) {
    const auto& t = all[i];
    const std::string where =
        tasks.empty() ? std::string("objective") : fmt::format("tasks[{}]", i);
    require(
        kObjectives.count(t.objective),
        fmt::format(
            "{}: unknown objective '{}' (expected one of: dual, cross, mlm)", where, t.objective));
    require(!t.train.empty(),
            fmt::format("{}: no training data (data.train / tasks[].train)", where));
    require(names.insert(t.name).second,
            fmt::format("{}: duplicate task name '{}'", where, t.name));
    require(t.weight > 0, fmt::format("{}.weight must be > 0", where));
    require(t.objective != "mlm" || t.loss.name == "mlm",
            fmt::format("{}: the mlm objective takes loss 'mlm', got '{}'", where, t.loss.name));
  }
  require(tokenizer.max_length >= 4, "tokenizer.max_length must be >= 4");
  require(data.batch_size >= 1, "data.batch_size must be >= 1");
  require(data.bucket_batches >= 0, "data.bucket_batches must be >= 0");
  require(train.max_steps >= 1, "train.max_steps must be >= 1");
  require(train.checkpoint_every >= 0 && train.eval_every >= 0 && train.log_every >= 0,
          "train.checkpoint_every, eval_every and log_every must be >= 0");
  require(train.keep_checkpoints >= 1, "train.keep_checkpoints must be >= 1");
  require(train.grad_accum >= 1, "train.grad_accum must be >= 1");
  require(train.grad_clip >= 0, "train.grad_clip must be >= 0");
  require(train.warmup_steps >= 0, "train.warmup_steps must be >= 0");
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
  optim.validate();
  model.pooling.validate();
}

TrainRunConfig parse_train_config(const nlohmann::json& j, const std::string& source) {
  // Arrays are not covered by the generic key check: check each task object too.
  if (j.is_object() && j.contains("tasks") && j["tasks"].is_array()) {
    const nlohmann::json known = TaskSpec{};
    for (size_t i = 0; i < j["tasks"].size(); ++i) {
      detail::check_known_keys(j["tasks"][i], known, fmt::format("{}.tasks[{}]", source, i));
    }
  }
  return parse_config<TrainRunConfig>(j, source);
}

}  // namespace sentzoo
