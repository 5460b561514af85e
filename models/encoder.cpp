// TransformerEncoder and its block (REFERENCE.md §1.1 block order, §2 table, §3.1 DeepNorm),
// each forward with its TorchScript twin right below it (models/script.h).

#include "models/encoder.h"

#include "models/script.h"

namespace sentzoo {

// ---- block ----

TransformerBlockImpl::TransformerBlockImpl(const EncoderConfig& c)
    : alpha(c.residual_alpha()),
      post_norm(c.norm_position == NormPosition::kPost),
      residual(c.residual) {
  attn = register_module(
      "attn",
      MultiHeadSelfAttention(
          c.hidden_size, c.num_heads, c.use_bias, c.rotary(), c.rope_theta, c.attention_dropout));
  norm1 = register_module("norm1", Norm(c.norm_type, c.hidden_size, c.norm_eps, c.use_bias));
  ffn = register_module("ffn",
                        FeedForward(c.hidden_size, c.intermediate_size, c.hidden_act, c.use_bias));
  norm2 = register_module("norm2", Norm(c.norm_type, c.hidden_size, c.norm_eps, c.use_bias));
  dropout = register_module("dropout", FastDropout(c.hidden_dropout));
}

torch::Tensor TransformerBlockImpl::forward(const torch::Tensor& x,
                                            const torch::Tensor& mask,
                                            double ramp) {
  // residual + ramp * branch as one add (torch::add's alpha), and alpha * residual only when
  // alpha != 1: each separate scalar multiply would be another pass over (B, T, h), forward and
  // backward.
  auto skip = [](const torch::Tensor& r, double scale) { return scale == 1.0 ? r : r * scale; };
  // Without the skip path (custom residual false) a sublayer's output is its branch alone.
  auto add = [&](const torch::Tensor& r, double scale, const torch::Tensor& branch) {
    return residual ? torch::add(skip(r, scale), branch, ramp) : branch;
  };
  if (post_norm) {
    // "Att --> Add --> LN --> FFN --> Add --> LN"; DeepNorm: LN(alpha*x + G(x)) (torchscale
    // residual_connection = residual*alpha + x); RoFormerV2 ramp: Norm(x + ramp*F(x)).
    auto h = norm1(add(x, alpha, dropout(attn(x, mask))));
    return norm2(add(h, alpha, dropout(ffn(h))));
  }
  auto h = add(x, 1.0, dropout(attn(norm1(x), mask)));
  return add(h, 1.0, dropout(ffn(norm2(h))));
}

std::string TransformerBlockImpl::script(ScriptWriter& s,
                                         const std::string& x,
                                         const std::string& key_mask,
                                         double ramp) const {
  auto skip = [&](const std::string& r) {
    return alpha == 1.0 ? r : r + " * " + ScriptWriter::lit(alpha);
  };
  auto add = [&](const std::string& a, const std::string& b) {
    return residual ? fmt::format("torch.add({}, {}, alpha={})", a, b, ScriptWriter::lit(ramp))
                    : b;
  };
  if (post_norm) {
    s.line("a = " + attn->script(s, x, key_mask));
    s.line("h = " + norm1->script(s, add(skip(x), "a")));
    s.line("f = " + ffn->script(s, "h"));
    s.line("x = " + norm2->script(s, add(skip("h"), "f")));
    return "x";
  }
  s.line("h = " + add(x, attn->script(s, norm1->script(s, x), key_mask)));
  s.line("x = " + add("h", ffn->script(s, norm2->script(s, "h"))));
  return "x";
}

// ---- MLM head ----

MlmHeadImpl::MlmHeadImpl(const EncoderConfig& c) : act(c.hidden_act) {
  if (c.mlm_head == MlmHeadType::kTied) return;  // RoFormerV2: logits = x E^T
  transform = register_module("transform", torch::nn::Linear(c.hidden_size, c.hidden_size));
  norm = register_module("norm", Norm(NormType::kLayerNorm, c.hidden_size, c.norm_eps));
  bias = register_parameter("bias", torch::zeros({c.vocab_size}));
}

torch::Tensor MlmHeadImpl::forward(const torch::Tensor& hidden, const torch::Tensor& embedding) {
  if (!transform) return torch::nn::functional::linear(hidden, embedding);
  auto x = norm(detail::activation(transform(hidden), act));
  return torch::nn::functional::linear(x, embedding, bias);
}

// ---- encoder ----

TransformerEncoderImpl::TransformerEncoderImpl(const EncoderConfig& c) : config(c) {
  config.validate();
  embeddings = register_module("embeddings", Embeddings(c));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.num_layers; ++i) layers->push_back(TransformerBlock(c));
  if (c.norm_position == NormPosition::kPre)
    final_norm =
        register_module("final_norm", Norm(c.norm_type, c.hidden_size, c.norm_eps, c.use_bias));
  if (c.with_pooler)
    pooler = register_module(
        "pooler",
        torch::nn::Linear(
            torch::nn::LinearOptions(c.hidden_size, c.hidden_size).bias(c.pooler_bias)));
  if (c.with_mlm_head) mlm = register_module("mlm", MlmHead(c));
}

