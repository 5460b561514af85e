#pragma once
// Pair scores from embeddings for the evaluators (REFERENCE.md §8): cosine, dot, negative
// Euclidean and negative Manhattan distance, so that higher always means more similar.

#include <torch/torch.h>

#include <string>
#include <vector>

namespace sentzoo {

enum class Similarity { kCosine, kDot, kEuclidean, kManhattan };

/// "cosine" | "dot" | "euclidean" | "manhattan"; an unknown name throws, listing the valid ones.
Similarity parse_similarity(const std::string& name);
std::string to_string(Similarity similarity);

/// Row-wise scores of a (N, D) and b (N, D), computed in float64: cos(a_i, b_i) (0 when a row
/// is zero, like sklearn's normalize), <a_i, b_i>, -|a_i - b_i|_2, -|a_i - b_i|_1.
std::vector<double> similarity_scores(const torch::Tensor& a,
                                      const torch::Tensor& b,
                                      Similarity similarity);

}  // namespace sentzoo
