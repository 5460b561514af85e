// Helpers the objectives share (train/objectives/common.h).
#include "train/objectives/common.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/build_info.h"
#include "models/model_folder.h"

namespace sentzoo {

TaskSplits tokenize_task(const ObjectiveContext& context, TokenizeSplit tokenize) {
  const auto& spec = context.spec;
  const int64_t max_length = context.config.tokenizer.max_length;  // e.g. 64
  TaskSplits splits;
  splits.train = std::make_shared<const TokenizedSplit>(
      tokenize(context.train, context.tokenizer, max_length, spec.train));
  splits.dev = std::make_shared<const TokenizedSplit>(
      context.dev ? tokenize(*context.dev, context.tokenizer, max_length, spec.dev)
                  : TokenizedSplit{});
  return splits;
}

Objective objective_with_save(const ObjectiveContext& context,
                              const TaskSplits& splits,
                              std::shared_ptr<torch::nn::Module> module,
                              nlohmann::json info,
                              bool exportable) {
  Objective objective;
  objective.train_lengths = splits.train->lengths;
  objective.has_dev = splits.dev->size() > 0;
  objective.exportable = exportable;
  objective.save = [encoder = context.encoder,
                    module = std::move(module),
                    info = std::move(info),
                    tokenizer_file =
                        context.tokenizer_file](const std::filesystem::path& dir) mutable {
    save_trained_model(dir, *encoder, *module, info, tokenizer_file);
  };
  return objective;
}

EvalSettings eval_settings(const ObjectiveContext& context) {
  const auto& train = context.config.train;
  EvalSettings s;
  s.autocast = train.amp != "off";
  s.amp_dtype = train.amp == "fp16" ? torch::kHalf : torch::kBFloat16;
  s.batch_size = std::max<int64_t>(64, context.config.data.batch_size);
  s.collate.pad_id = std::max<int64_t>(0, context.tokenizer.special().pad);
  s.device = context.device;
  return s;
}

CollateOptions train_collate(const ObjectiveContext& context) {
  CollateOptions options;
  options.pad_id = std::max<int64_t>(0, context.tokenizer.special().pad);
  options.max_length = context.config.tokenizer.max_length;
  return options;
}

Batch to_device(Batch b, const torch::Device& device) {
  if (device.is_cpu()) return b;
  return {b.input_ids.to(device), b.attention_mask.to(device), b.token_type_ids.to(device)};
}

Batch gather_batch(const std::vector<Encoding>& encodings,
                   const std::vector<int64_t>& rows,
                   const CollateOptions& options,
                   const torch::Device& device) {
  return to_device(collate(encodings, rows, options), device);
}

void check_labels(const TaskSpec& spec,
                  int64_t num_classes,
                  const std::vector<double>& labels,
                  const std::string& source,
                  bool training) {
  const std::string what = fmt::format("task '{}' ({})", spec.name, source);
  // Dev labels are only scored (a graded dev set may evaluate a bce model by Spearman), but K-class
  // accuracy needs class ids.
  if (training && spec.loss.name == "bce" &&
      !std::all_of(labels.begin(), labels.end(), [](double y) { return y >= 0.0 && y <= 1.0; })) {
    throw std::invalid_argument(what +
                                ": loss bce needs labels in [0, 1]; scale them with "
                                "?label_scale= or use cross_entropy / cosent_cross");
  }
  if (spec.loss.name == "cross_entropy" || spec.loss.name == "softmax") {
    for (double y : labels) {
      if (y != std::floor(y) || y < 0 || (num_classes > 0 && y >= num_classes)) {
        throw std::invalid_argument(
            fmt::format("{}: loss {} needs integer class labels in [0, {}), found {}",
                        what,
                        spec.loss.name,
                        num_classes,
                        y));
      }
    }
  }
}

namespace {

Loss make_loss_with_dim(const TaskSpec& spec, int64_t embedding_dim) {
  auto params = spec.loss.params;
  if (spec.loss.name == "softmax" && params.is_object() && !params.contains("dim"))
    params["dim"] = embedding_dim;
  return make_loss(spec.loss.name, params);
}

void check_fits(const Loss& loss,
                const TaskSpec& spec,
                bool gives_logits,
                const std::string& objective,
                const std::string& where) {
  if ((loss.input == LossInput::kCrossLogits) == gives_logits) return;
  throw std::invalid_argument(
      fmt::format("{}: loss '{}' takes {}, which the {} objective does not give",
                  where,
                  spec.loss.name,
                  to_string(loss.input),
                  objective));
}

}  // namespace

Loss make_task_loss(const ObjectiveContext& context,
                    int64_t embedding_dim,
                    bool gives_logits,
                    const std::string& objective) {
  const auto& spec = context.spec;
  Loss loss = make_loss_with_dim(spec, embedding_dim);
  check_fits(loss, spec, gives_logits, objective, fmt::format("task '{}'", spec.name));
  if (loss.module) context.run_model.register_module(spec.name + "_loss", loss.module);
  return loss;
}

void validate_task_loss(const TaskSpec& spec,
                        const std::string& where,
                        bool gives_logits,
                        const std::string& objective) {
  if (spec.loss.name == "mlm")
    throw std::invalid_argument(
        fmt::format("{}: loss 'mlm' needs the mlm objective, got '{}'", where, objective));
  // Unknown loss names/parameters and a loss that does not fit the objective are config errors:
  // reported before any data is read (softmax's dim is the model's, unknown here: 8 stands in).
  Loss loss;
  try {
    loss = make_loss_with_dim(spec, 8);
  } catch (const std::exception& e) {
    throw std::invalid_argument(
        fmt::format("{}.loss: {}", where == "objective" ? "loss" : where, e.what()));
  }
  check_fits(loss, spec, gives_logits, objective, where);
}

void register_task_module(torch::nn::Module& run_model,
                          torch::nn::Module& task_module,
                          const TransformerEncoder& encoder,
                          const std::string& task) {
  for (const auto& child : task_module.named_children()) {
    if (child.value().get() != encoder.ptr().get())
      run_model.register_module(fmt::format("{}_{}", task, child.key()), child.value());
  }
}

nlohmann::json base_model_info(const ObjectiveContext& context, const std::string& kind) {
  const std::string& init = context.config.model.init_from;
  return {{"kind", kind},
          {"architecture", context.encoder->config.architecture},
          {"task", context.spec.name},
          {"lowercase", context.config.tokenizer.lowercase},
          {"max_length", context.config.tokenizer.max_length},
          {"sentzoo_version", SENTZOO_VERSION},
          // For reports (issue #15); older folders lack these keys and report "unknown".
          {"init", init.empty() ? std::string("random") : init},
          {"train_data", context.spec.train},
          {"max_steps", context.config.train.max_steps}};
}

std::vector<double> to_vector(const torch::Tensor& t) {
  auto c = t.detach().to(torch::kCPU, torch::kDouble).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

}  // namespace sentzoo
