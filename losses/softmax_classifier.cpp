// SBERT softmax classifier over (u, v, |u−v|, u*v) (arXiv 1908.10084 §3).

#include "losses/softmax_classifier.h"

#include "losses/similarity.h"

namespace sentzoo {

torch::Tensor softmax_classifier_features(const torch::Tensor& u,
                                          const torch::Tensor& v,
                                          const SoftmaxFeatures& features) {
  TORCH_CHECK(u.dim() == 2 && u.sizes() == v.sizes(),
              "softmax_classifier: expected u, v (B, D) of equal shape, got ",
              u.sizes(),
              " and ",
              v.sizes());
  TORCH_CHECK(features.blocks() > 0, "softmax_classifier: no feature selected");
  NoAutocast no_autocast;
  auto a = to_loss_precision(u), b = to_loss_precision(v);
  std::vector<torch::Tensor> parts;
  if (features.rep) {
    parts.push_back(a);
    parts.push_back(b);
  }
  if (features.difference) parts.push_back((a - b).abs());
  if (features.multiplication) parts.push_back(a * b);
  return torch::cat(parts, /*dim=*/1);  // (B, blocks·D)
}

torch::Tensor softmax_classifier_loss(const torch::Tensor& u,
                                      const torch::Tensor& v,
                                      const torch::Tensor& labels,
                                      const torch::Tensor& weight,
                                      const torch::Tensor& bias,
                                      const SoftmaxFeatures& features) {
  auto x = softmax_classifier_features(u, v, features);
  TORCH_CHECK(weight.dim() == 2 && weight.size(1) == x.size(1),
              "softmax_classifier_loss: weight must be (K, ",
              x.size(1),
              "), got ",
              weight.sizes());
  TORCH_CHECK(labels.dim() == 1 && labels.size(0) == x.size(0),
              "softmax_classifier_loss: labels must be (B), got ",
              labels.sizes());
  NoAutocast no_autocast;
  auto w = weight.to(x.scalar_type());
  auto logits = bias.defined() ? torch::addmm(bias.to(x.scalar_type()), x, w.t()) : x.mm(w.t());
  return torch::nn::functional::cross_entropy(logits, labels.to(torch::kLong));
}

SoftmaxHeadImpl::SoftmaxHeadImpl(int64_t dim, int64_t num_labels, SoftmaxFeatures features_)
    : features(features_) {
  TORCH_CHECK(dim > 0 && num_labels > 1,
              "SoftmaxHead: need dim > 0 and num_labels > 1, got ",
              dim,
              " and ",
              num_labels);
  TORCH_CHECK(features.blocks() > 0, "SoftmaxHead: no feature selected");
  classifier =
      register_module("classifier", torch::nn::Linear(features.blocks() * dim, num_labels));
}

torch::Tensor SoftmaxHeadImpl::forward(const torch::Tensor& u, const torch::Tensor& v) {
  auto x = softmax_classifier_features(u, v, features);
  NoAutocast no_autocast;
  return torch::nn::functional::linear(
      x, classifier->weight.to(x.scalar_type()), classifier->bias.to(x.scalar_type()));
}

torch::Tensor SoftmaxHeadImpl::loss(const torch::Tensor& u,
                                    const torch::Tensor& v,
                                    const torch::Tensor& labels) {
  return softmax_classifier_loss(u, v, labels, classifier->weight, classifier->bias, features);
}

}  // namespace sentzoo
