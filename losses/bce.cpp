// Cross-encoder BCE and K-class CE, computed in fp32.

#include "losses/bce.h"

#include "losses/similarity.h"

namespace sentzoo {

torch::Tensor cross_encoder_bce_loss(const torch::Tensor& logits,
                                     const torch::Tensor& labels,
                                     double pos_weight) {
  auto x = logits.dim() == 2 && logits.size(1) == 1 ? logits.squeeze(1) : logits;
  TORCH_CHECK(x.dim() == 1 && labels.dim() == 1 && x.size(0) == labels.size(0),
              "cross_encoder_bce_loss: expected logits (B) and labels (B), got ",
              logits.sizes(),
              " and ",
              labels.sizes());
  NoAutocast no_autocast;
  x = to_loss_precision(x);
  auto y = to_loss_precision(labels).to(x.scalar_type());
  auto opts = torch::nn::functional::BinaryCrossEntropyWithLogitsFuncOptions();
  if (pos_weight > 0) opts.pos_weight(torch::full({}, pos_weight, x.options()));
  return torch::nn::functional::binary_cross_entropy_with_logits(x, y, opts);
}

torch::Tensor cross_encoder_ce_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  TORCH_CHECK(logits.dim() == 2 && labels.dim() == 1 && logits.size(0) == labels.size(0),
              "cross_encoder_ce_loss: expected logits (B, K) and labels (B), got ",
              logits.sizes(),
              " and ",
              labels.sizes());
  NoAutocast no_autocast;
  return torch::nn::functional::cross_entropy(to_loss_precision(logits), labels.to(torch::kLong));
}

}  // namespace sentzoo
