#pragma once
// The model a training run ships (DIR/best/): the encoder in Hugging Face layout (config.json,
// model.safetensors, vocab.txt) plus sentzoo.json (what kind of model, pooling, head, tokenizer
// settings) and heads.safetensors (weights outside the encoder: dense projection, classifier,
// second tower). load_trained_model() rebuilds the exact module from such a folder.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "models/cross_encoder.h"
#include "models/dual_encoder.h"

namespace sentzoo {

struct TrainedModel {
  std::string kind;                     // "dual" | "cross" | "mlm"
  nlohmann::json info;                  // sentzoo.json
  DualEncoder dual{nullptr};            // kind dual
  CrossEncoder cross{nullptr};          // kind cross
  TransformerEncoder encoder{nullptr};  // always: the encoder inside
};

/// Writes the folder atomically. `module` is the DualEncoder / CrossEncoder / encoder of the
/// task; `info` must hold "kind" and the head settings; `vocab` is copied in as vocab.txt.
void save_trained_model(const std::filesystem::path& dir,
                        TransformerEncoderImpl& encoder,
                        torch::nn::Module& module,
                        const nlohmann::json& info,
                        const std::filesystem::path& vocab);

/// Rebuilds the model saved by save_trained_model (in eval mode, CPU).
TrainedModel load_trained_model(const std::filesystem::path& dir);

}  // namespace sentzoo
