#pragma once
// Sentence-BERT classification objective: softmax(W·[u; v; |u−v|; (u*v)] + b) with
// cross-entropy (SBERT paper; sentence-transformers SoftmaxLoss; REFERENCE.md §5). The head is a
// small module so the trainer owns and optimises its parameters with the encoder's.

#include <torch/torch.h>

namespace sentzoo {

/// Which vectors are concatenated (sentence-transformers' concatenation_sent_* flags).
struct SoftmaxFeatures {
  bool rep = true;              // u, v
  bool difference = true;       // |u − v|
  bool multiplication = false;  // u * v
  /// Number of D-sized blocks in the feature vector, e.g. 3 for the defaults.
  int64_t blocks() const { return 2 * rep + difference + multiplication; }
};

/// [u; v; |u−v|; u*v] as selected: (B, D), (B, D) -> (B, blocks·D).
torch::Tensor softmax_classifier_features(const torch::Tensor& u,
                                          const torch::Tensor& v,
                                          const SoftmaxFeatures& features = {});

/// cross_entropy(features·Wᵀ + b, labels): weight (K, blocks·D), bias (K), labels (B) int64.
torch::Tensor softmax_classifier_loss(const torch::Tensor& u,
                                      const torch::Tensor& v,
                                      const torch::Tensor& labels,
                                      const torch::Tensor& weight,
                                      const torch::Tensor& bias,
                                      const SoftmaxFeatures& features = {});

/// The classifier head alone; registered as "classifier" like sentence-transformers' SoftmaxLoss.
struct SoftmaxHeadImpl : torch::nn::Module {
  SoftmaxHeadImpl(int64_t dim, int64_t num_labels, SoftmaxFeatures features = {});
  /// Logits (B, K) in fp32.
  torch::Tensor forward(const torch::Tensor& u, const torch::Tensor& v);
  /// Mean cross-entropy against labels (B) int64.
  torch::Tensor loss(const torch::Tensor& u, const torch::Tensor& v, const torch::Tensor& labels);

  const SoftmaxFeatures features;
  torch::nn::Linear classifier{nullptr};  // (blocks·dim) -> num_labels
};
TORCH_MODULE(SoftmaxHead);

}  // namespace sentzoo
