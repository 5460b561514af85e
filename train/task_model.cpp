// Building a run's tasks and computing their losses and dev metrics (train/task_model.h).
#include "train/task_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "core/compat.h"
#include "core/config.h"
#include "data/dataset_spec.h"
#include "eval/threshold.h"
#include "models/hf_weights.h"
#include "train/mlm_masking.h"

namespace sentzoo {

namespace {

// ---- data ------------------------------------------------------------------------------------

Dataset read_split(const std::string& spec_text, int64_t max_examples) {
  Dataset data = read_dataset(parse_dataset_spec(spec_text));
  if (max_examples > 0) {
    const auto n = static_cast<size_t>(max_examples);
    if (data.pairs.size() > n) data.pairs.resize(n);
    if (data.triplets.size() > n) data.triplets.resize(n);
    if (data.texts.size() > n) data.texts.resize(n);
  }
  return data;
}

TokenizedSplit tokenize_split(const Dataset& data,
                              const std::string& objective,
                              const Tokenizer& tok,
                              int64_t max_length,
                              const std::string& source) {
  TokenizedSplit out;
  auto add_length = [&]() {
    const size_t i = out.a.size() - 1;
    int64_t n = static_cast<int64_t>(out.a[i].ids.size());
    if (i < out.b.size()) n = std::max<int64_t>(n, out.b[i].ids.size());
    out.lengths.push_back(n);
  };
  if (objective == "mlm") {
    auto add_text = [&](const std::string& text) {
      out.a.push_back(tok.encode(text, max_length));
      out.labels.push_back(0);
      add_length();
    };
    for (const auto& t : data.texts) add_text(t.text);
    for (const auto& p : data.pairs) {
      add_text(p.text1);
      add_text(p.text2);
    }
    for (const auto& t : data.triplets) add_text(t.query);
  } else if (data.kind == DatasetKind::kTriplets) {
    if (objective != "dual") {
      throw std::invalid_argument(source +
                                  ": triplet data (query/pos/neg) needs the dual objective");
    }
    out.triplets = true;
    for (const auto& t : data.triplets) {
      out.a.push_back(tok.encode(t.query, max_length));
      out.b.push_back(tok.encode(t.positive, max_length));
      if (!t.negative.empty()) out.c.push_back(tok.encode(t.negative, max_length));
      out.labels.push_back(1);
      add_length();
    }
    if (!out.c.empty() && out.c.size() != out.a.size()) {
      throw std::invalid_argument(source + ": either every triplet has a 'neg' or none has");
    }
  } else if (data.kind == DatasetKind::kPairs) {
    for (const auto& p : data.pairs) {
      if (objective == "cross") {
        out.a.push_back(tok.encode_pair(p.text1, p.text2, max_length));
      } else {
        out.a.push_back(tok.encode(p.text1, max_length));
        out.b.push_back(tok.encode(p.text2, max_length));
      }
      out.labels.push_back(p.label);
      add_length();
    }
  } else {
    throw std::invalid_argument(source + ": plain texts can only train the mlm objective");
  }
  if (out.size() == 0) throw std::invalid_argument(source + ": no examples");
  return out;
}

bool all_binary(const std::vector<double>& labels) {
  return std::all_of(labels.begin(), labels.end(), [](double y) { return y == 0.0 || y == 1.0; });
}

void check_labels(const Task& task,
                  const std::vector<double>& labels,
                  const std::string& source,
                  bool training) {
  const std::string what = fmt::format("task '{}' ({})", task.spec.name, source);
  // Dev labels are only scored (a graded dev set may evaluate a bce model by Spearman), but K-class
  // accuracy needs class ids.
  if (training && task.spec.loss.name == "bce" &&
      !std::all_of(labels.begin(), labels.end(), [](double y) { return y >= 0.0 && y <= 1.0; })) {
    throw std::invalid_argument(what +
                                ": loss bce needs labels in [0, 1]; scale them with "
                                "?label_scale= or use cross_entropy / cosent_cross");
  }
  if (task.spec.loss.name == "cross_entropy" || task.spec.loss.name == "softmax") {
    const int64_t k = task.spec.objective == "cross" ? task.spec.num_labels
                                                     : task.spec.loss.params.value("num_labels", 0);
    for (double y : labels) {
      if (y != std::floor(y) || y < 0 || (k > 0 && y >= k)) {
        throw std::invalid_argument(
            fmt::format("{}: loss {} needs integer class labels in [0, {}), found {}",
                        what,
                        task.spec.loss.name,
                        k,
                        y));
      }
    }
  }
}

// ---- tensors ---------------------------------------------------------------------------------

Batch to_device(Batch b, const torch::Device& device) {
  if (device.is_cpu()) return b;
  return {b.input_ids.to(device), b.attention_mask.to(device), b.token_type_ids.to(device)};
}

Batch gather(const RunSetup& run,
             const std::vector<Encoding>& encodings,
             const std::vector<int64_t>& rows,
             int64_t max_length) {
  CollateOptions options;
  options.pad_id = std::max<int64_t>(0, run.tokenizer->special().pad);
  options.max_length = max_length;
  return to_device(collate(encodings, rows, options), run.device);
}

// Rows of [0, n) in batches of similar length (less padding), for evaluation.
std::vector<std::vector<int64_t>> eval_batches(const std::vector<int64_t>& lengths,
                                               int64_t batch_size) {
  std::vector<int64_t> order(lengths.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(
      order.begin(), order.end(), [&](int64_t x, int64_t y) { return lengths[x] < lengths[y]; });
  std::vector<std::vector<int64_t>> batches;
  for (size_t i = 0; i < order.size(); i += batch_size) {
    batches.emplace_back(order.begin() + i, order.begin() + std::min(order.size(), i + batch_size));
  }
  return batches;
}

std::vector<double> to_vector(const torch::Tensor& t) {
  auto c = t.detach().to(torch::kCPU, torch::kDouble).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

torch::Tensor mlm_loss(RunSetup& run, const Batch& batch, uint64_t seed) {
  const auto& special = run.tokenizer->special();
  std::vector<int64_t> specials;
  for (int64_t id : {special.cls, special.sep, special.pad, special.mask, special.unk}) {
    if (id >= 0) specials.push_back(id);
  }
  auto generator = at::detail::createCPUGenerator(seed);
  auto masked = mask_tokens(batch.input_ids.cpu(),
                            batch.attention_mask.cpu(),
                            specials,
                            special.mask,
                            run.encoder_config.vocab_size,
                            MlmMaskingConfig{},
                            generator);
  auto ids = masked.input_ids.to(run.device);
  auto labels = masked.labels.to(run.device);
  auto out = run.model->encoder->forward(ids, batch.attention_mask, batch.token_type_ids);
  auto logits = run.model->encoder->mlm_logits(out.last_hidden).to(torch::kFloat);
  if (labels.ne(kIgnoreIndex).sum().item<int64_t>() == 0)
    return logits.sum() * 0.0;  // nothing masked
  return torch::nn::functional::cross_entropy(
      logits.view({-1, logits.size(-1)}),
      labels.view({-1}),
      torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnoreIndex));
}

}  // namespace

// ---- building --------------------------------------------------------------------------------

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

