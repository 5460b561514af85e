// make_loss(): the one switch from a config name to a loss function (and, for the softmax
// classifier, its head module). Parameter names and defaults follow sentence-transformers.

#include "losses/make_loss.h"

#include <fmt/format.h>

#include "losses/bce.h"
#include "losses/contrastive.h"
#include "losses/cosent.h"
#include "losses/cosine_mse.h"
#include "losses/in_batch_negatives.h"
#include "losses/json_params.h"
#include "losses/softmax_classifier.h"
#include "losses/triplet.h"

namespace sentzoo {

torch::Tensor Loss::operator()(const LossBatch& batch) const {
  const bool pair = input != LossInput::kCrossLogits;
  TORCH_CHECK(!pair || (batch.a.defined() && batch.b.defined()),
              name,
              ": needs embeddings a and b (",
              to_string(input),
              ")");
  TORCH_CHECK(pair || batch.logits.defined(), name, ": needs logits (cross_logits)");
  TORCH_CHECK(!needs_labels || batch.labels.defined(), name, ": needs labels");
  return compute(batch);
}

std::vector<torch::Tensor> Loss::parameters() const {
  return module ? module->parameters() : std::vector<torch::Tensor>{};
}

std::string to_string(LossInput input) {
  switch (input) {
    case LossInput::kPairEmbeddings:
      return "pair_embeddings";
    case LossInput::kAnchorPositiveNegatives:
      return "anchor_positive_negatives";
    case LossInput::kCrossLogits:
      return "cross_logits";
  }
  return "?";
}

std::vector<std::string> loss_names() {
  return {"cosent",
          "angle",
          "cosent_cross",
          "cosine_mse",
          "softmax",
          "contrastive",
          "online_contrastive",
          "mnrl",
          "mnrl_symmetric",
          "triplet",
          "bce",
          "cross_entropy"};
}

namespace {
// Loss parameters are free-form JSON: their ranges are checked here, where they are read.
void require_param(bool ok, const std::string& what, const char* key, double value,
                   const char* rule) {
  if (!ok)
    throw std::invalid_argument(
        fmt::format("{}: {} must be {}, found {}", what, key, rule, value));
}
}  // namespace

Loss make_loss(const std::string& name, const nlohmann::json& p) {
  using detail::check_keys;
  using detail::param_or;
  const std::string what = "loss '" + name + "'";
  Loss loss;
  loss.name = name;
  if (name == "cosent" || name == "angle" || name == "cosent_cross") {
    check_keys(p, {"scale"}, what);
    // Cross-encoder CoSENT ranks raw logits without λ (REFERENCE.md §4.4, interact_cosent.py).
    const double scale = param_or(p, "scale", name == "cosent_cross" ? 1.0 : kCoSENTScale, what);
    require_param(scale > 0, what, "scale", scale, "> 0");
    if (name == "cosent") {
      loss.compute = [scale](const LossBatch& b) {
        return cosent_embedding_loss(b.a, b.b, b.labels, scale);
      };
    } else if (name == "angle") {
      loss.compute = [scale](const LossBatch& b) { return angle_loss(b.a, b.b, b.labels, scale); };
    } else {
      loss.input = LossInput::kCrossLogits;
      loss.compute = [scale](const LossBatch& b) {
        return cosent_loss(b.logits.reshape({-1}), b.labels, scale);
      };
    }
  } else if (name == "cosine_mse") {
    check_keys(p, {"label_scale"}, what);
    const double label_scale = param_or(p, "label_scale", 1.0, what);
    require_param(label_scale != 0, what, "label_scale", label_scale, "!= 0");
    loss.compute = [label_scale](const LossBatch& b) {
      return cosine_mse_loss(b.a, b.b, b.labels, label_scale);
    };
  } else if (name == "softmax") {
    check_keys(p,
               {"dim",
                "num_labels",
                "concatenation_sent_rep",
                "concatenation_sent_difference",
                "concatenation_sent_multiplication"},
               what);
    SoftmaxFeatures f;
    f.rep = param_or(p, "concatenation_sent_rep", true, what);
    f.difference = param_or(p, "concatenation_sent_difference", true, what);
    f.multiplication = param_or(p, "concatenation_sent_multiplication", false, what);
    SoftmaxHead head(detail::param_required<int64_t>(p, "dim", what),
                     detail::param_required<int64_t>(p, "num_labels", what),
                     f);
    loss.module = head.ptr();
    loss.compute = [head](const LossBatch& b) mutable { return head->loss(b.a, b.b, b.labels); };
  } else if (name == "contrastive" || name == "online_contrastive") {
    const bool online = name == "online_contrastive";
    if (online) {
      check_keys(p, {"margin", "distance"}, what);
    } else {
      check_keys(p, {"margin", "distance", "size_average"}, what);
    }
    const double margin = param_or(p, "margin", kContrastiveMargin, what);
    require_param(margin >= 0, what, "margin", margin, ">= 0");
    const auto distance = parse_pair_distance(param_or<std::string>(p, "distance", "cosine", what));
    // Read only where it is accepted: the factory's reads are also its parameter list.
    const bool mean = online || param_or(p, "size_average", true, what);
    loss.compute = [=](const LossBatch& b) {
      return online ? online_contrastive_loss(b.a, b.b, b.labels, margin, distance)
                    : contrastive_loss(b.a, b.b, b.labels, margin, distance, mean);
    };
  } else if (name == "mnrl" || name == "mnrl_symmetric") {
    check_keys(p, {"scale"}, what);
    const double scale = param_or(p, "scale", kInBatchScale, what);
    require_param(scale > 0, what, "scale", scale, "> 0");
    const bool symmetric = name == "mnrl_symmetric";
    loss.input = LossInput::kAnchorPositiveNegatives;
    loss.needs_labels = false;
    loss.compute = [=](const LossBatch& b) {
      return in_batch_negatives_loss(b.a, b.b, b.negatives, scale, symmetric);
    };
  } else if (name == "triplet") {
    check_keys(p, {"margin", "distance"}, what);
    const double margin = param_or(p, "margin", kTripletMargin, what);
    require_param(margin >= 0, what, "margin", margin, ">= 0");
    const auto distance =
        parse_pair_distance(param_or<std::string>(p, "distance", "euclidean", what));
    loss.input = LossInput::kAnchorPositiveNegatives;
    loss.needs_labels = false;
    loss.compute = [=](const LossBatch& b) {
      TORCH_CHECK(b.negatives.size() == 1,
                  "triplet: needs exactly one negative per anchor, got ",
                  b.negatives.size());
      return triplet_loss(b.a, b.b, b.negatives[0], margin, distance);
    };
  } else if (name == "bce") {
    check_keys(p, {"pos_weight"}, what);
    const double pos_weight = param_or(p, "pos_weight", 0.0, what);
    require_param(pos_weight >= 0, what, "pos_weight", pos_weight, ">= 0");
    loss.input = LossInput::kCrossLogits;
    loss.compute = [pos_weight](const LossBatch& b) {
      return cross_encoder_bce_loss(b.logits, b.labels, pos_weight);
    };
  } else if (name == "cross_entropy") {
    check_keys(p, {}, what);
    loss.input = LossInput::kCrossLogits;
    loss.compute = [](const LossBatch& b) { return cross_encoder_ce_loss(b.logits, b.labels); };
  } else {
    throw std::invalid_argument("unknown loss '" + name +
                                "' (expected one of: " + detail::join_names(loss_names()) + ")");
  }
  return loss;
}

}  // namespace sentzoo
