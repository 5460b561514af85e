#pragma once
// The model a training run ships (DIR/best/): the encoder in Hugging Face layout (config.json,
// model.safetensors), the tokenizer (vocab.txt, sentencepiece.model, or tokenizer.json with its
// vocab.txt beside it), sentzoo.json (what kind
// of model, pooling, head, tokenizer and its settings) and heads.safetensors (weights outside the
// encoder: dense projection, classifier, second tower). load_trained_model() rebuilds the exact
// module from such a folder. Moved here from train/ (issue #12): eval/ reads these folders too.

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

/// Writes the folder atomically. `module` is the DualEncoder / CrossEncoder (its tensors outside
/// `encoder` go to heads.safetensors) or the encoder itself (MLM: no heads); `info` must hold
/// "kind" and the head settings. The tokenizer file (vocab.txt or a SentencePiece .model) is
/// copied in under its canonical name and named in sentzoo.json "tokenizer".
void save_trained_model(const std::filesystem::path& dir,
                        TransformerEncoderImpl& encoder,
                        torch::nn::Module& module,
                        nlohmann::json info,
                        const std::filesystem::path& tokenizer);

/// The tokenizer file of a folder written by save_trained_model (`info` = its sentzoo.json).
std::filesystem::path trained_model_tokenizer(const std::filesystem::path& dir,
                                              const nlohmann::json& info);

/// Rebuilds the model saved by save_trained_model (in eval mode, CPU).
TrainedModel load_trained_model(const std::filesystem::path& dir);

}  // namespace sentzoo
