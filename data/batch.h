#pragma once
// Padded tensors for tokenized examples: dynamic padding to the longest sequence of the batch
// (never to a global max), an int64 attention mask (1 = real token, 0 = padding) and labels.

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "data/encoding.h"

namespace sentzoo {

/// One side of a batch; every tensor is (B, T) int64 with T = the longest encoding in it.
struct Batch {
  torch::Tensor input_ids;       // pad_id where attention_mask is 0
  torch::Tensor attention_mask;  // int64: 1 = real token, 0 = padding (right-padded)
  torch::Tensor token_type_ids;  // 0 at padding
};

/// Dual encoders (bi-encoder, CoSENT, SBERT): text1 side, text2 side and one label per pair.
struct PairBatch {
  Batch a;                       // text1 (B, Ta)
  Batch b;                       // text2 (B, Tb)
  torch::Tensor labels;          // (B) float32, e.g. 0/1, 0..5 or an NLI class id as a float
  std::vector<int64_t> indices;  // example index of each row, for predictions
};

/// Cross encoders: one packed [CLS] a [SEP] b [SEP] sequence per pair.
struct CrossBatch {
  Batch joint;                   // (B, T)
  torch::Tensor labels;          // (B) float32; `.to(torch::kLong)` for class ids
  std::vector<int64_t> indices;  // example index of each row
};

struct CollateOptions {
  int64_t pad_id = 0;      // e.g. 0 ([PAD] in BERT vocabularies; RoFormerV2 requires 0)
  int64_t max_length = 0;  // e.g. 64; 0 = no limit. A longer encoding (the tokenizer should
                           // have truncated it) keeps its first max_length-1 tokens and its last
                           // token ([SEP]), so the sequence stays well formed
};

/// Pads encodings[indices[i]] into row i. Throws std::invalid_argument for an empty batch, an
/// out-of-range index or ids/type_ids of different lengths.
Batch collate(const std::vector<Encoding>& encodings,
              const std::vector<int64_t>& indices,
              const CollateOptions& options = {});

/// labels[indices[i]] as a (B) float32 tensor.
torch::Tensor collate_labels(const std::vector<double>& labels,
                             const std::vector<int64_t>& indices);

/// Both sides of pair i come from a[i] and b[i], its label from labels[i].
PairBatch collate_pairs(const std::vector<Encoding>& a,
                        const std::vector<Encoding>& b,
                        const std::vector<double>& labels,
                        const std::vector<int64_t>& indices,
                        const CollateOptions& options = {});

/// Packed pair i from joint[i], its label from labels[i].
CrossBatch collate_cross(const std::vector<Encoding>& joint,
                         const std::vector<double>& labels,
                         const std::vector<int64_t>& indices,
                         const CollateOptions& options = {});

/// Token count of each encoding (the bucketing key of a Batcher).
std::vector<int64_t> encoding_lengths(const std::vector<Encoding>& encodings);

/// Row indices in batches of similar length, for evaluation and encoding: a stable sort by
/// length, cut every batch_size rows (less padding than input order). Throws for batch_size < 1.
std::vector<std::vector<int64_t>> length_sorted_batches(const std::vector<int64_t>& lengths,
                                                        int64_t batch_size);

/// Called with (0, total) at the start and after each batch with (done, total) rows; may be
/// empty.
using Progress = std::function<void(int64_t done, int64_t total)>;

/// The one evaluation/encoding loop: pads the encodings batch by batch in length order
/// (length_sorted_batches, collate), runs `forward` on each (B, T) batch and returns its (B, ...)
/// outputs as one (N, ...) fp32 tensor in input order, on forward's device. N = 0 gives an
/// empty (0) tensor.
torch::Tensor forward_in_length_order(const std::vector<Encoding>& encodings,
                                      int64_t batch_size,
                                      const CollateOptions& options,
                                      const std::function<torch::Tensor(const Batch&)>& forward,
                                      const Progress& progress = {});

}  // namespace sentzoo
