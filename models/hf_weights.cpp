// HF name map and checkpoint I/O (REFERENCE.md §1.1 "Checkpoint mapping", §1.5; TOOLCHAIN §6).
// What differs by family (model_type, family keys, prefixes, extra rows) comes from the
// family's spec (models/architecture.h).

#include "models/hf_weights.h"

#include <fmt/format.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <vector>

#include "core/json_text.h"
#include "io/atomic_file.h"
#include "models/module_tensors.h"
#include "models/torchscale_weights.h"

namespace sentzoo {

namespace {

// Our name (layer index as {i}) -> HF BertModel / RoFormerModel name, shared by every family.
// RoFormerV2 uses the same names minus every bias and LayerNorm entry (its model simply has
// none of those parameters); a family's own rows are ArchitectureSpec::hf_rows.
const std::vector<std::pair<std::string, std::string>> kNameMap = {
    {"embeddings.tok.weight", "embeddings.word_embeddings.weight"},
    {"embeddings.seg.weight", "embeddings.token_type_embeddings.weight"},
    {"embeddings.pos.weight", "embeddings.position_embeddings.weight"},
    {"embeddings.norm.weight", "embeddings.LayerNorm.weight"},
    {"embeddings.norm.bias", "embeddings.LayerNorm.bias"},
    {"layers.{i}.attn.q.weight", "encoder.layer.{i}.attention.self.query.weight"},
    {"layers.{i}.attn.q.bias", "encoder.layer.{i}.attention.self.query.bias"},
    {"layers.{i}.attn.k.weight", "encoder.layer.{i}.attention.self.key.weight"},
    {"layers.{i}.attn.k.bias", "encoder.layer.{i}.attention.self.key.bias"},
    {"layers.{i}.attn.v.weight", "encoder.layer.{i}.attention.self.value.weight"},
    {"layers.{i}.attn.v.bias", "encoder.layer.{i}.attention.self.value.bias"},
    {"layers.{i}.attn.o.weight", "encoder.layer.{i}.attention.output.dense.weight"},
    {"layers.{i}.attn.o.bias", "encoder.layer.{i}.attention.output.dense.bias"},
    {"layers.{i}.norm1.weight", "encoder.layer.{i}.attention.output.LayerNorm.weight"},
    {"layers.{i}.norm1.bias", "encoder.layer.{i}.attention.output.LayerNorm.bias"},
    {"layers.{i}.ffn.fc1.weight", "encoder.layer.{i}.intermediate.dense.weight"},
    {"layers.{i}.ffn.fc1.bias", "encoder.layer.{i}.intermediate.dense.bias"},
    {"layers.{i}.ffn.fc2.weight", "encoder.layer.{i}.output.dense.weight"},
    {"layers.{i}.ffn.fc2.bias", "encoder.layer.{i}.output.dense.bias"},
    {"layers.{i}.norm2.weight", "encoder.layer.{i}.output.LayerNorm.weight"},
    {"layers.{i}.norm2.bias", "encoder.layer.{i}.output.LayerNorm.bias"},
    {"pooler.weight", "pooler.dense.weight"},
    {"pooler.bias", "pooler.dense.bias"},
    {"mlm.transform.weight", "cls.predictions.transform.dense.weight"},
    {"mlm.transform.bias", "cls.predictions.transform.dense.bias"},
    {"mlm.norm.weight", "cls.predictions.transform.LayerNorm.weight"},
    {"mlm.norm.bias", "cls.predictions.transform.LayerNorm.bias"},
    {"mlm.bias", "cls.predictions.bias"},
};

// HF keys that carry no information for us: buffers, the sinusoidal RoPE table (recomputed),
// and the tied decoder (= word embeddings, and its bias = cls.predictions.bias).
const std::vector<std::string> kIgnoredAlways = {"embeddings.position_ids",
                                                 "encoder.embed_positions.weight",
                                                 "cls.predictions.decoder.weight",
                                                 "cls.predictions.decoder.bias"};

// Base-model prefixes of *ForMaskedLM files ("bert.", "roformer."), from every family.
std::string strip_prefix(const std::string& key) {
  for (const auto* spec : all_architectures()) {
    const auto& p = spec->hf_prefix;
    if (!p.empty() && key.rfind(p, 0) == 0) return key.substr(p.size());
  }
  return key;
}

}  // namespace

std::string hf_weight_name(const std::string& ours) {
  static const std::regex layer_re(R"(^layers\.(\d+)\.(.*)$)");
  std::smatch m;
  std::string key = ours, index;
  if (std::regex_match(ours, m, layer_re)) {
    index = m[1];
    key = "layers.{i}." + m[2].str();
  }
  auto lookup = [&](const std::vector<std::pair<std::string, std::string>>& rows,
                    std::string& out) {
    for (const auto& [from, to] : rows) {
      if (from != key) continue;
      out = to;
      const auto pos = out.find("{i}");
      if (pos != std::string::npos) out.replace(pos, 3, index);
      return true;
    }
    return false;
  };
  std::string out;
  if (lookup(kNameMap, out)) return out;
  for (const auto* spec : all_architectures())
    if (lookup(spec->hf_rows, out)) return out;
  throw std::invalid_argument(fmt::format("hf_weight_name: no HF name for parameter '{}'", ours));
}

// ---- config ----

EncoderConfig encoder_config_from_hf(const nlohmann::json& hf) {
  if (hf.contains("sentzoo"))
    return parse_config<EncoderConfig>(hf["sentzoo"], "config.json: sentzoo");
  const ArchitectureSpec* family = nullptr;
  for (const auto* spec : all_architectures())
    if (!family && spec->hf_claims && spec->hf_claims(hf)) family = spec;
  if (!family)
    throw std::invalid_argument(
        fmt::format("config.json: expected model_type 'bert' or 'roformer', found '{}'",
                    detail::hf_string(hf, "model_type", "")));
  EncoderConfig c = family->hf_config_in(hf);
  c.vocab_size = hf.at("vocab_size").get<int64_t>();
  c.hidden_size = hf.at("hidden_size").get<int64_t>();
  c.num_layers = hf.at("num_hidden_layers").get<int64_t>();
  c.num_heads = hf.at("num_attention_heads").get<int64_t>();
  c.intermediate_size = hf.at("intermediate_size").get<int64_t>();
  c.hidden_act =
      detail::enum_parse<Activation>(detail::hf_string(hf, "hidden_act", to_string(c.hidden_act)));
  c.max_position_embeddings = hf.value("max_position_embeddings", c.max_position_embeddings);
  c.type_vocab_size = hf.value("type_vocab_size", c.type_vocab_size);
  c.norm_eps = hf.value("layer_norm_eps", c.norm_eps);
  c.hidden_dropout = hf.value("hidden_dropout_prob", c.hidden_dropout);
  c.attention_dropout = hf.value("attention_probs_dropout_prob", c.attention_dropout);
  c.initializer_range = hf.value("initializer_range", c.initializer_range);
  if (hf.contains("pad_token_id") && !hf["pad_token_id"].is_null())
    c.pad_token_id = hf["pad_token_id"].get<int64_t>();
  if (hf.contains("embedding_size") && !hf["embedding_size"].is_null() &&
      hf["embedding_size"].get<int64_t>() != c.hidden_size)
    throw std::invalid_argument(
        fmt::format("config.json: embedding_size {} != hidden_size {} is not supported",
                    hf["embedding_size"].get<int64_t>(),
                    c.hidden_size));
  c.validate();
  return c;
}

nlohmann::json encoder_config_to_hf(const EncoderConfig& c) {
  nlohmann::json j;
  architecture_spec(c.architecture).hf_config_out(c, j);  // model_type, architectures, ...
  j["vocab_size"] = c.vocab_size;
  j["hidden_size"] = c.hidden_size;
  j["embedding_size"] = c.hidden_size;
  j["num_hidden_layers"] = c.num_layers;
  j["num_attention_heads"] = c.num_heads;
  j["intermediate_size"] = c.intermediate_size;
  j["hidden_act"] = c.hidden_act;
  j["max_position_embeddings"] = c.max_position_embeddings;
  j["type_vocab_size"] = c.type_vocab_size;
  j["layer_norm_eps"] = c.norm_eps;
  j["hidden_dropout_prob"] = c.hidden_dropout;
  j["attention_probs_dropout_prob"] = c.attention_dropout;
  j["initializer_range"] = c.initializer_range;
  j["pad_token_id"] = c.pad_token_id;
  j["sentzoo"] = c;
  return j;
}

// ---- weights ----

void load_hf_weights(TransformerEncoderImpl& enc,
                     const TensorMap& weights,
                     const std::string& source) {
  TensorMap by_name;
  for (const auto& [k, v] : weights) by_name[strip_prefix(k)] = v;
  ParameterNaming naming;
  naming.layout = fmt::format("the {} encoder", to_string(enc.config.architecture));
  naming.file_name = [](const std::string& key) { return hf_weight_name(key); };
  naming.ignored = [&enc](const std::string& k) {
    return std::find(kIgnoredAlways.begin(), kIgnoredAlways.end(), k) != kIgnoredAlways.end() ||
           (!enc.pooler && k.rfind("pooler.", 0) == 0) ||  // pooler not requested
           (!enc.mlm && k.rfind("cls.", 0) == 0);          // MLM head not requested
  };
  load_parameters_by_name(enc, by_name, naming, source);
}

namespace detail {
torch::Tensor roformer_sinusoidal_table(int64_t rows, int64_t dim) {
  // roformer 0.4.3 RoFormerSinusoidalPositionalEmbedding._init_weight: angle(p, j) =
  // p / 10000^(2 (j // 2) / dim) in float64; sin of the even j in the first half, cos of the odd
  // j in the second, cast to float32.
  auto table = torch::empty({rows, dim}, torch::kFloat64);
  auto t = table.accessor<double, 2>();
  const int64_t half = dim / 2;
  for (int64_t p = 0; p < rows; ++p)
    for (int64_t k = 0; k < half; ++k) {
      const double angle = static_cast<double>(p) / std::pow(10000.0, 2.0 * k / dim);
      t[p][k] = std::sin(angle);
      t[p][half + k] = std::cos(angle);
    }
  return table.to(torch::kFloat);
}
}  // namespace detail

TensorMap hf_weights(TransformerEncoderImpl& enc) {
  // With an MLM head, write the *ForMaskedLM layout ("bert."/"roformer." + "cls."): transformers
  // refuses unprefixed base keys mixed with "cls." keys ("state dictionary ... corrupted").
  const std::string prefix = !enc.mlm ? "" : architecture_spec(enc.config.architecture).hf_prefix;
  TensorMap out;
  for (const auto& item : enc.named_parameters()) {
    std::string name = hf_weight_name(item.key());
    if (name.rfind("cls.", 0) != 0) name = prefix + name;
    out[name] = item.value().detach().to(torch::kFloat).contiguous().clone();
  }
  const auto& c = enc.config;
  if (architecture_spec(c.architecture).hf_sinusoidal_table)
    out[prefix + "encoder.embed_positions.weight"] =
        detail::roformer_sinusoidal_table(c.max_position_embeddings, c.head_dim());
  return out;
}

TensorMap read_hf_weight_file(const std::string& dir) {
  namespace fs = std::filesystem;
  const fs::path st = fs::path(dir) / "model.safetensors";
  if (fs::exists(st)) return read_safetensors(st.string());
  const fs::path bin = fs::path(dir) / "pytorch_model.bin";
  if (!fs::exists(bin))
    throw std::runtime_error(
        fmt::format("{}: expected model.safetensors or pytorch_model.bin, found neither", dir));
  std::ifstream in(bin, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string hint = fmt::format(
      "\n---> HINT: torch::pickle_load reads only a plain dict of tensors (TOOLCHAIN.md §6); "
      "convert "
      "once with: python3 -c \"import torch, safetensors.torch as s; sd = torch.load('{0}', "
      "map_location='cpu'); s.save_file({{k: v.contiguous() for k, v in sd.items()}}, '{1}')\"",
      bin.string(),
      st.string());
  c10::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const c10::Error& e) {
    throw std::runtime_error(fmt::format("{}: cannot read ({}){}",
                                         bin.string(),
                                         std::string(e.what_without_backtrace()).substr(0, 200),
                                         hint));
  }
  if (!value.isGenericDict())
    throw std::runtime_error(fmt::format("{}: expected a dict of tensors{}", bin.string(), hint));
  TensorMap out;
  for (const auto& kv : value.toGenericDict()) {
    if (!kv.key().isString() || !kv.value().isTensor())
      throw std::runtime_error(
          fmt::format("{}: expected str -> tensor entries{}", bin.string(), hint));
    out[kv.key().toStringRef()] = kv.value().toTensor();
  }
  return out;
}

TransformerEncoder load_hf_encoder(const std::string& dir,
                                   bool with_mlm_head,
                                   const nlohmann::json& overrides) {
  const std::string config_path = (std::filesystem::path(dir) / "config.json").string();
  const nlohmann::json hf = read_json_file(config_path);
  if (is_torchscale_config(hf)) {
    if (with_mlm_head)
      throw std::runtime_error(fmt::format(
          "{}: a torchscale encoder checkpoint; sentzoo reads no MLM head from it", config_path));
    return load_torchscale_encoder(dir);
  }
  EncoderConfig config;
  try {
    config = encoder_config_from_hf(hf);
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", config_path, e.what()));
  }
  const TensorMap weights = read_hf_weight_file(dir);
  // The pooler is built iff the file has one; its bias likewise (HF and the roformer package
  // always have one; sentzoo folders of RoFormerV2 written before pooler_bias existed do not).
  config.with_pooler = false;
  config.pooler_bias = false;
  for (const auto& [k, v] : weights) {
    if (strip_prefix(k) == "pooler.dense.weight") config.with_pooler = true;
    if (strip_prefix(k) == "pooler.dense.bias") config.pooler_bias = true;
  }
  config.with_mlm_head = with_mlm_head;
  if (!overrides.empty()) {
    nlohmann::json patched = config;
    patched.merge_patch(overrides);
    config = parse_config<EncoderConfig>(patched, config_path + " with model.encoder");
  }
  auto encoder = make_encoder(config, /*init=*/false);
  load_hf_weights(*encoder, weights, dir);
  return encoder;
}

void save_hf_encoder(TransformerEncoderImpl& encoder, const std::string& dir) {
  std::filesystem::create_directories(dir);
  write_safetensors((std::filesystem::path(dir) / "model.safetensors").string(),
                    hf_weights(encoder));
  const auto path = (std::filesystem::path(dir) / "config.json").string();
  write_file_checked(path, encoder_config_to_hf(encoder.config).dump(2) + "\n");
}

}  // namespace sentzoo
