// PairModel (eval/pair_model.h): one interface over TorchScript exports and training folders.

#include "eval/pair_model.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>

#include "core/compat.h"
#include "io/atomic_file.h"
#include "models/export.h"
#include "models/model_folder.h"

namespace sentzoo {

namespace fs = std::filesystem;

namespace {

TokenizerOptions tokenizer_options(const nlohmann::json& meta) {
  TokenizerOptions o;
  o.lowercase = meta.value("lowercase", true);
  return o;
}

// load_tokenizer reads files: the bytes from the archive go through a private temporary file.
std::shared_ptr<Tokenizer> tokenizer_from_bytes(const std::string& bytes,
                                                const std::string& ext,
                                                const nlohmann::json& meta) {
  static std::atomic<int> counter{0};
  const fs::path tmp =
      fs::temp_directory_path() / fmt::format("sentzoo-tok-{}-{}{}", ::getpid(), counter++, ext);
  write_file_checked(tmp, bytes);
  try {
    std::shared_ptr<Tokenizer> t = load_tokenizer(tmp, tokenizer_options(meta));
    fs::remove(tmp);
    return t;
  } catch (...) {
    fs::remove(tmp);
    throw;
  }
}

// A word for a shell command line: as is when plain, else in single quotes.
std::string shell_word(const std::string& s) {
  const bool plain = !s.empty() && s.find_first_not_of(
                                       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR"
                                       "STUVWXYZ0123456789_./-+=:,@") == std::string::npos;
  if (plain) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// sentzoo-eval reads sentzoo models only; a sentence-transformers or Hugging Face folder is one
// sentzoo-export away (eval/export_model.h), so the error gives that command.
void refuse_foreign_folder(const fs::path& dir) {
  fs::path clean = dir.lexically_normal();
  if (clean.filename().empty()) clean = clean.parent_path();
  const std::string command = fmt::format("sentzoo-export --checkpoint {} --output {}",
                                          shell_word(clean.string()),
                                          shell_word(clean.string() + ".pt"));
  if (fs::exists(dir / "modules.json"))
    throw std::runtime_error(fmt::format(
        "{}: a sentence-transformers folder, not a sentzoo model; convert it (a dual encoder, "
        "its pooling and normalisation included) with\n  {}\nand pass {}.pt instead",
        dir.string(),
        command,
        clean.string()));
  if (fs::exists(dir / "config.json") && !fs::exists(dir / "heads.safetensors"))
    throw std::runtime_error(fmt::format(
        "{}: a Hugging Face encoder folder, not a sentzoo model; export it as a dual encoder "
        "with\n  {} --pooling mean\n(use the pooling it was trained with) and pass {}.pt "
        "instead; a cross encoder needs training (sentzoo-train, objective cross)",
        dir.string(),
        command,
        clean.string()));
}

int64_t count_parameters(const std::vector<torch::Tensor>& tensors) {
  int64_t n = 0;
  for (const auto& t : tensors) n += t.numel();
  return n;
}

}  // namespace

InferencePrecision parse_inference_precision(const std::string& name) {
  if (name == "fp32") return InferencePrecision::kFp32;
  if (name == "bf16") return InferencePrecision::kBf16Autocast;
  if (name == "bf16-weights") return InferencePrecision::kBf16Weights;
  throw std::invalid_argument(
      fmt::format("precision: expected fp32, bf16 or bf16-weights, found '{}'", name));
}

std::string to_string(InferencePrecision precision) {
  switch (precision) {
    case InferencePrecision::kFp32:
      return "fp32";
    case InferencePrecision::kBf16Autocast:
      return "bf16";
    case InferencePrecision::kBf16Weights:
      return "bf16-weights";
  }
  return "?";
}

PairModel PairModel::load(const fs::path& path, InferencePrecision precision) {
  PairModel m;
  m.precision_ = precision;
  const bool bf16_weights = precision == InferencePrecision::kBf16Weights;
  if (fs::is_regular_file(path)) {
    auto ts = load_torchscript(path);
    m.metadata_ = ts.metadata;
    if (!ts.files["tokenizer.json"].empty())  // before its vocab.txt copy (models/export.h)
      m.tokenizer_ = tokenizer_from_bytes(ts.files["tokenizer.json"], ".json", m.metadata_);
    else if (!ts.files["vocab.txt"].empty())
      m.tokenizer_ = tokenizer_from_bytes(ts.files["vocab.txt"], ".txt", m.metadata_);
    else if (!ts.files["sentencepiece.model"].empty())
      m.tokenizer_ = tokenizer_from_bytes(ts.files["sentencepiece.model"], ".model", m.metadata_);
    else
      throw std::runtime_error(
          fmt::format("{}: the archive holds no vocab.txt or sentencepiece.model", path.string()));
    auto module = ts.module;
    for (const auto& p : module.parameters()) m.num_parameters_ += p.numel();
    if (bf16_weights) module.to(torch::kBFloat16);
    // Separate towers export the second side as forward_side1 (models/export.cpp).
    m.separate_towers_ = module.find_method("forward_side1").has_value();
    m.forward_ = [module, two = m.separate_towers_](const torch::Tensor& ids,
                                                    const torch::Tensor& mask,
                                                    const torch::Tensor& seg,
                                                    int side) mutable {
      if (side == 1 && two) return module.run_method("forward_side1", ids, mask, seg).toTensor();
      return module.forward({ids, mask, seg}).toTensor();
    };
  } else if (fs::is_directory(path)) {
    fs::path dir = path;
    if (!fs::exists(dir / "sentzoo.json") && fs::exists(dir / "best" / "sentzoo.json"))
      dir = dir / "best";
    if (!fs::exists(dir / "sentzoo.json")) refuse_foreign_folder(dir);
    TrainedModel tm = load_trained_model(dir);  // throws "not a sentzoo model folder"
    m.metadata_ = tm.info;
    if (tm.kind == "dual") {
      auto dual = tm.dual;
      m.separate_towers_ = static_cast<bool>(dual->tower_b);
      m.num_parameters_ = count_parameters(dual->parameters());
      if (bf16_weights) dual->to(torch::kBFloat16);
      m.forward_ = [dual](const torch::Tensor& ids,
                          const torch::Tensor& mask,
                          const torch::Tensor& seg,
                          int side) mutable { return dual->forward(ids, mask, seg, side); };
    } else if (tm.kind == "cross") {
      auto cross = tm.cross;
      m.num_parameters_ = count_parameters(cross->parameters());
      if (bf16_weights) cross->to(torch::kBFloat16);
      m.forward_ = [cross](const torch::Tensor& ids,
                           const torch::Tensor& mask,
                           const torch::Tensor& seg,
                           int /*side*/) mutable { return cross->forward(ids, mask, seg); };
    }
    m.tokenizer_ =
        load_tokenizer(trained_model_tokenizer(dir, m.metadata_), tokenizer_options(m.metadata_));
  } else {
    throw std::runtime_error(fmt::format("{}: no such file or folder", path.string()));
  }
  m.kind_ = m.metadata_.value("kind", std::string());
  if (m.kind_ != "dual" && m.kind_ != "cross")
    throw std::runtime_error(
        fmt::format("{}: model kind '{}' is not a dual or cross encoder", path.string(), m.kind_));
  m.max_length_ = m.metadata_.value("max_length", int64_t{512});
  return m;
}

torch::Tensor PairModel::run_batched(const std::vector<Encoding>& encodings,
                                     int64_t batch_size,
                                     const Progress& progress,
                                     int side) const {
  torch::NoGradGuard no_grad;
  CollateOptions options;
  options.pad_id = std::max<int64_t>(0, tokenizer_->special().pad);
  const bool autocast = precision_ == InferencePrecision::kBf16Autocast;
  return forward_in_length_order(
      encodings,
      batch_size,
      options,
      [&](const Batch& b) {
        compat::AutocastGuard amp(autocast);
        return forward_(b.input_ids, b.attention_mask, b.token_type_ids, side).to(torch::kFloat);
      },
      progress);
}

torch::Tensor PairModel::encode(const std::vector<std::string>& texts,
                                int64_t batch_size,
                                const Progress& progress,
                                int side) const {
  if (kind_ != "dual")
    throw std::runtime_error("encode needs a dual encoder; this model is a " + kind_ +
                             " encoder (it scores pairs, it does not embed sentences)");
  if (side != 0 && side != 1)
    throw std::invalid_argument("encode: side must be 0 or 1, got " + std::to_string(side));
  std::vector<Encoding> enc;
  enc.reserve(texts.size());
  for (const auto& t : texts) enc.push_back(tokenizer_->encode(t, max_length_));
  return run_batched(enc, batch_size, progress, side);
}

torch::Tensor PairModel::score_pairs(const std::vector<std::pair<std::string, std::string>>& pairs,
                                     int64_t batch_size,
                                     const Progress& progress) const {
  if (kind_ != "cross")
    throw std::runtime_error("score_pairs needs a cross encoder; this model is a " + kind_ +
                             " encoder");
  std::vector<Encoding> enc;
  enc.reserve(pairs.size());
  for (const auto& [a, b] : pairs) enc.push_back(tokenizer_->encode_pair(a, b, max_length_));
  return run_batched(enc, batch_size, progress, /*side=*/0);
}

}  // namespace sentzoo
