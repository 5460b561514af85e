#pragma once
// "architecture": "custom": any combination of the EncoderConfig switches that the shared wiring
// can build (pre-norm with a final norm, no embedding norm, RMS norm with biases, DeepNorm on any
// post-norm stack, a tied MLM head on BERT, ...). For experiments and ablations; each of the four
// published families is its own architecture (models/architecture.h lists the rules).

#include "models/architecture.h"

namespace sentzoo {

const ArchitectureSpec& custom_spec();

}  // namespace sentzoo