  const bool any_mlm = std::any_of(
      specs.begin(), specs.end(), [](const TaskSpec& t) { return t.objective == "mlm"; });
  run.model = RunModel();
  torch::manual_seed(config.train.seed);  // the initialisation is part of the seeded run
  if (!config.model.init_from.empty()) {
    run.model->encoder = load_hf_encoder(config.model.init_from, any_mlm);
    run.encoder_config = run.model->encoder->config;
  } else {
    nlohmann::json ec = encoder_preset(config.model.preset);
    if (!config.model.encoder.contains("vocab_size"))
      ec["vocab_size"] = run.tokenizer->vocab_size();
    ec.merge_patch(config.model.encoder);
    if (any_mlm) ec["with_mlm_head"] = true;
    run.encoder_config = parse_config<EncoderConfig>(ec, "model.encoder");
    run.model->encoder = make_encoder(run.encoder_config, /*init=*/true);
  }
  if (run.encoder_config.vocab_size < run.tokenizer->vocab_size()) {
    throw std::invalid_argument(
        fmt::format("model vocab_size {} is smaller than the tokenizer's {} ({})",
                    run.encoder_config.vocab_size,
                    run.tokenizer->vocab_size(),
                    config.tokenizer.vocab));
  }
  if (!run.encoder_config.rotary() &&
      config.tokenizer.max_length > run.encoder_config.max_position_embeddings) {
    throw std::invalid_argument(
        fmt::format("tokenizer.max_length {} exceeds the model's max_position_embeddings {}",
                    config.tokenizer.max_length,
                    run.encoder_config.max_position_embeddings));
  }
  run.model->register_module("encoder", run.model->encoder);

