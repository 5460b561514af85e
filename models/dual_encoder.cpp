// DualEncoder (sentence-transformers SentenceTransformer: Transformer -> Pooling -> Dense ->
// Normalize).

#include "models/dual_encoder.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "core/json_text.h"
#include "models/hf_weights.h"
#include "models/module_tensors.h"
#include "models/script.h"
#include "models/st_reference_module.h"

namespace sentzoo {

// ---- DualEncoder ----

void DualEncoderConfig::validate() const {
  encoder.validate();
  pooling.validate();
  if (parse_pooling(pooling.mode) == Pooling::kFirstLastAvg && encoder.num_layers < 1)
    throw std::invalid_argument("DualEncoderConfig: first_last_avg needs >= 1 layer");
}

DualEncoderConfig parse_dual_encoder_config(const nlohmann::json& j) {
  nlohmann::json top = j;
  nlohmann::json pool = top.contains("pooling") ? top["pooling"] : nlohmann::json::object();
  top.erase("pooling");
  auto config = detail::parse_with_encoder<DualEncoderConfig>(top, "DualEncoderConfig");
  config.pooling = parse_config<PoolingConfig>(pool, "DualEncoderConfig.pooling");
  config.validate();
  return config;
}

DualEncoderImpl::DualEncoderImpl(const DualEncoderConfig& c)
    : config(c),
      pooling(parse_pooling(c.pooling.mode)),
      dense_tanh(c.pooling.dense_activation == "tanh") {
  config.validate();
  tower = register_module("tower", make_encoder(c.encoder));
  if (!c.shared) tower_b = register_module("tower_b", make_encoder(c.encoder));
  if (c.pooling.dense_dim > 0)
    dense = register_module("dense", torch::nn::Linear(c.encoder.hidden_size, c.pooling.dense_dim));
}

torch::Tensor DualEncoderImpl::forward(const torch::Tensor& ids,
                                       const torch::Tensor& mask,
                                       const torch::Tensor& segments,
                                       int side) {
  TORCH_CHECK(side == 0 || side == 1, "DualEncoder: side must be 0 or 1, got ", side);
  auto& enc = (side == 1 && tower_b) ? tower_b : tower;
  auto out =
      enc->forward(ids, mask, segments, /*output_hidden_states=*/pooling == Pooling::kFirstLastAvg);
  auto x = pool(out, pooling);  // (B, h)
  if (dense) {
    x = dense(x);
    if (dense_tanh) x = torch::tanh(x);
  }
  if (config.pooling.normalize)
    x = torch::nn::functional::normalize(
        x.to(torch::kFloat), torch::nn::functional::NormalizeFuncOptions().p(2).dim(-1));
  return x;
}

void DualEncoderImpl::script(ScriptWriter& s) const {
  auto side = [&](const std::string& method, const TransformerEncoder& enc, const char* fn) {
    enc->script(s, fn);
    if (enc->pooler) s.unused(*enc->pooler);  // pooling reads the token states, not pooler_output
    s.begin("def " + method +
            "(self, input_ids: Tensor, attention_mask: Tensor, token_type_ids: Optional[Tensor] = "
            "None) -> Tensor:");
    s.line(fmt::format("last, first = self.{}(input_ids, attention_mask, token_type_ids)", fn));
    s.line("x = " + pool_script(s, pooling, "last", "first", "attention_mask"));
    if (dense) {
      s.line(fmt::format(
          "x = torch.linear(x, {}, {})", s.weight(dense->weight), s.optional_weight(dense->bias)));
      if (dense_tanh) s.line("x = torch.tanh(x)");
    }
    if (config.pooling.normalize) {  // F::normalize(x.float(), p=2, dim=-1), eps 1e-12
      s.line("x = x.float()");
      s.line("x = x / x.norm(2, [-1], True).clamp_min(1e-12).expand_as(x)");
    }
    s.line("return x");
    s.end();
  };
  side("forward", tower, "_tower_a");
  if (tower_b) side("forward_side1", tower_b, "_tower_b");
}

// ---- sentence-transformers folders ----

namespace {
nlohmann::json read_json(const std::filesystem::path& path) {
  return read_json_file(path.string());
}
}  // namespace

DualEncoder load_sentence_transformer(const std::string& dir) {
  namespace fs = std::filesystem;
  const fs::path root(dir);
  const auto modules_path = (root / "modules.json").string();
  DualEncoderConfig config;
  std::string pooling_dir = "1_Pooling", dense_dir;
  for (const auto& m : read_json(root / "modules.json")) {
    const auto type = m.at("type").get<std::string>();
    if (type == "sentence_transformers.models.Transformer" || type == kStReferenceModule) {
      continue;  // the encoder at the root (models/st_reference_module.h for the second type)
    } else if (type == "sentence_transformers.models.Pooling") {
      pooling_dir = m.at("path").get<std::string>();
    } else if (type == "sentence_transformers.models.Dense" && dense_dir.empty()) {
      dense_dir = m.at("path").get<std::string>();
    } else if (type == "sentence_transformers.models.Normalize") {
      config.pooling.normalize = true;
    } else {
      throw std::runtime_error(
          fmt::format("{}: expected Transformer, Pooling, one Dense or Normalize modules, found {}",
                      modules_path,
                      type));
    }
  }
  // models/Pooling.py config keys -> our modes; exactly one must be on.
  const std::vector<std::pair<std::string, std::string>> modes = {
      {"pooling_mode_cls_token", "cls"},
      {"pooling_mode_mean_tokens", "mean"},
      {"pooling_mode_max_tokens", "max"},
      {"pooling_mode_weightedmean_tokens", "weighted_mean"},
      {"pooling_mode_lasttoken", "last_token"},
      {"pooling_mode_mean_sqrt_len_tokens", ""}};
  const auto pool_path = root / pooling_dir / "config.json";
  const auto pool = read_json(pool_path);
  std::vector<std::string> on;
  for (const auto& [key, mode] : modes)
    if (pool.value(key, false)) on.push_back(mode.empty() ? key : mode);
  if (on.size() != 1 || on[0].rfind("pooling_mode", 0) == 0)
    throw std::runtime_error(
        fmt::format("{}: expected exactly one supported pooling mode, found [{}]",
                    pool_path.string(),
                    fmt::join(on, ", ")));
  config.pooling.mode = on[0];
  auto encoder = load_hf_encoder(dir);
  config.encoder = encoder->config;
  TensorMap dense_weights;
  if (!dense_dir.empty()) {
    // models/Dense.py: config.json {in_features, out_features, bias, activation_function} and
    // linear.weight / linear.bias in model.safetensors (or a plain-dict pytorch_model.bin).
    const auto dense_path = (root / dense_dir / "config.json").string();
    const auto d = read_json(dense_path);
    const auto act =
        d.value("activation_function", std::string("torch.nn.modules.activation.Tanh"));
    if (act == "torch.nn.modules.activation.Tanh")
      config.pooling.dense_activation = "tanh";
    else if (act == "torch.nn.modules.linear.Identity")
      config.pooling.dense_activation = "identity";
    else
      throw std::runtime_error(
          fmt::format("{}: activation_function '{}' is not supported (expected "
                      "torch.nn.modules.activation.Tanh or torch.nn.modules.linear.Identity)",
                      dense_path,
                      act));
    if (!d.value("bias", true) || d.value("in_features", int64_t{-1}) != config.encoder.hidden_size)
      throw std::runtime_error(
          fmt::format("{}: expected bias true and in_features {} (the encoder's width), found {}",
                      dense_path,
                      config.encoder.hidden_size,
                      d.dump()));
    config.pooling.dense_dim = d.at("out_features").get<int64_t>();
    dense_weights = read_hf_weight_file((root / dense_dir).string());
  }
  DualEncoder model(config);
  model->tower = model->replace_module("tower", encoder);
  if (model->dense) {
    TensorMap renamed;
    for (const auto& [k, v] : dense_weights)
      renamed[k.rfind("linear.", 0) == 0 ? k.substr(7) : k] = v;
    load_module_tensors(*model->dense, renamed, (root / dense_dir).string());
  }
  return model;
}

}  // namespace sentzoo
