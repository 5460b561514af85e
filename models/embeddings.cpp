// Token, segment and absolute-position embeddings (REFERENCE.md §1.1, §1.5, §2), with the
// TorchScript twin right below the forward (models/script.h).

#include "models/embeddings.h"

#include <cmath>

#include "models/script.h"

namespace sentzoo {

EmbeddingsImpl::EmbeddingsImpl(const EncoderConfig& c)
    : scale(c.scale_embedding ? std::sqrt(static_cast<double>(c.hidden_size)) : 1.0),
      position_offset(c.position_offset) {
  tok = register_module("tok", torch::nn::Embedding(c.vocab_size, c.hidden_size));
  seg = register_module("seg", torch::nn::Embedding(c.type_vocab_size, c.hidden_size));
  if (c.position_embedding == PositionEmbedding::kAbsolute)
    pos = register_module("pos", torch::nn::Embedding(c.max_position_embeddings, c.hidden_size));
  if (c.embedding_norm && c.norm_position == NormPosition::kPost)
    norm = register_module("norm", Norm(c.norm_type, c.hidden_size, c.norm_eps, c.use_bias));
  dropout = register_module("dropout", FastDropout(c.hidden_dropout));
}

torch::Tensor EmbeddingsImpl::forward(const torch::Tensor& ids, const torch::Tensor& segments) {
  // torchscale: embed_scale * tok + positions (encoder.py forward_embedding); seg is 0 there.
  auto x = (scale == 1.0 ? tok(ids) : tok(ids) * scale) + seg(segments);  // (B, T, h)
  if (pos) {
    TORCH_CHECK(ids.size(1) + position_offset <= pos->weight.size(0),
                "Embeddings: length ",
                ids.size(1),
                " exceeds max_position_embeddings ",
                pos->weight.size(0),
                " minus position_offset ",
                position_offset);
    // (B, T) rows offset..offset+T-1, from tensor ops (tracer-friendly)
    auto positions = torch::ones_like(ids).cumsum(/*dim=*/1) + (position_offset - 1);
    x = x + pos(positions);
  }
  // The PyTorch ports (and HF) apply Norm then Dropout; bert4keras the reverse (REFERENCE §1.5).
  if (norm) x = norm(x);
  return dropout(x);
}

std::string EmbeddingsImpl::script(ScriptWriter& s,
                                   const std::string& ids,
                                   const std::string& segments) const {
  const std::string token = fmt::format("torch.embedding({}, {})", s.weight(tok->weight), ids);
  s.line(fmt::format("x = {} + torch.embedding({}, {})",
                     scale == 1.0 ? token : token + " * " + ScriptWriter::lit(scale),
                     s.weight(seg->weight),
                     segments));
  if (pos)
    s.line(fmt::format("x = x + torch.embedding({}, torch.ones_like({}).cumsum(1) + {})",
                       s.weight(pos->weight),
                       ids,
                       position_offset - 1));
  if (norm) s.line("x = " + norm->script(s, "x"));
  return "x";  // dropout: identity in eval mode
}

}  // namespace sentzoo
