// Token, segment and absolute-position embeddings (REFERENCE.md §1.1, §1.5, §2), with the
// TorchScript twin right below the forward (models/script.h).

#include "models/embeddings.h"

#include "models/script.h"

namespace sentzoo {

EmbeddingsImpl::EmbeddingsImpl(const EncoderConfig& c) {
  tok = register_module("tok", torch::nn::Embedding(c.vocab_size, c.hidden_size));
  seg = register_module("seg", torch::nn::Embedding(c.type_vocab_size, c.hidden_size));
  if (c.position_embedding == PositionEmbedding::kAbsolute)
    pos = register_module("pos", torch::nn::Embedding(c.max_position_embeddings, c.hidden_size));
  if (c.embedding_norm && c.norm_position == NormPosition::kPost)
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

std::string EmbeddingsImpl::script(ScriptWriter& s,
                                   const std::string& ids,
                                   const std::string& segments) const {
  s.line(fmt::format("x = torch.embedding({}, {}) + torch.embedding({}, {})",
                     s.weight(tok->weight),
                     ids,
                     s.weight(seg->weight),
                     segments));
  if (pos)
    s.line(fmt::format("x = x + torch.embedding({}, torch.ones_like({}).cumsum(1) - 1)",
                       s.weight(pos->weight),
                       ids));
  if (norm) s.line("x = " + norm->script(s, "x"));
  return "x";  // dropout: identity in eval mode
}

}  // namespace sentzoo
