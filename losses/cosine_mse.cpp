// CosineSimilarityLoss with the default MSELoss and identity score transformation.

#include "losses/cosine_mse.h"

#include "losses/similarity.h"

namespace sentzoo {

torch::Tensor cosine_mse_loss(const torch::Tensor& u,
                              const torch::Tensor& v,
                              const torch::Tensor& labels,
                              double label_scale) {
  TORCH_CHECK(labels.dim() == 1 && labels.size(0) == u.size(0),
              "cosine_mse_loss: labels must be (B) with B = ",
              u.size(0),
              ", got ",
              labels.sizes());
  TORCH_CHECK(label_scale > 0, "cosine_mse_loss: label_scale must be > 0, got ", label_scale);
  NoAutocast no_autocast;
  auto cos = pairwise_cos_sim(u, v);  // (B)
  auto target = to_loss_precision(labels).to(cos.scalar_type()) / label_scale;
  return (cos - target).pow(2).mean();
}

}  // namespace sentzoo
