#pragma once
// Weight initialisers per architecture: BERT/RoFormer normal(0, 0.02); RoFormerV2's truncated
// normal (REFERENCE.md §1.3); DeepNet's torchscale or paper init (REFERENCE.md §3.2).

#include <torch/torch.h>

namespace sentzoo {

struct TransformerEncoderImpl;

/// Fills t in place from N(0, std^2) truncated to [-2 std, 2 std] (LibTorch 1.13 has no
/// trunc_normal_; inverse-CDF method in float64). Uses the global torch RNG.
void trunc_normal_(torch::Tensor t, double std);

/// RoFormerV2 std for a weight (REFERENCE §1.3): 1.13684723 / sqrt(fan) / sqrt(L).
/// linear: fan = in_features; embedding (rows, h): fan = h if rows > 10000 or rows < 10 else rows.
double roformer_v2_init_std(const torch::Tensor& weight, bool is_embedding, int64_t num_layers);

/// Initialises every parameter of the encoder by its config.architecture:
/// bert/roformer: HF _init_weights; roformer_v2: bert4keras truncated normal;
/// deepnet: torchscale (default) or xavier_normal(gain=beta) (config.deepnorm_init).
void init_encoder_weights(TransformerEncoderImpl& encoder);

}  // namespace sentzoo
