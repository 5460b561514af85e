// torchscale checkpoints in and out (models/torchscale_weights.h; docs/LAYOUTS.md). The config
// keys are torchscale 0.3.0's EncoderConfig (architecture/config.py), in three kinds: read,
// required at a value sentzoo builds, and without effect on an encoder's outputs.

#include "models/torchscale_weights.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <regex>
#include <set>
#include <vector>

#include "core/json_text.h"
#include "io/atomic_file.h"
#include "models/hf_weights.h"
#include "models/module_tensors.h"

namespace sentzoo {

namespace {

// Our name (layer index as {i}) -> torchscale Encoder name (encoder.py, multihead_attention.py,
// feedforward_network.py). torchscale has no segment table, pooler or BERT MLM head.
const std::vector<std::pair<std::string, std::string>> kNames = {
    {"embeddings.tok.weight", "embed_tokens.weight"},
    {"embeddings.pos.weight", "embed_positions.weight"},
    {"embeddings.norm.weight", "layernorm_embedding.weight"},
    {"embeddings.norm.bias", "layernorm_embedding.bias"},
    {"layers.{i}.attn.q.weight", "layers.{i}.self_attn.q_proj.weight"},
    {"layers.{i}.attn.q.bias", "layers.{i}.self_attn.q_proj.bias"},
    {"layers.{i}.attn.k.weight", "layers.{i}.self_attn.k_proj.weight"},
    {"layers.{i}.attn.k.bias", "layers.{i}.self_attn.k_proj.bias"},
    {"layers.{i}.attn.v.weight", "layers.{i}.self_attn.v_proj.weight"},
    {"layers.{i}.attn.v.bias", "layers.{i}.self_attn.v_proj.bias"},
    {"layers.{i}.attn.o.weight", "layers.{i}.self_attn.out_proj.weight"},
    {"layers.{i}.attn.o.bias", "layers.{i}.self_attn.out_proj.bias"},
    {"layers.{i}.norm1.weight", "layers.{i}.self_attn_layer_norm.weight"},
    {"layers.{i}.norm1.bias", "layers.{i}.self_attn_layer_norm.bias"},
    {"layers.{i}.ffn.fc1.weight", "layers.{i}.ffn.fc1.weight"},
    {"layers.{i}.ffn.fc1.bias", "layers.{i}.ffn.fc1.bias"},
    {"layers.{i}.ffn.fc2.weight", "layers.{i}.ffn.fc2.weight"},
    {"layers.{i}.ffn.fc2.bias", "layers.{i}.ffn.fc2.bias"},
    {"layers.{i}.norm2.weight", "layers.{i}.final_layer_norm.weight"},
    {"layers.{i}.norm2.bias", "layers.{i}.final_layer_norm.bias"},
};

// Heads of torchscale checkpoints that an encoder does not read: the Encoder's output layer
// (no_output_layer false) and the fairseq BertModel's LM and classification heads.
const std::vector<std::string> kHeadPrefixes = {"output_projection.", "classification_heads."};

// Config keys whose value sentzoo reads (the rest of the sizes come from the weights).
const std::set<std::string> kRead = {"encoder_embed_dim",
                                     "encoder_attention_heads",
                                     "encoder_ffn_embed_dim",
                                     "encoder_layers",
                                     "encoder_normalize_before",
                                     "activation_fn",
                                     "dropout",
                                     "attention_dropout",
                                     "no_scale_embedding",
                                     "layernorm_embedding",
                                     "deepnorm",
                                     "subln",
                                     "layernorm_eps",
                                     "max_source_positions",
                                     "vocab_size"};
// Keys that change the model unless false / 0: torchscale features sentzoo does not build.
const std::set<std::string> kMustBeOff = {"moe_freq",
                                          "moe_expert_count",
                                          "use_xmoe",
                                          "rel_pos_buckets",
                                          "max_rel_pos",
                                          "multiway",
                                          "xpos_rel_pos"};
// Keys without effect on an encoder's outputs in eval mode (training, init, heads, vision,
// sharding), with torchscale 0.3.0's defaults (written back by encoder_config_to_torchscale).
const nlohmann::json kInert = {{"normalize_output", true},
                               {"drop_path_rate", 0.0},
                               {"activation_dropout", 0.0},
                               {"moe_top1_expert", false},
                               {"moe_gating_use_fp32", true},
                               {"moe_eval_capacity_token_fraction", 0.25},
                               {"moe_second_expert_policy", "random"},
                               {"moe_normalize_gate_prob_before_dropping", false},
                               {"bert_init", false},
                               {"share_encoder_input_output_embed", false},
                               {"no_output_layer", true},
                               {"img_size", 224},
                               {"patch_size", 16},
                               {"in_chans", 3},
                               {"checkpoint_activations", false},
                               {"fsdp", false},
                               {"ddp_rank", 0},
                               {"xpos_scale_base", 512}};

bool truthy(const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0;
  return !v.is_null();
}

// A layer parameter "layers.3.x" -> ("layers.{i}.x", "3").
std::pair<std::string, std::string> split_layer(const std::string& name) {
  static const std::regex layer_re(R"(^layers\.(\d+)\.(.*)$)");
  std::smatch m;
  if (std::regex_match(name, m, layer_re)) return {"layers.{i}." + m[2].str(), m[1].str()};
  return {name, ""};
}

std::string strip_encoder_prefix(const std::string& key) {
  return key.rfind("encoder.", 0) == 0 ? key.substr(8) : key;
}

bool is_head_key(const std::string& key) {
  for (const auto& p : kHeadPrefixes)
    if (key.rfind(p, 0) == 0) return true;
  return false;
}

}  // namespace

bool is_torchscale_config(const nlohmann::json& config) {
  return config.is_object() && config.contains("encoder_embed_dim") &&
         !config.contains("model_type");
}

std::string torchscale_weight_name(const std::string& ours) {
  if (ours == "embeddings.seg.weight") return "";
  const auto [key, index] = split_layer(ours);
  for (const auto& [from, to] : kNames) {
    if (from != key) continue;
    std::string out = to;
    const auto pos = out.find("{i}");
    if (pos != std::string::npos) out.replace(pos, 3, index);
    return out;
  }
  throw std::invalid_argument(
      fmt::format("torchscale_weight_name: torchscale has no parameter for '{}'", ours));
}

// ---- config ----

EncoderConfig encoder_config_from_torchscale(const nlohmann::json& ts,
                                             const TensorMap& weights,
                                             const std::string& source) {
  auto fail = [&](const std::string& what) {
    throw std::invalid_argument(fmt::format("{}: {}", source, what));
  };
  for (const auto& item : ts.items()) {
    const auto& k = item.key();
    if (kRead.count(k) || kInert.contains(k)) continue;
    if (kMustBeOff.count(k)) {
      if (truthy(item.value()))
        fail(
            fmt::format("torchscale option {} = {} is not supported (sentzoo builds no relative "
                        "positions, MoE or multiway layers); expected 0 or false",
                        k,
                        item.value().dump()));
      continue;
    }
    fail(
        fmt::format("unknown torchscale EncoderConfig key '{}' (torchscale 0.3.0 has no such "
                    "field)",
                    k));
  }
  auto get = [&](const char* key, auto fallback) {
    using T = decltype(fallback);
    if (!ts.contains(key) || ts[key].is_null()) return fallback;
    try {
      return ts[key].get<T>();
    } catch (const nlohmann::json::exception&) {
      fail(fmt::format("{}: expected a {}, found {}",
                       key,
                       std::is_same_v<T, bool>          ? "boolean"
                       : std::is_same_v<T, std::string> ? "string"
                                                        : "number",
                       ts[key].dump()));
    }
    return fallback;
  };
  // torchscale: deepnorm forces encoder_normalize_before = subln = False; anything else is a
  // pre-LN or Sub-LN (Magneto) encoder, which the deepnet family is not.
  if (!get("deepnorm", false))
    fail(
        "deepnorm: expected true (sentzoo reads torchscale's DeepNorm encoders; a pre-LN / "
        "Sub-LN encoder is not supported), found " +
        (ts.contains("deepnorm") ? ts["deepnorm"].dump() : std::string("absent (false)")));
  EncoderConfig c = deepnet_base();
  c.hidden_size = get("encoder_embed_dim", int64_t{768});
  c.num_heads = get("encoder_attention_heads", int64_t{12});
  c.intermediate_size = get("encoder_ffn_embed_dim", int64_t{3072});
  c.num_layers = get("encoder_layers", int64_t{12});
  const auto act = get("activation_fn", std::string("gelu"));
  if (act == "gelu")
    c.hidden_act = Activation::kGelu;  // F.gelu: exact erf form
  else if (act == "relu")
    c.hidden_act = Activation::kRelu;
  else
    fail(fmt::format("activation_fn '{}' is not supported (expected gelu or relu)", act));
  c.hidden_dropout = get("dropout", 0.0);
  c.attention_dropout = get("attention_dropout", 0.0);
  c.scale_embedding = !get("no_scale_embedding", true);
  c.embedding_norm = get("layernorm_embedding", false);
  c.norm_eps = get("layernorm_eps", 1e-5);
  c.deepnorm_constants = DeepNormConstants::kPaper;  // torchscale: alpha = (2N)^1/4
  c.with_pooler = false;
  // Table sizes from the weights: the vocabulary and the learned positions (read from row 2).
  TensorMap w;
  for (const auto& [k, v] : weights) w[strip_encoder_prefix(k)] = v;
  const auto tok = w.find("embed_tokens.weight");
  const auto pos = w.find("embed_positions.weight");
  if (tok == w.end() || tok->second.dim() != 2)
    fail("expected a 2-d embed_tokens.weight (the token embeddings), found none");
  if (pos == w.end() || pos->second.dim() != 2)
    fail(
        "expected a 2-d embed_positions.weight (torchscale PositionalEmbedding), found none; "
        "checkpoints without learned positions are not supported");
  c.vocab_size = tok->second.size(0);
  c.max_position_embeddings = pos->second.size(0);
  c.position_offset = kTorchscalePositionOffset;
  c.type_vocab_size = 1;  // a zero table: torchscale has no segments
  c.pad_token_id = std::min<int64_t>(1, c.vocab_size - 1);  // fairseq's dictionary pad
  try {
    c.validate();
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
  return c;
}

nlohmann::json encoder_config_to_torchscale(const EncoderConfig& c) {
  auto refuse = [](const std::string& what) {
    throw std::invalid_argument("torchscale layout: " + what + "; use --format torchscript");
  };
  if (c.architecture != Architecture::kDeepnet)
    refuse("only the deepnet architecture is written (this is " + to_string(c.architecture) + ")");
  if (c.deepnorm_constants != DeepNormConstants::kPaper)
    refuse("torchscale's alpha is (2N)^1/4; deepnorm_constants 'adam' cannot be expressed");
  if (c.hidden_act != Activation::kGelu && c.hidden_act != Activation::kRelu)
    refuse("torchscale's FFN has gelu and relu, not " + to_string(c.hidden_act));
  nlohmann::json j = kInert;
  for (const auto& k : kMustBeOff)
    j[k] = k == "use_xmoe" || k == "multiway" || k == "xpos_rel_pos" ? nlohmann::json(false)
                                                                     : nlohmann::json(0);
  j["encoder_embed_dim"] = c.hidden_size;
  j["encoder_attention_heads"] = c.num_heads;
  j["encoder_ffn_embed_dim"] = c.intermediate_size;
  j["encoder_layers"] = c.num_layers;
  j["encoder_normalize_before"] = false;
  j["activation_fn"] = c.hidden_act;
  j["dropout"] = c.hidden_dropout;
  j["attention_dropout"] = c.attention_dropout;
  j["no_scale_embedding"] = !c.scale_embedding;
  j["layernorm_embedding"] = c.embedding_norm;
  j["deepnorm"] = true;
  j["subln"] = false;
  j["layernorm_eps"] = c.norm_eps;
  // PositionalEmbedding(max_source_positions, d) reads rows 2..T+1 (torchscale_weights re-bases
  // the table to that offset).
  j["max_source_positions"] = c.max_length() + kTorchscalePositionOffset;
  j["vocab_size"] = c.vocab_size;
  return j;
}

// ---- weights ----

void load_torchscale_weights(TransformerEncoderImpl& enc,
                             const TensorMap& weights,
                             const std::string& source) {
  TensorMap by_name;
  for (const auto& [k, v] : weights) by_name[strip_encoder_prefix(k)] = v;
  ParameterNaming naming;
  naming.layout = "a torchscale DeepNorm encoder";
  // "" for the segment table torchscale does not have: zeroed, it adds nothing.
  naming.file_name = [](const std::string& key) { return torchscale_weight_name(key); };
  naming.ignored = [](const std::string& k) { return is_head_key(k); };
  load_parameters_by_name(enc, by_name, naming, source);
}

TensorMap torchscale_weights(TransformerEncoderImpl& enc) {
  const auto& c = enc.config;
  encoder_config_to_torchscale(c);  // refuses what torchscale cannot express
  TensorMap out;
  for (const auto& item : enc.named_parameters()) {
    if (item.key().rfind("pooler.", 0) == 0 || item.key().rfind("mlm.", 0) == 0) continue;
    const std::string name = torchscale_weight_name(item.key());
    if (name.empty()) continue;  // segment table: folded into the positions below
    out[name] = item.value().detach().to(torch::kFloat).contiguous().clone();
  }
  // x = tok*scale + seg[0] + pos[o + t]  ==  tok*scale + pos'[2 + t] with pos' = (2 zero rows,
  // then pos[o:] + seg[0]): exact for segment 0, the only segment a dual encoder feeds.
  auto pos = enc.embeddings->pos->weight.detach().to(torch::kFloat);
  auto seg0 = enc.embeddings->seg->weight.detach().to(torch::kFloat)[0];
  auto rows = pos.slice(/*dim=*/0, c.position_offset) + seg0;  // (max_length, h)
  out["embed_positions.weight"] =
      torch::cat({torch::zeros({kTorchscalePositionOffset, c.hidden_size}), rows}).contiguous();
  return out;
}

TransformerEncoder load_torchscale_encoder(const std::string& dir) {
  const std::string config_path = (std::filesystem::path(dir) / "config.json").string();
  const nlohmann::json ts = read_json_file(config_path);
  const TensorMap weights = read_hf_weight_file(dir);
  EncoderConfig config;
  try {
    config = encoder_config_from_torchscale(ts, weights, config_path);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(e.what());
  }
  auto encoder = make_encoder(config, /*init=*/false);
  const auto st = std::filesystem::path(dir) / "model.safetensors";
  load_torchscale_weights(
      *encoder,
      weights,
      (std::filesystem::exists(st) ? st : std::filesystem::path(dir) / "pytorch_model.bin")
          .string());
  return encoder;
}

void save_torchscale_encoder(TransformerEncoderImpl& encoder, const std::string& dir) {
  const auto config = encoder_config_to_torchscale(encoder.config);
  const auto weights = torchscale_weights(encoder);
  std::filesystem::create_directories(dir);
  write_safetensors((std::filesystem::path(dir) / "model.safetensors").string(), weights);
  write_file_checked((std::filesystem::path(dir) / "config.json").string(), config.dump(2) + "\n");
}

}  // namespace sentzoo
