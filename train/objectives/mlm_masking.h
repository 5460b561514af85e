#pragma once
// BERT's masked-language-model corruption (15% of tokens; of those 80% [MASK], 10% a random
// token, 10% unchanged), with the semantics of transformers' DataCollatorForLanguageModeling.
// With a character vocabulary this is character-level masking for Chinese.

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <vector>

namespace sentzoo {

struct MlmMaskingConfig {
  double mask_prob = 0.15;      // share of real (non-special, non-pad) tokens predicted
  double replace_mask = 0.8;    // of those, replaced by [MASK]
  double replace_random = 0.1;  // of those, replaced by a random id; the rest stay unchanged
  void validate() const;
};

struct MaskedTokens {
  torch::Tensor input_ids;  // (B, T) int64, corrupted
  torch::Tensor labels;     // (B, T) int64, original id where predicted, else kIgnoreIndex
};

inline constexpr int64_t kIgnoreIndex = -100;  // cross_entropy's default ignore_index

/// `input_ids`, `attention_mask`: (B, T). Tokens in `special_ids` or masked out are never chosen.
/// Random replacements are drawn uniformly from [0, vocab_size) as in transformers.
MaskedTokens mask_tokens(const torch::Tensor& input_ids,
                         const torch::Tensor& attention_mask,
                         const std::vector<int64_t>& special_ids,
                         int64_t mask_id,
                         int64_t vocab_size,
                         const MlmMaskingConfig& config,
                         at::Generator generator);

}  // namespace sentzoo
