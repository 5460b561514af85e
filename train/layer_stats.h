#pragma once
// Per-layer statistics of one optimizer step (issue #17 items 1-2: DeepNet's "model update"
// figure, gradient norms per layer at initialisation): for each group of parameters, the norm of
// its gradient (unscaled, before clipping), of its weights, and of the update the optimizer made,
// |W_after - W_before|. Groups: "embeddings", "layers.K" for every encoder layer K, and "other"
// (heads, pooler, final norm, loss-weighting parameters). A dual encoder with two towers has
// both towers' layer K in "layers.K" (and both embeddings in "embeddings").

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace sentzoo {

/// The group of a parameter name: "layers.3" for "encoder.layers.3.attn.q.weight",
/// "embeddings" for a name with an "embeddings." part, "other" otherwise.
std::string layer_group(const std::string& parameter_name);

struct LayerGroupStats {
  std::string group;  // e.g. "layers.3"
  double grad_norm = 0;
  double weight_norm = 0;
  double update_norm = 0;
};

class LayerStats {
 public:
  /// `named`: the trained parameters with their names (Module::named_parameters order).
  explicit LayerStats(const std::vector<std::pair<std::string, torch::Tensor>>& named);
  /// Before the optimizer step: records the gradient norms (call after unscaling, before
  /// clipping) and copies the weights.
  void before_update();
  /// After the optimizer step: the groups in order (embeddings, layers.0 .. layers.N-1, other),
  /// norms accumulated in float64.
  std::vector<LayerGroupStats> after_update();

 private:
  std::vector<std::string> groups_;                          // display order
  std::vector<std::pair<size_t, torch::Tensor>> parameters_;  // (group index, parameter)
  std::vector<torch::Tensor> before_;
  std::vector<double> grad_sq_;
};

}  // namespace sentzoo
