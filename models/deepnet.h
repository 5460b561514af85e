#pragma once
// DeepNet / DeepNorm (Wang et al., "DeepNet: Scaling Transformers to 1,000 Layers", arXiv
// 2203.00555; microsoft/torchscale; Su's analysis, kexue.fm/archives/8978; REFERENCE.md §3): a
// post-LN encoder whose residual is up-weighted by alpha, x = LN(alpha x + G(x)), and whose v, o,
// fc1, fc2 are down-scaled by beta at init. Everything specific to it lives in deepnet.cpp: the
// constants (paper and Su's Adam variant), presets, rules, the three inits, the HF config rows.

#include <cmath>
#include <cstdint>

#include "models/architecture.h"

namespace sentzoo {

// ---- presets: BERT-sized post-LN encoder with DeepNorm (torchscale defaults) ----
EncoderConfig deepnet_tiny();
EncoderConfig deepnet_base();

const ArchitectureSpec& deepnet_spec();

/// The DeepNet part of the init for any config with deepnorm (deepnet or custom): every block's
/// attention and FFN by config.deepnorm_init, then v, o, fc1, fc2 times beta. Embeddings get
/// N(0, initializer_range). Run after init_hf_normal (models/bert.h), which covers the rest.
void init_deepnorm_layers(TransformerEncoderImpl& encoder);

namespace detail {
/// DeepNet encoder-only constants (arXiv 2203.00555 Table 1; REFERENCE §3.1): alpha = (2N)^1/4,
/// beta = (8N)^-1/4.
inline double deepnorm_alpha(int64_t n) { return std::pow(2.0 * n, 0.25); }
inline double deepnorm_beta(int64_t n) { return std::pow(8.0 * n, -0.25); }
/// Su's Adam variant (blog 8978, REFERENCE §3.3): alpha = (2N)^1/2, beta = (2N)^-1/2.
inline double deepnorm_adam_alpha(int64_t n) { return std::sqrt(2.0 * n); }
inline double deepnorm_adam_beta(int64_t n) { return 1.0 / std::sqrt(2.0 * n); }
}  // namespace detail

}  // namespace sentzoo
