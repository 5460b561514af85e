// Building a run (train/run_setup.h): device, tokenizer, the shared encoder, one Objective and
// batcher per task.
#include "train/run_setup.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/config.h"
#include "data/dataset_spec.h"
#include "data/tokenized_split.h"
#include "models/hf_weights.h"

namespace sentzoo {

namespace {
// A dev set that cannot be scored would end the run without a best model ("best nan"), after all
// the training time: refuse it before any step. Pairs need two and two distinct labels (a
// correlation and a threshold need variation); texts need one.
void check_dev_scorable(const Dataset& dev, const TaskSpec& spec) {
  const std::string where = fmt::format("task '{}': dev set {}", spec.name, dev.report.path);
  if (dev.kind == DatasetKind::kTexts) {
    if (dev.texts.empty())
      throw std::invalid_argument(where + ": expected at least 1 text, found none");
    return;
  }
  if (dev.kind != DatasetKind::kPairs) return;
  if (dev.pairs.size() < 2)
    throw std::invalid_argument(
        fmt::format("{}: expected at least 2 labelled pairs to score, found {}", where,
                    dev.pairs.size()));
  const double first = dev.pairs.front().label;
  if (std::all_of(dev.pairs.begin(), dev.pairs.end(),
                  [&](const PairExample& p) { return p.label == first; }))
    throw std::invalid_argument(fmt::format(
        "{}: expected at least two different labels to score, found {} pairs all labelled {}",
        where, dev.pairs.size(), first));
}

std::filesystem::path tokenizer_file_of(const std::string& spec) {
  const std::filesystem::path path = resolve_data_path(spec);
  if (!std::filesystem::is_directory(path)) return path;
  if (const auto file = find_tokenizer_file(path)) return *file;
  throw std::invalid_argument(
      fmt::format("{}: expected tokenizer.json, vocab.txt or a SentencePiece .model, found none",
                  path.string()));
}

TransformerEncoder build_encoder(const TrainRunConfig& config,
                                 const Tokenizer& tokenizer,
                                 bool with_mlm_head) {
  torch::manual_seed(config.train.seed);  // the initialisation is part of the seeded run
  TransformerEncoder encoder{nullptr};
  if (!config.model.init_from.empty()) {
    encoder = load_hf_encoder(expand_home(config.model.init_from), with_mlm_head,
                              config.model.encoder);
  } else {
    nlohmann::json ec = encoder_preset(config.model.preset);
    if (!config.model.encoder.contains("vocab_size")) ec["vocab_size"] = tokenizer.vocab_size();
    ec.merge_patch(config.model.encoder);
    if (with_mlm_head) ec["with_mlm_head"] = true;
    encoder = make_encoder(parse_config<EncoderConfig>(ec, "model.encoder"), /*init=*/true);
  }
  const auto& c = encoder->config;
  if (c.vocab_size < tokenizer.vocab_size()) {
    throw std::invalid_argument(
        fmt::format("model vocab_size {} is smaller than the tokenizer's {} ({})",
                    c.vocab_size,
                    tokenizer.vocab_size(),
                    config.tokenizer.vocab));
  }
  if (!c.rotary() && config.tokenizer.max_length > c.max_position_embeddings) {
    throw std::invalid_argument(
        fmt::format("tokenizer.max_length {} exceeds the model's max_position_embeddings {}",
                    config.tokenizer.max_length,
                    c.max_position_embeddings));
  }
  return encoder;
}

// "init_from DIR: loaded the encoder (N tensors, M parameters); initialised fresh: ..." or the
// preset and seed of a run from scratch: the first thing to check when fine-tuning goes wrong.
std::string describe_initialisation(const TrainRunConfig& config, RunModelImpl& model) {
  int64_t encoder_tensors = 0, encoder_values = 0, fresh_values = 0;
  std::vector<std::string> fresh;
  for (const auto& item : model.named_parameters()) {
    if (item.key().starts_with("encoder.")) {
      ++encoder_tensors;
      encoder_values += item.value().numel();
    } else {
      fresh.push_back(fmt::format("{} ({})", item.key(), fmt::join(item.value().sizes(), "x")));
      fresh_values += item.value().numel();
    }
  }
  const auto& c = model.encoder->config;
  const std::string shape = fmt::format("{}, {} layers, hidden {}", to_string(c.architecture),
                                        c.num_layers, c.hidden_size);
  if (config.model.init_from.empty())
    return fmt::format("initialised from scratch: preset {} ({}; {} parameters), seed {}",
                       config.model.preset, shape, encoder_values + fresh_values,
                       config.train.seed);
  std::string line = fmt::format(
      "init_from {}: loaded the encoder ({}; {} tensors, {} parameters{}{}); ", config.model.init_from,
      shape, encoder_tensors, encoder_values, c.with_pooler ? ", pooler included" : "",
      c.with_mlm_head ? ", MLM head included" : "");
  line += fresh.empty() ? "nothing initialised fresh"
                        : fmt::format("initialised fresh (seed {}): {} ({} parameters)",
                                      config.train.seed, fmt::join(fresh, ", "), fresh_values);
  return line;
}

}  // namespace

RunSetup build_run(const TrainRunConfig& config) {
  RunSetup run;
  if (config.train.device == "cuda" && !torch::cuda::is_available()) {
    throw std::invalid_argument(
        "train.device: cuda is not available (this LibTorch has no CUDA, or no GPU is visible); "
        "use device cpu (with amp bf16 or off)");
  }
  run.device =
      config.train.device == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  const auto specs = config.resolved_tasks();
  TokenizerOptions tok_options;
  tok_options.lowercase = config.tokenizer.lowercase;
  run.tokenizer = load_tokenizer(resolve_data_path(config.tokenizer.vocab), tok_options);
  run.tokenizer_file = tokenizer_file_of(config.tokenizer.vocab);

  const bool with_mlm_head = std::any_of(specs.begin(), specs.end(), [](const TaskSpec& t) {
    return objective_kind(t.objective).needs_mlm_head;
  });
  run.model = RunModel();
  run.model->encoder = build_encoder(config, *run.tokenizer, with_mlm_head);
  run.model->register_module("encoder", run.model->encoder);

  for (size_t i = 0; i < specs.size(); ++i) {
    Task task;
    task.spec = specs[i];
    // Data first: bad data fails before any model work.
    const Dataset train = read_split(task.spec.train, config.data.max_examples);
    task.train_report = train.report;
    Dataset dev;
    if (!task.spec.dev.empty()) {
      dev = read_split(task.spec.dev, 0);
      task.dev_report = dev.report;
      check_dev_scorable(dev, task.spec);
    }
    const ObjectiveContext context{task.spec,
                                   config,
                                   *run.tokenizer,
                                   run.tokenizer_file,
                                   run.model->encoder,
                                   *run.model,
                                   run.device,
                                   train,
                                   task.spec.dev.empty() ? nullptr : &dev};
    task.objective = objective_kind(task.spec.objective).build(context);
    BatcherOptions options;
    options.batch_size = config.data.batch_size;
    options.seed = config.train.seed + 7919 * (i + 1);
    options.bucket_batches = config.data.bucket_batches;
    task.batcher = std::make_unique<Batcher>(task.objective.train_lengths, options);
    run.tasks.push_back(std::move(task));
  }
  run.init_report = describe_initialisation(config, *run.model);
  run.model->to(run.device);
  return run;
}

}  // namespace sentzoo