EncoderOutput TransformerEncoderImpl::forward(const torch::Tensor& ids,
                                              const torch::Tensor& mask,
                                              const torch::Tensor& segments,
                                              bool output_hidden_states) {
  TORCH_CHECK(ids.dim() == 2, "TransformerEncoder: input_ids must be (B, T), got ", ids.sizes());
  TORCH_CHECK(mask.sizes() == ids.sizes(),
              "TransformerEncoder: attention_mask ",
              mask.sizes(),
              " must match input_ids ",
              ids.sizes());
  TORCH_CHECK(!segments.defined() || segments.sizes() == ids.sizes(),
              "TransformerEncoder: token_type_ids ",
              segments.sizes(),
              " must match input_ids ",
              ids.sizes());
  EncoderOutput out;
  out.mask = mask;
  auto x = embeddings(ids, segments.defined() ? segments : torch::zeros_like(ids));  // (B, T, h)
  if (output_hidden_states) out.hidden_states.push_back(x);
  // Without padding the key mask changes nothing: skip its masked_fill over every layer's
  // (B, H, T, T) scores (checked once per forward, on the CPU only to avoid a device sync).
  const bool no_padding = mask.device().is_cpu() && mask.all().item<bool>();
  const torch::Tensor key_mask = no_padding ? torch::Tensor() : mask;
  for (const auto& layer : *layers) {
    x = layer->as<TransformerBlock>()->forward(x, key_mask, residual_ramp);
    if (output_hidden_states) out.hidden_states.push_back(x);
  }
  if (final_norm) {
    x = final_norm(x);
    if (output_hidden_states) out.hidden_states.back() = x;
  }
  out.last_hidden = x;
  if (pooler)
    out.pooler_output =
        detail::pooler_activation(pooler(x.select(/*dim=*/1, 0)), config.pooler_activation);
  return out;
}

void TransformerEncoderImpl::script(ScriptWriter& s, const std::string& name) const {
  s.begin("def " + name +
          "(self, ids: Tensor, mask: Tensor, seg: Optional[Tensor]) -> Tuple[Tensor, Tensor]:");
  s.line("segments = torch.zeros_like(ids)");
  s.line("if seg is not None:");
  s.line("    segments = seg");
  auto x = embeddings->script(s, "ids", "segments");
  s.line("key_mask: Optional[Tensor] = mask");
  s.line("if not mask.is_cuda and bool(mask.all()):");
  s.line("    key_mask = None");
  for (size_t i = 0; i < layers->size(); ++i) {
    x = layers->ptr(i)->as<TransformerBlock>()->script(s, x, "key_mask", residual_ramp);
    if (i == 0) s.line("first = " + x);  // hidden_states[1]
  }
  if (final_norm) {
    s.line(x + " = " + final_norm->script(s, x));
    if (layers->size() == 1) s.line("first = " + x);  // hidden_states.back() is replaced
  }
  s.line("return " + x + ", first");
  s.end();
  if (mlm) s.unused(*mlm);  // mlm_logits is not part of forward
}

std::string TransformerEncoderImpl::script_pooler(ScriptWriter& s,
                                                  const std::string& last_hidden) const {
  TORCH_CHECK(pooler, "TransformerEncoder: config.with_pooler is false");
  return detail::pooler_activation_script(config.pooler_activation,
                                          fmt::format("torch.linear({}.select(1, 0), {}, {})",
                                                      last_hidden,
                                                      s.weight(pooler->weight),
                                                      s.optional_weight(pooler->bias)));
}

torch::Tensor TransformerEncoderImpl::mlm_logits(const torch::Tensor& last_hidden) {
  TORCH_CHECK(mlm, "TransformerEncoder: config.with_mlm_head is false");
  return mlm(last_hidden, embeddings->tok->weight);
}

// ---- factory ----

TransformerEncoder make_encoder(const EncoderConfig& config, bool init) {
  TransformerEncoder encoder(config);
  if (init) init_encoder_weights(*encoder);
  return encoder;
}

TransformerEncoder make_encoder(const nlohmann::json& config_json) {
  return make_encoder(parse_config<EncoderConfig>(config_json, "EncoderConfig"));
}

}  // namespace sentzoo
