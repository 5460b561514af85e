#pragma once
// PairModel: what sentzoo-eval / -encode / compare need from a model, whichever way it was
// shipped: a TorchScript export (models/export.h; tokenizer and metadata inside the file) or a
// training output folder (DIR or DIR/best, models/model_folder.h). Texts in, vectors or pair
// logits out, batched by length internally and returned in input order.

#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "data/batch.h"
#include "data/tokenizer.h"

namespace sentzoo {

/// How a PairModel computes (issue #17 item 4, blog 9059): fp32; bf16 autocast over the fp32
/// weights (matmuls in bf16, norms and softmax in fp32); or the weights themselves in bf16 (no
/// casts per forward; half the memory). Outputs are fp32 in every case.
enum class InferencePrecision { kFp32, kBf16Autocast, kBf16Weights };
/// "fp32" | "bf16" | "bf16-weights"; throws std::invalid_argument naming what was found.
InferencePrecision parse_inference_precision(const std::string& name);
std::string to_string(InferencePrecision precision);

class PairModel {
 public:
  /// A .pt file (TorchScript from sentzoo-export) or a training output folder (DIR with best/,
  /// or the best/ folder itself). Throws std::runtime_error naming the path and what is wrong
  /// (missing, not a sentzoo model, an MLM-only model); for a sentence-transformers or Hugging
  /// Face folder the message gives the sentzoo-export command that converts it.
  static PairModel load(const std::filesystem::path& path,
                        InferencePrecision precision = InferencePrecision::kFp32);
  InferencePrecision precision() const { return precision_; }

  const std::string& kind() const { return kind_; }  // "dual" | "cross"
  const nlohmann::json& metadata() const { return metadata_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }
  int64_t max_length() const { return max_length_; }
  /// Parameters of the whole model (encoder, heads, second tower), e.g. 22713216.
  int64_t num_parameters() const { return num_parameters_; }
  /// Number of logits of a cross encoder (1 = one score per pair).
  int64_t num_labels() const { return metadata_.value("num_labels", int64_t{1}); }

  /// Dual: (N, D) fp32 sentence vectors in input order. side 0 = the first text of a pair
  /// (queries), 1 = the second (documents); the two differ only for separate towers.
  torch::Tensor encode(const std::vector<std::string>& texts,
                       int64_t batch_size = 64,
                       const Progress& progress = {},
                       int side = 0) const;
  /// True when the two sides use different towers (DualEncoderConfig::shared false).
  bool separate_towers() const { return separate_towers_; }
  /// Cross: (N) or (N, K) fp32 logits of [CLS] a [SEP] b [SEP], in input order.
  torch::Tensor score_pairs(const std::vector<std::pair<std::string, std::string>>& pairs,
                            int64_t batch_size = 64,
                            const Progress& progress = {}) const;

 private:
  using Forward = std::function<torch::Tensor(const torch::Tensor& ids,
                                              const torch::Tensor& mask,
                                              const torch::Tensor& segments,
                                              int side)>;
  torch::Tensor run_batched(const std::vector<Encoding>& encodings,
                            int64_t batch_size,
                            const Progress& progress,
                            int side) const;

  std::string kind_;
  nlohmann::json metadata_;
  std::shared_ptr<Tokenizer> tokenizer_;
  int64_t max_length_ = 512;
  Forward forward_;
  bool separate_towers_ = false;
  InferencePrecision precision_ = InferencePrecision::kFp32;
  int64_t num_parameters_ = 0;
  std::shared_ptr<void> holder_;  // keeps the module behind forward_ alive
};

}  // namespace sentzoo
