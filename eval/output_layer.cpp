// Output layers for the unargmaxable-class audit, from model folders or safetensors files.
#include "eval/output_layer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

#include "data/tokenizer.h"
#include "io/safetensors.h"
#include "models/hf_weights.h"
#include "models/model_folder.h"

namespace sentzoo {
namespace {

std::vector<std::string> token_labels(const std::filesystem::path& path, int64_t classes) {
  const auto tokenizer = load_tokenizer(path);
  if (tokenizer->vocab_size() != classes)
    throw std::runtime_error(fmt::format("{}: {} tokens, but the output layer has {} classes",
                                         path.string(),
                                         tokenizer->vocab_size(),
                                         classes));
  std::vector<std::string> labels;
  labels.reserve(classes);
  for (int64_t id = 0; id < classes; ++id) labels.push_back(tokenizer->id_to_token(id));
  return labels;
}

OutputLayer mlm_head_layer(TransformerEncoderImpl& encoder, const std::string& where) {
  OutputLayer layer;
  layer.weight = encoder.embeddings->tok->weight.detach();
  if (encoder.mlm->bias.defined()) layer.bias = encoder.mlm->bias.detach();
  layer.description = fmt::format("MLM head of {} (decoder tied to the word embeddings, {})",
                                  where,
                                  layer.bias.defined() ? "with bias" : "no bias");
  return layer;
}

}  // namespace

OutputLayer output_layer_from_folder(const std::filesystem::path& dir) {
  OutputLayer layer;
  if (std::filesystem::exists(dir / "sentzoo.json")) {
    auto model = load_trained_model(dir);
    if (model.kind == "mlm") {
      layer = mlm_head_layer(*model.encoder, dir.string());
    } else if (model.kind == "cross") {
      layer.weight = model.cross->classifier->weight.detach();
      if (model.cross->classifier->bias.defined())
        layer.bias = model.cross->classifier->bias.detach();
      layer.description = fmt::format("classifier of the cross encoder {}", dir.string());
      return layer;  // its classes are labels, not tokens
    } else {
      throw std::runtime_error(fmt::format(
          "{}: a {} model has no output layer over classes; --weights FILE --weight NAME audits "
          "any matrix",
          dir.string(),
          model.kind));
    }
    layer.labels = token_labels(trained_model_tokenizer(dir, model.info), layer.weight.size(0));
    return layer;
  }
  const auto weights = read_hf_weight_file(dir.string());
  bool has_head = false;
  for (const auto& [name, tensor] : weights)
    has_head = has_head || name.rfind("cls.predictions.", 0) == 0;
  if (!has_head)
    throw std::runtime_error(fmt::format(
        "{}: no MLM head (cls.predictions.*) in the checkpoint, so no output layer over tokens; "
        "--weights FILE --weight NAME audits any matrix",
        dir.string()));
  auto encoder = load_hf_encoder(dir.string(), /*with_mlm_head=*/true);
  layer = mlm_head_layer(*encoder, dir.string());
  layer.labels = token_labels(dir, layer.weight.size(0));
  return layer;
}

OutputLayer output_layer_from_safetensors(const std::string& file,
                                          const std::string& weight_name,
                                          const std::string& bias_name,
                                          const std::string& vocab) {
  const auto tensors = read_safetensors(file);
  const auto find = [&](const std::string& name) {
    const auto it = tensors.find(name);
    if (it == tensors.end()) {
      std::vector<std::string> names;
      for (const auto& [n, t] : tensors) names.push_back(n);
      throw std::runtime_error(
          fmt::format("{}: no tensor '{}' (it holds: {})", file, name, fmt::join(names, ", ")));
    }
    return it->second;
  };
  OutputLayer layer;
  layer.weight = find(weight_name);
  if (layer.weight.dim() != 2)
    throw std::runtime_error(
        fmt::format("{}: '{}': expected a matrix (classes, dim), found shape {}",
                    file,
                    weight_name,
                    fmt::join(layer.weight.sizes(), "x")));
  if (!bias_name.empty()) {
    layer.bias = find(bias_name);
    if (layer.bias.dim() != 1 || layer.bias.size(0) != layer.weight.size(0))
      throw std::runtime_error(fmt::format(
          "{}: '{}': expected a vector of {} values (one per row of '{}'), found shape {}",
          file,
          bias_name,
          layer.weight.size(0),
          weight_name,
          fmt::join(layer.bias.sizes(), "x")));
  }
  layer.description = fmt::format("{} in {}{}",
                                  weight_name,
                                  file,
                                  bias_name.empty() ? " (no bias)" : " with bias " + bias_name);
  if (!vocab.empty()) layer.labels = token_labels(vocab, layer.weight.size(0));
  return layer;
}

}  // namespace sentzoo
