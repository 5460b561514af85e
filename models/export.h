#pragma once
// TorchScript export (TOOLCHAIN.md §5, route B): the native DualEncoder / CrossEncoder is written
// out as generated TorchScript source (layers unrolled, shapes read at run time, so any batch
// size and length works) compiled with torch::jit::Module::define(), weights registered as
// parameters. forward(input_ids, attention_mask, token_type_ids=None) returns what the native
// forward returns: pooled (+ dense, + L2) sentence vectors (B, D) or cross logits (B) / (B, K).
// The archive carries config.json, metadata.json and the tokenizer file, so it alone serves the
// model. This is the only file that compiles TorchScript; the source comes from each module's
// script() beside its forward (models/script.h).

#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "models/cross_encoder.h"
#include "models/dual_encoder.h"

namespace sentzoo {

/// The dual encoder as a scripted module (fp32 CPU copies of the weights). When the towers are
/// not shared, forward() is side 0 (queries) and forward_side1() side 1 (documents).
torch::jit::Module script_dual_encoder(DualEncoderImpl& model);
/// The cross encoder as a scripted module: forward -> logits (B) or (B, K).
torch::jit::Module script_cross_encoder(CrossEncoderImpl& model);

/// Extra files stored inside a TorchScript archive.
struct ExportFiles {
  nlohmann::json metadata;          // kind, architecture, pooling, normalize, max_length, ...
  nlohmann::json config;            // the encoder config (EncoderConfig JSON)
  std::filesystem::path tokenizer;  // vocab.txt, a SentencePiece .model or a tokenizer.json
                                    // (stored with a vocab.txt of its vocabulary); may be empty
};

/// Saves `module` to `path` (atomically) with config.json, metadata.json and vocab.txt,
/// sentencepiece.model or tokenizer.json + vocab.txt inside.
void save_torchscript(torch::jit::Module& module,
                      const std::filesystem::path& path,
                      const ExportFiles& files);

/// A loaded archive: the module (eval mode) and its extra files by name ("metadata.json", ...;
/// a file the archive lacks maps to "").
struct LoadedTorchScript {
  torch::jit::Module module;
  std::map<std::string, std::string> files;
  nlohmann::json metadata;
};
/// Loads an archive written by save_torchscript; throws std::runtime_error naming the path when
/// it is not one.
LoadedTorchScript load_torchscript(const std::filesystem::path& path);

namespace detail {
/// The generated TorchScript source of a dual / cross encoder (for reading and tests).
std::string dual_encoder_source(DualEncoderImpl& model);
std::string cross_encoder_source(CrossEncoderImpl& model);
}  // namespace detail

}  // namespace sentzoo
