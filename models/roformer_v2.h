#pragma once
// RoFormerV2 as released (Su, kexue.fm/archives/8998; bert4keras models.py RoFormerV2; JunnYu's
// PyTorch port; REFERENCE.md §1): RoPE on q and k, no bias anywhere, a parameter-free RMS norm
// post-norm and after the embeddings, an MLM head x E_tok^T without transform or bias, no
// pooler. Everything specific to it lives in roformer_v2.cpp: presets, the rule of which configs
// are RoFormerV2, bert4keras's truncated-normal init, and the HF config rows.

#include <torch/torch.h>

#include "models/architecture.h"

namespace sentzoo {

// ---- presets (REFERENCE §1.4) ----
EncoderConfig roformer_v2_tiny();
EncoderConfig roformer_v2_small();  // L 6, h 384, 6 heads, FFN 1536, vocab 12000
EncoderConfig roformer_v2_base();   // L 12, h 768, 12 heads, FFN 3072
EncoderConfig roformer_v2_large();  // L 24, h 1024, 16 heads, FFN 4096

const ArchitectureSpec& roformer_v2_spec();

/// Fills t in place from N(0, std^2) truncated to [-2 std, 2 std] (LibTorch 1.13 has no
/// trunc_normal_; inverse-CDF method in float64). Uses the global torch RNG.
void trunc_normal_(torch::Tensor t, double std);

/// RoFormerV2 std for a weight (REFERENCE §1.3): 1.13684723 / sqrt(fan) / sqrt(L).
/// linear: fan = in_features; embedding (rows, h): fan = h if rows > 10000 or rows < 10 else rows.
double roformer_v2_init_std(const torch::Tensor& weight, bool is_embedding, int64_t num_layers);

}  // namespace sentzoo