  for (size_t i = 0; i < specs.size(); ++i) {
    Task task;
    task.spec = specs[i];
    const auto& name = task.spec.name;
    // Data first: bad data fails before any model work.
    const Dataset train = read_split(task.spec.train, config.data.max_examples);
    task.train_report = train.report;
    task.train = tokenize_split(
        train, task.spec.objective, *run.tokenizer, config.tokenizer.max_length, task.spec.train);
    if (!task.spec.dev.empty()) {
      const Dataset dev = read_split(task.spec.dev, 0);
      task.dev_report = dev.report;
      task.dev = tokenize_split(
          dev, task.spec.objective, *run.tokenizer, config.tokenizer.max_length, task.spec.dev);
    }
    check_labels(task, task.train.labels, task.spec.train, /*training=*/true);
    if (task.has_dev()) check_labels(task, task.dev.labels, task.spec.dev, /*training=*/false);

    std::shared_ptr<torch::nn::Module> task_module;
    int64_t embedding_dim = run.encoder_config.hidden_size;
    if (task.spec.objective == "dual") {
      DualEncoderConfig dc;
      dc.encoder = run.encoder_config;
      dc.pooling = config.model.pooling;
      dc.shared = config.model.shared_towers;
      task.dual = DualEncoder(dc);
      task.dual->tower = task.dual->replace_module("tower", run.model->encoder);
      task_module = task.dual.ptr();
      if (dc.pooling.dense_dim > 0) embedding_dim = dc.pooling.dense_dim;
    } else if (task.spec.objective == "cross") {
      CrossEncoderConfig cc;
      cc.encoder = run.encoder_config;
      cc.num_labels = task.spec.num_labels;
      cc.head_input = config.model.head_input;
      cc.zero_segments = config.model.zero_segments;
      cc.dropout = config.model.head_dropout;
      task.cross = CrossEncoder(cc);
      task.cross->encoder = task.cross->replace_module("encoder", run.model->encoder);
      task_module = task.cross.ptr();
    }
    if (task_module) {
      for (const auto& child : task_module->named_children()) {
        const bool shared = child.value().get() == run.model->encoder.ptr().get();
        if (!shared)
          run.model->register_module(fmt::format("{}_{}", name, child.key()), child.value());
      }
    }
    if (task.spec.objective != "mlm") {
      auto params = task.spec.loss.params;
      if (task.spec.loss.name == "softmax" && !params.contains("dim"))
        params["dim"] = embedding_dim;
      task.loss = make_loss(task.spec.loss.name, params);
      const bool cross_loss = task.loss.input == LossInput::kCrossLogits;
      if (cross_loss != (task.spec.objective == "cross")) {
        throw std::invalid_argument(
            fmt::format("task '{}': loss '{}' takes {}, which the {} objective does not give",
                        name,
                        task.loss.name,
                        to_string(task.loss.input),
                        task.spec.objective));
      }
      if (task.loss.input == LossInput::kPairEmbeddings && task.train.triplets) {
        throw std::invalid_argument(
            fmt::format("task '{}' ({}): loss '{}' needs labelled pairs, but triplet data has no "
                        "labels; use mnrl, mnrl_symmetric or triplet",
                        name,
                        task.spec.train,
                        task.loss.name));
      }
      if (task.loss.name == "triplet" && task.train.c.empty()) {
        throw std::invalid_argument(fmt::format(
            "task '{}' ({}): loss 'triplet' needs one hard negative per example: jsonl triplet "
            "data with query/pos/neg",
            name,
            task.spec.train));
      }
      if (task.loss.module) run.model->register_module(name + "_loss", task.loss.module);
    }
    BatcherOptions options;
    options.batch_size = config.data.batch_size;
    options.seed = config.train.seed + 7919 * (i + 1);
    options.bucket_batches = config.data.bucket_batches;
    task.batcher = std::make_unique<Batcher>(task.train.lengths, options);
    run.tasks.push_back(std::move(task));
  }
  run.model->to(run.device);
  return run;
}

// ---- losses ----------------------------------------------------------------------------------

torch::Tensor task_loss(RunSetup& run,
                        Task& task,
                        const TrainRunConfig& config,
                        const std::vector<int64_t>& rows,
                        uint64_t masking_seed) {
  const int64_t max_len = config.tokenizer.max_length;
  const auto& d = task.train;
  if (task.spec.objective == "mlm")
    return mlm_loss(run, gather(run, d.a, rows, max_len), masking_seed);
  LossBatch lb;
  lb.labels = collate_labels(d.labels, rows).to(run.device);
  if (task.spec.objective == "dual") {
    auto side = [&](const std::vector<Encoding>& enc, int tower) {
      const Batch b = gather(run, enc, rows, max_len);
      return task.dual->forward(b.input_ids, b.attention_mask, b.token_type_ids, tower);
    };
    lb.a = side(d.a, 0);
    lb.b = side(d.b, 1);
    if (!d.c.empty()) lb.negatives.push_back(side(d.c, 1));
  } else {
    const Batch b = gather(run, d.a, rows, max_len);
    lb.logits = task.cross->forward(b.input_ids, b.attention_mask, b.token_type_ids);
  }
  return task.loss(lb);
}

// ---- evaluation ------------------------------------------------------------------------------

torch::Tensor encode_texts(RunSetup& run,
                           Task& task,
                           const std::vector<Encoding>& texts,
                           int64_t batch_size,
                           bool autocast,
                           torch::ScalarType amp_dtype,
                           int tower) {
  TORCH_CHECK(task.dual, "encode_texts: task '", task.spec.name, "' is not a dual encoder");
  torch::NoGradGuard no_grad;
  std::vector<int64_t> lengths;
  for (const auto& e : texts) lengths.push_back(static_cast<int64_t>(e.ids.size()));
  torch::Tensor out;
  for (const auto& rows : eval_batches(lengths, batch_size)) {
    const Batch b = gather(run, texts, rows, 0);
    torch::Tensor v;
    {
      compat::AutocastGuard amp(autocast, run.device.type(), amp_dtype);
      v = task.dual->forward(b.input_ids, b.attention_mask, b.token_type_ids, tower)
              .to(torch::kFloat);
    }
    if (!out.defined())
      out = torch::empty({static_cast<int64_t>(texts.size()), v.size(1)}, v.options());
    out.index_copy_(0, torch::tensor(rows, torch::kLong).to(v.device()), v);
  }
  return out;
}

Metrics evaluate_task(RunSetup& run, Task& task, const TrainRunConfig& config) {
  TORCH_CHECK(task.has_dev(), "evaluate_task: task '", task.spec.name, "' has no dev set");
  const bool was_training = run.model->is_training();
  run.model->eval();
  torch::NoGradGuard no_grad;
  const bool autocast = config.train.amp != "off";
  const auto amp_dtype = config.train.amp == "fp16" ? torch::kHalf : torch::kBFloat16;
  const int64_t batch_size = std::max<int64_t>(64, config.data.batch_size);
  const auto& dev = task.dev;
  Metrics metrics;

  if (task.spec.objective == "mlm") {
    double total = 0;
    int64_t batches = 0;
    for (const auto& rows : eval_batches(dev.lengths, batch_size)) {
      compat::AutocastGuard amp(autocast, run.device.type(), amp_dtype);
      total +=
          mlm_loss(run, gather(run, dev.a, rows, 0), config.train.seed + batches).item<double>();
      ++batches;
    }
    metrics.values["mlm_loss"] = total / std::max<int64_t>(1, batches);
    metrics.primary = "mlm_loss";
    metrics.greater_is_better = false;
  } else {
    torch::Tensor scores;  // (N) or (N, K)
    if (task.spec.objective == "dual" && dev.triplets) {
      // Triplet data has no graded labels: with negatives, the share of queries closer to their
      // positive than to their negative; without, top-1 retrieval of the positive among all.
      namespace F = torch::nn::functional;
      auto u = F::normalize(encode_texts(run, task, dev.a, batch_size, autocast, amp_dtype),
                            F::NormalizeFuncOptions().dim(1));
      auto v = F::normalize(encode_texts(run, task, dev.b, batch_size, autocast, amp_dtype, 1),
                            F::NormalizeFuncOptions().dim(1));
      if (!dev.c.empty()) {
        auto w = F::normalize(encode_texts(run, task, dev.c, batch_size, autocast, amp_dtype, 1),
                              F::NormalizeFuncOptions().dim(1));
        metrics.primary = "triplet_accuracy";
        metrics.values["triplet_accuracy"] =
            ((u * v).sum(1) > (u * w).sum(1)).to(torch::kDouble).mean().item<double>();
      } else {
        const auto hits =
            u.matmul(v.t()).argmax(1).eq(torch::arange(u.size(0), torch::kLong).to(u.device()));
        metrics.primary = "retrieval_accuracy";
        metrics.values["retrieval_accuracy"] = hits.to(torch::kDouble).mean().item<double>();
      }
      if (was_training) run.model->train();
      return metrics;
    }
    if (task.spec.objective == "dual") {
      auto u = encode_texts(run, task, dev.a, batch_size, autocast, amp_dtype);
      auto v = encode_texts(run, task, dev.b, batch_size, autocast, amp_dtype, 1);
      scores = torch::nn::functional::cosine_similarity(
          u, v, torch::nn::functional::CosineSimilarityFuncOptions().dim(1));
    } else {
      for (const auto& rows : eval_batches(dev.lengths, batch_size)) {
        const Batch b = gather(run, dev.a, rows, 0);
        torch::Tensor logits;
        {
          compat::AutocastGuard amp(autocast, run.device.type(), amp_dtype);
          logits = task.cross->forward(b.input_ids, b.attention_mask, b.token_type_ids)
                       .to(torch::kFloat);
        }
        if (!scores.defined()) {
          auto shape = logits.sizes().vec();
          shape[0] = static_cast<int64_t>(dev.size());
          scores = torch::empty(shape, logits.options());
        }
        scores.index_copy_(0, torch::tensor(rows, torch::kLong).to(logits.device()), logits);
      }
    }
    if (scores.dim() == 2) {  // K classes: accuracy, with per-class offsets tuned on dev itself
      ScoredClasses set;
      auto s = scores.to(torch::kCPU, torch::kDouble).contiguous();
      for (int64_t n = 0; n < s.size(0); ++n) set.scores.push_back(to_vector(s[n]));
      for (double y : dev.labels) set.labels.push_back(static_cast<int>(y));
      metrics = evaluate_classes(set, std::nullopt, ClassScaling::kAdditive);
    } else {
      const auto s = to_vector(scores);
      if (all_binary(dev.labels)) {
        ScoredSet set{s, {}};
        for (double y : dev.labels) set.labels.push_back(static_cast<int>(y));
        metrics = evaluate_binary(set, std::nullopt);
      } else {
        metrics.primary = "spearman";
      }
      metrics.values["spearman"] = spearman(s, dev.labels);
      metrics.values["pearson"] = pearson(s, dev.labels);
    }
  }
  if (was_training) run.model->train();
  return metrics;
}

}  // namespace sentzoo
