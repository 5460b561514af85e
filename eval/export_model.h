#pragma once
// sentzoo-export's work: a checkpoint folder (sentzoo training output, sentence-transformers
// folder, or plain Hugging Face encoder folder) -> a DualEncoder / CrossEncoder -> TorchScript
// (models/export.h) with metadata, config and tokenizer inside. Flags fill in what the folder
// does not say; a flag contradicting the folder is an error.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "models/dual_encoder.h"

namespace sentzoo {

struct ExportRequest {
  std::filesystem::path checkpoint;    // e.g. runs/x (or runs/x/best), an ST or HF folder
  std::filesystem::path output;        // e.g. model.pt
  std::string format = "torchscript";  // "torchscript" | "huggingface" (sentence-transformers)
  std::optional<std::string> kind;     // "dual" | "cross"; plain HF folders: default dual
  std::optional<std::string> pooling;  // e.g. "mean"; plain HF folders: default mean
  std::optional<bool> normalize;       // L2-normalise the output (plain HF: default false)
  std::optional<int64_t> max_length;   // tokenizer max length (default: folder, else 512)
};

/// Writes the export and returns its metadata.json. Throws std::invalid_argument for a request
/// that contradicts the folder (usage), std::runtime_error when the folder cannot be used.
nlohmann::json export_model(const ExportRequest& request);

/// A dual encoder as a sentence-transformers folder, written atomically (docs/LAYOUTS.md): the
/// encoder at the root (BERT: transformers; RoFormer, RoFormerV2: the roformer package's layout;
/// DeepNet: torchscale's layout, with sentzoo_st.py as module 0 for the last two), vocab.txt,
/// tokenizer_config.json, special_tokens_map.json, sentence_bert_config.json, modules.json,
/// 1_Pooling/config.json, then 2_Dense/ and a Normalize module when the model has them.
/// Throws std::invalid_argument for what sentence-transformers cannot express.
void save_sentence_transformer(DualEncoderImpl& model,
                               const std::filesystem::path& dir,
                               const nlohmann::json& meta,
                               const std::filesystem::path& tokenizer);

}  // namespace sentzoo
