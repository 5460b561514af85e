// Norms, feed-forward and embeddings shared by every encoder (REFERENCE.md §1.1, §2, §12).

#include "models/layers.h"

namespace sentzoo {

namespace detail {

torch::Tensor rms_norm(const torch::Tensor& x, double eps) {
  // fp32 statistics under bf16 autocast (REFERENCE §12): pow/mean/rsqrt stay bf16 otherwise.
  // mean(x^2) as ||x||^2 / h: one reduction pass instead of pow (a full-size temporary) + mean.
  auto xf = x.to(torch::kFloat);
  auto mean_square = xf.norm(2, /*dim=*/{-1}, /*keepdim=*/true).pow(2) / double(x.size(-1));
  auto y = xf * torch::rsqrt(mean_square + eps);
  return y.to(x.scalar_type());
}

torch::Tensor layer_norm(const torch::Tensor& x,
                         const torch::Tensor& weight,
                         const torch::Tensor& bias,
                         double eps) {
  auto y = torch::layer_norm(x.to(torch::kFloat),
                             {x.size(-1)},
                             weight.defined() ? weight.to(torch::kFloat) : weight,
                             bias.defined() ? bias.to(torch::kFloat) : bias,
                             eps);
  return y.to(x.scalar_type());
}

torch::Tensor activation(const torch::Tensor& x, const std::string& name) {
  if (name == "relu") return torch::relu(x);
  if (name == "gelu") return torch::gelu(x);  // exact: 0.5 x (1 + erf(x / sqrt 2))
  if (name == "gelu_new") return torch::gelu(x, "tanh");
  throw std::invalid_argument("unknown activation '" + name +
                              "' (expected one of: gelu, gelu_new, relu)");
}

}  // namespace detail

// ---- Norm ----

NormImpl::NormImpl(const std::string& type_, int64_t dim, double eps_, bool with_bias)
    : type(type_), eps(eps_) {
  if (type == "layer_norm") {
    weight = register_parameter("weight", torch::ones({dim}));
    if (with_bias) bias = register_parameter("bias", torch::zeros({dim}));
  } else if (type != "rms_norm") {
    throw std::invalid_argument("unknown norm_type '" + type +
                                "' (expected one of: layer_norm, rms_norm)");
  }
}

torch::Tensor NormImpl::forward(const torch::Tensor& x) {
  if (type == "rms_norm") return detail::rms_norm(x, eps);
  return detail::layer_norm(x, weight, bias, eps);
}

// ---- FeedForward ----

FeedForwardImpl::FeedForwardImpl(int64_t hidden,
                                 int64_t intermediate,
                                 const std::string& act_,
                                 bool bias)
    : act(act_) {
  fc1 = register_module(
      "fc1", torch::nn::Linear(torch::nn::LinearOptions(hidden, intermediate).bias(bias)));
  fc2 = register_module(
      "fc2", torch::nn::Linear(torch::nn::LinearOptions(intermediate, hidden).bias(bias)));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
  return fc2(detail::activation(fc1(x), act));
}

// ---- Embeddings ----

EmbeddingsImpl::EmbeddingsImpl(const EncoderConfig& c) {
  tok = register_module("tok", torch::nn::Embedding(c.vocab_size, c.hidden_size));
  seg = register_module("seg", torch::nn::Embedding(c.type_vocab_size, c.hidden_size));
  if (c.position_embedding == "absolute")
    pos = register_module("pos", torch::nn::Embedding(c.max_position_embeddings, c.hidden_size));
  if (c.embedding_norm && c.norm_position == "post")
    norm = register_module("norm", Norm(c.norm_type, c.hidden_size, c.norm_eps, c.use_bias));
  dropout = register_module("dropout", FastDropout(c.hidden_dropout));
}

torch::Tensor EmbeddingsImpl::forward(const torch::Tensor& ids, const torch::Tensor& segments) {
  auto x = tok(ids) + seg(segments);  // (B, T, h)
  if (pos) {
    TORCH_CHECK(ids.size(1) <= pos->weight.size(0),
                "Embeddings: length ",
                ids.size(1),
                " exceeds max_position_embeddings ",
                pos->weight.size(0));
    auto positions = torch::ones_like(ids).cumsum(/*dim=*/1) - 1;  // (B, T), tracer-friendly
    x = x + pos(positions);
  }
  // The PyTorch ports (and HF) apply Norm then Dropout; bert4keras the reverse (REFERENCE §1.5).
  if (norm) x = norm(x);
  return dropout(x);
}

}  // namespace sentzoo
