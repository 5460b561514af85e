// Initialisers (REFERENCE.md §1.3 RoFormerV2, §3.2 DeepNet; HF BertPreTrainedModel._init_weights).

#include "models/init.h"

#include <cmath>

#include "models/encoder.h"

namespace sentzoo {

void trunc_normal_(torch::Tensor t, double std) {
  torch::NoGradGuard no_grad;
  // u ~ U(Phi(-2), Phi(2)); x = Phi^-1(u) = sqrt(2) erfinv(2u - 1); x * std lies in [-2std, 2std].
  const double lo = 0.5 * (1.0 + std::erf(-2.0 / std::sqrt(2.0)));
  const double hi = 0.5 * (1.0 + std::erf(2.0 / std::sqrt(2.0)));
  auto u = torch::rand(t.sizes(), torch::kFloat64) * (hi - lo) + lo;
  auto x = torch::erfinv(2.0 * u - 1.0) * std::sqrt(2.0) * std;
  t.copy_(x.clamp(-2.0 * std, 2.0 * std));
}

double roformer_v2_init_std(const torch::Tensor& weight, bool is_embedding, int64_t num_layers) {
  // Keras kernels are [in, out] and the rule reads shape[0]; torch Linear is [out, in].
  int64_t fan = weight.size(1);
  if (is_embedding) {
    const int64_t rows = weight.size(0);
    fan = (rows > 10000 || rows < 10) ? weight.size(1) : rows;
  }
  // 1.13684723 = 1 / std(TruncNormal[-2, 2]), so the truncated draw has std 1/sqrt(fan).
  return 1.13684723 / std::sqrt(static_cast<double>(fan)) /
         std::sqrt(static_cast<double>(num_layers));
}

namespace {

void init_bert_like(TransformerEncoderImpl& enc) {
  const double std = enc.config.initializer_range;
  for (auto& item : enc.named_parameters()) {
    auto& p = item.value();
    const auto& name = item.key();
    const bool is_bias = name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0;
    if (name.find("norm") != std::string::npos) {
      // LayerNorm: weight 1, bias 0
      if (is_bias)
        p.zero_();
      else
        p.fill_(1.0);
    } else if (is_bias) {
      p.zero_();
    } else {
      p.normal_(0.0, std);
    }
  }
  // HF builds word_embeddings with padding_idx = pad_token_id and zeroes that row.
  const int64_t pad = enc.config.pad_token_id;
  if (pad >= 0 && pad < enc.config.vocab_size) enc.embeddings->tok->weight[pad].zero_();
}

void init_roformer_v2(TransformerEncoderImpl& enc) {
  const int64_t L = enc.config.num_layers;
  for (auto& item : enc.named_parameters()) {
    auto& p = item.value();
    if (p.dim() != 2) continue;  // no biases or norm weights exist in V2
    const bool is_embedding = item.key().rfind("embeddings.", 0) == 0;
    trunc_normal_(p, roformer_v2_init_std(p, is_embedding, L));
  }
}

void init_deepnet(TransformerEncoderImpl& enc) {
  const auto& c = enc.config;
  const double beta = c.init_beta();
  for (auto& item : enc.embeddings->named_parameters()) {
    if (item.value().dim() == 2) item.value().normal_(0.0, c.initializer_range);
  }
  for (const auto& layer : *enc.layers) {
    auto& attn = layer->as<TransformerBlock>()->attn;
    auto& ffn = layer->as<TransformerBlock>()->ffn;
    if (c.deepnorm_init == "xavier_normal") {
      // The paper's pseudocode: xavier_normal(gain=beta) for ffn, v, o; gain 1 for q, k.
      torch::nn::init::xavier_normal_(attn->q->weight, 1.0);
      torch::nn::init::xavier_normal_(attn->k->weight, 1.0);
      for (auto* lin : {&attn->v, &attn->o, &ffn->fc1, &ffn->fc2})
        torch::nn::init::xavier_normal_((*lin)->weight, beta);
      for (auto& p : layer->named_parameters())
        if (p.value().dim() == 1 && p.key().find("norm") == std::string::npos) p.value().zero_();
      continue;
    }
    if (c.deepnorm_init == "fairseq") {
      // MultiheadAttention.reset_parameters() (multihead_attention.py 58-63): xavier_uniform
      // gain 1/sqrt(2) for q, k, v; gain 1 for out_proj, whose bias is 0. torchscale 0.3.0
      // defines but never calls it, so this is not what "torchscale" produces.
      const double g = 1.0 / std::sqrt(2.0);
      torch::nn::init::xavier_uniform_(attn->q->weight, g);
      torch::nn::init::xavier_uniform_(attn->k->weight, g);
      torch::nn::init::xavier_uniform_(attn->v->weight, g);
      torch::nn::init::xavier_uniform_(attn->o->weight, 1.0);
      if (attn->o->bias.defined()) attn->o->bias.zero_();
    } else {
      // torchscale 0.3.0 as it runs (checked against its init statistics in
      // tests/fixtures/models/deepnet/init_stats.safetensors): nn.Linear's default init for
      // q, k, v, out_proj (weights and biases), as for fc1 and fc2.
      for (auto* lin : {&attn->q, &attn->k, &attn->v, &attn->o}) (*lin)->reset_parameters();
    }
    ffn->fc1->reset_parameters();
    ffn->fc2->reset_parameters();
    // encoder.py 235-252: fc1, fc2, out_proj, v_proj weights AND biases divided by (8N)^1/4.
    for (auto* lin : {&attn->v, &attn->o, &ffn->fc1, &ffn->fc2})
      for (auto& p : (*lin)->parameters()) p.mul_(beta);
  }
}

}  // namespace

void init_encoder_weights(TransformerEncoderImpl& enc) {
  torch::NoGradGuard no_grad;
  const auto& arch = enc.config.architecture;
  if (arch == "roformer_v2") {
    init_roformer_v2(enc);
    return;
  }
  init_bert_like(enc);  // embeddings, norms, pooler, MLM head for bert/roformer/deepnet
  if (arch == "deepnet") init_deepnet(enc);
}

}  // namespace sentzoo
