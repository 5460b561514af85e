#pragma once
// CrossEncoder: one joint sequence [CLS] a [SEP] b [SEP] -> encoder -> head -> 1 logit or K
// class logits (HF *ForSequenceClassification; CoSENT interact scripts, REFERENCE.md §4.4).

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "models/dropout.h"
#include "models/encoder.h"

namespace sentzoo {

class ScriptWriter;

struct CrossEncoderConfig {
  EncoderConfig encoder;              // e.g. bert_base()
  int64_t num_labels = 1;             // 1: a score (B); K > 1: logits (B, K)
  std::string head_input = "pooler";  // "pooler" (HF: tanh dense on CLS) | "cls" (x[:,0])
  bool zero_segments = false;         // RoFormerV2 fine-tuning fed all-zero segment ids (§1.5)
  double dropout = 0.1;               // before the classifier, e.g. 0.1
  void validate() const;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    CrossEncoderConfig, encoder, num_labels, head_input, zero_segments, dropout)
CrossEncoderConfig parse_cross_encoder_config(const nlohmann::json& j);

struct CrossEncoderImpl : torch::nn::Module {
  explicit CrossEncoderImpl(const CrossEncoderConfig& config);
  /// Packed pairs (B, T) -> (B) when num_labels == 1, else (B, K).
  torch::Tensor forward(const torch::Tensor& ids,
                        const torch::Tensor& mask,
                        const torch::Tensor& segments = {});
  /// Defines the TorchScript method forward(input_ids, attention_mask, token_type_ids=None)
  /// equal to forward in eval mode.
  void script(ScriptWriter& s) const;
  TransformerEncoder encoder{nullptr};
  FastDropout dropout{nullptr};
  torch::nn::Linear classifier{nullptr};
  const CrossEncoderConfig config;
  const bool pooler_head;  // head_input == "pooler", decided once
};
TORCH_MODULE(CrossEncoder);

}  // namespace sentzoo
