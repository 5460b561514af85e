#pragma once
// BERT (Devlin et al., arXiv 1810.04805) and RoFormer v1 (Su et al., arXiv 2104.09864;
// kexue.fm/archives/8265): the post-LN encoder with LayerNorm (gamma, beta) and biases
// everywhere, BERT with a learned absolute position table, RoFormer with RoPE on q and k instead
// (REFERENCE.md §2). Everything specific to the two families lives in bert.cpp: presets, the
// rule of which configs are BERT / RoFormer, HF's normal(0, 0.02) init, and the HF config rows.

#include <nlohmann/json.hpp>

#include "models/architecture.h"

namespace sentzoo {

// ---- presets (tiny: odd sizes after HF's ModelTester; the rest as released) ----
EncoderConfig bert_tiny();
EncoderConfig bert_base();   // bert-base-uncased: 12 x 768, 12 heads, FFN 3072, vocab 30522
EncoderConfig bert_large();  // 24 x 1024, 16 heads
EncoderConfig roformer_tiny();
EncoderConfig roformer_base();  // junnyu/roformer_chinese_base: BERT with RoPE, vocab 50000

const ArchitectureSpec& bert_spec();
const ArchitectureSpec& roformer_spec();

/// HF BertPreTrainedModel._init_weights: Linear and Embedding weights N(0, initializer_range),
/// biases 0, LayerNorm weight 1 and bias 0, the pad_token_id row of the token table 0. Also the
/// base init of DeepNet (embeddings, norms, pooler, MLM head) and of custom encoders.
void init_hf_normal(TransformerEncoderImpl& encoder);

namespace detail {
/// JunnYu's RoFormer config keys shared by v1 and V2: rotary_value must be false (RoPE on q, k
/// only), use_bias read when present.
void read_roformer_hf_keys(const nlohmann::json& hf, EncoderConfig& c);
/// The same keys written back, with `model_type` and `norm_type` ("layer_norm" | "rms_norm") and
/// architectures ["RoFormerModel"] (the layout JunnYu's package loads).
void write_roformer_hf_keys(const EncoderConfig& c,
                            const char* model_type,
                            const char* norm_type,
                            nlohmann::json& hf);
}  // namespace detail

}  // namespace sentzoo
