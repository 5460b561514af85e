// MLM corruption (train/mlm_masking.h).
#include "train/objectives/mlm_masking.h"

#include <torch/torch.h>

#include <stdexcept>

namespace sentzoo {

void MlmMaskingConfig::validate() const {
  if (!(mask_prob > 0 && mask_prob < 1)) {
    throw std::invalid_argument("MlmMaskingConfig: mask_prob must be in (0, 1), got " +
                                std::to_string(mask_prob));
  }
  if (replace_mask < 0 || replace_random < 0 || replace_mask + replace_random > 1) {
    throw std::invalid_argument(
        "MlmMaskingConfig: replace_mask and replace_random must be >= 0 with sum <= 1");
  }
}

MaskedTokens mask_tokens(const torch::Tensor& input_ids,
                         const torch::Tensor& attention_mask,
                         const std::vector<int64_t>& special_ids,
                         int64_t mask_id,
                         int64_t vocab_size,
                         const MlmMaskingConfig& config,
                         at::Generator generator) {
  TORCH_CHECK(
      input_ids.dim() == 2, "mask_tokens: input_ids must be (B, T), got ", input_ids.sizes());
  TORCH_CHECK(attention_mask.sizes() == input_ids.sizes(),
              "mask_tokens: attention_mask must match input_ids");
  torch::NoGradGuard no_grad;
  auto eligible = attention_mask.to(torch::kBool);
  for (const int64_t id : special_ids) eligible = eligible & input_ids.ne(id);

  const auto float_opts = torch::TensorOptions().dtype(torch::kFloat);
  auto draw = [&](double p) {
    return torch::bernoulli(torch::full(input_ids.sizes(), p, float_opts), generator)
        .to(torch::kBool);
  };
  const auto chosen = draw(config.mask_prob) & eligible;
  auto labels = torch::where(chosen, input_ids, torch::full_like(input_ids, kIgnoreIndex));

  auto corrupted = input_ids.clone();
  const auto to_mask = draw(config.replace_mask) & chosen;
  corrupted.masked_fill_(to_mask, mask_id);
  // Of the rest, replace_random / (1 - replace_mask) become random ids (0.5 for 80/10/10).
  const double rest = 1.0 - config.replace_mask;
  const double random_share = rest > 0 ? config.replace_random / rest : 0.0;
  const auto to_random = draw(random_share) & chosen & to_mask.logical_not();
  const auto random_ids =
      torch::randint(vocab_size, input_ids.sizes(), generator, input_ids.options());
  corrupted = torch::where(to_random, random_ids, corrupted);
  return {corrupted, labels};
}

}  // namespace sentzoo
