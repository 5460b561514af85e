#pragma once
// The softmax output layer a `sentzoo-audit` run checks (REFERENCE.md §11): from a model folder
// (a sentzoo training folder: the MLM head of an "mlm" model, the classifier of a "cross" model;
// or a Hugging Face checkpoint with an MLM head) or from a bare matrix in a safetensors file.

#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

namespace sentzoo {

struct OutputLayer {
  torch::Tensor weight;             // (C, d): logits = weight z + bias
  torch::Tensor bias;               // (C), or undefined when the layer has none
  std::vector<std::string> labels;  // a name per class (tokens of the vocabulary), or empty
  std::string description;          // e.g. "MLM head of runs/mlm/best (tied word embeddings)"
};

/// The output layer of a model folder. An MLM head's decoder is the word-embedding matrix (tied,
/// as in BERT and RoFormerV2) with the head's bias if it has one; labels are the tokenizer's.
/// Throws std::runtime_error naming the folder when it has no such layer (a dual encoder, a
/// checkpoint without an MLM head).
OutputLayer output_layer_from_folder(const std::filesystem::path& dir);

/// The matrix `weight_name` (2-D) and the vector `bias_name` (empty: none) of a safetensors file;
/// `vocab` (empty: none) names a vocab.txt / tokenizer.json / folder whose tokens label the rows.
OutputLayer output_layer_from_safetensors(const std::string& file,
                                          const std::string& weight_name,
                                          const std::string& bias_name,
                                          const std::string& vocab);

}  // namespace sentzoo
