// sentzoo-export (eval/export_model.h).

#include "eval/export_model.h"

#include <fmt/format.h>

#include <fstream>

#include "core/build_info.h"
#include "core/json_text.h"
#include "data/tokenizer.h"
#include "data/tokenizer_json.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "models/export.h"
#include "models/hf_weights.h"
#include "models/model_folder.h"
#include "models/st_reference_module.h"
#include "models/torchscale_weights.h"

namespace sentzoo {

namespace fs = std::filesystem;

namespace {

nlohmann::json read_json_or_empty(const fs::path& p) {
  if (!fs::exists(p)) return nlohmann::json::object();
  return read_json_file(p.string());
}

fs::path tokenizer_file(const fs::path& dir) {
  if (fs::exists(dir / "sentzoo.json"))
    return trained_model_tokenizer(dir, read_json_or_empty(dir / "sentzoo.json"));
  if (const auto file = find_tokenizer_file(dir)) return *file;
  throw std::runtime_error(fmt::format(
      "{}: no tokenizer (tokenizer.json, vocab.txt or a SentencePiece .model) in the folder",
      dir.string()));
}

template <class T>
void check_same(const std::optional<T>& flag,
                const T& folder,
                const char* name,
                const fs::path& d) {
  if (flag && *flag != folder)
    throw std::invalid_argument(fmt::format("--{} {} contradicts {} (which says {})",
                                            name,
                                            nlohmann::json(*flag).dump(),
                                            d.string(),
                                            nlohmann::json(folder).dump()));
}

}  // namespace

void save_sentence_transformer(DualEncoderImpl& model,
                               const fs::path& dir,
                               const nlohmann::json& meta,
                               const fs::path& tokenizer) {
  const auto& c = model.config;
  const Architecture arch = c.encoder.architecture;
  // Module 0 by family: BERT and RoFormer v1 load with sentence-transformers' Transformer
  // (transformers AutoModel); RoFormerV2 (roformer package layout) and DeepNet (torchscale
  // layout) through the reference-package module written beside them (docs/LAYOUTS.md).
  const bool st_transformer = arch == Architecture::kBert || arch == Architecture::kRoformer;
  if (arch == Architecture::kCustom)
    throw std::invalid_argument(
        "--format huggingface: a custom encoder has no Hugging Face layout; use --format "
        "torchscript");
  if (!c.shared)
    throw std::invalid_argument("--format huggingface: separate towers are not written");
  const bool json_tok = tokenizer_kind(tokenizer) == "tokenizer_json";
  if (tokenizer.extension() != ".txt" && !json_tok)
    throw std::invalid_argument(
        "--format huggingface: needs a WordPiece vocab.txt or tokenizer.json");
  if (c.encoder.rotary() && c.encoder.rope_theta != 10000.0)
    throw std::invalid_argument(fmt::format(
        "--format huggingface: the roformer package's RoPE base is 10000, this model's is {}",
        c.encoder.rope_theta));
  // A tokenizer.json goes out as it is (transformers loads it first) with its vocab.txt; the
  // tokenizer_config.json keys BertTokenizerFast would otherwise reset its normalizer from
  // (tokenization_bert_fast.py __init__) and the special tokens come from the file.
  const WordPieceSettings ws =
      json_tok ? load_tokenizer_json(tokenizer)->settings() : wordpiece_settings({});
  static const std::map<std::string, std::string> st_modes = {
      {"cls", "pooling_mode_cls_token"},
      {"mean", "pooling_mode_mean_tokens"},
      {"max", "pooling_mode_max_tokens"},
      {"weighted_mean", "pooling_mode_weightedmean_tokens"},
      {"last_token", "pooling_mode_lasttoken"}};
  const std::string mode = to_string(model.pooling);
  if (!st_modes.count(mode))
    throw std::invalid_argument("--format huggingface: sentence-transformers has no '" + mode +
                                "' pooling; use --format torchscript");
  if (arch == Architecture::kDeepnet)
    encoder_config_to_torchscale(c.encoder);  // refuses what torchscale cannot express
  const bool lower = meta.value("lowercase", true);
  const int64_t max_length = meta.value("max_length", int64_t{512});
  auto write = [](const fs::path& p, const nlohmann::json& j) {
    write_file_checked(p, j.dump(2) + "\n");
  };
  write_directory_atomic(dir, [&](const fs::path& tmp) {
    if (arch == Architecture::kDeepnet)
      save_torchscale_encoder(*model.tower, tmp.string());
    else
      save_hf_encoder(*model.tower, tmp.string());
    if (!st_transformer)
      write_file_checked(tmp / kStReferenceModuleFile, st_reference_module_source());
    const nlohmann::json specials = {{"unk_token", ws.unk_token},
                                     {"sep_token", ws.sep_token},
                                     {"pad_token", ws.pad_token},
                                     {"cls_token", ws.cls_token},
                                     {"mask_token", ws.mask_token}};
    nlohmann::json tok_config = {{"tokenizer_class", "BertTokenizer"},
                                 {"do_lower_case", json_tok ? ws.lowercase : lower},
                                 {"model_max_length", max_length}};
    tok_config.update(specials);
    if (json_tok) {
      fs::copy_file(tokenizer, tmp / "tokenizer.json");
      write_file_checked(tmp / "vocab.txt", vocab_txt_of(*load_tokenizer_json(tokenizer)));
      tok_config["strip_accents"] = ws.strip_accents;
      tok_config["tokenize_chinese_chars"] = ws.handle_chinese_chars;
    } else {
      fs::copy_file(tokenizer, tmp / "vocab.txt");
    }
    write(tmp / "tokenizer_config.json", tok_config);
    write(tmp / "special_tokens_map.json", specials);
    write(tmp / "sentence_bert_config.json",
          {{"max_seq_length", max_length}, {"do_lower_case", false}});
    // modules.json: Transformer -> Pooling [-> Dense] [-> Normalize], numbered in order.
    nlohmann::json modules = nlohmann::json::array();
    auto add = [&](const std::string& path, const std::string& type) {
      const auto idx = static_cast<int64_t>(modules.size());
      const std::string folder = path.empty() ? "" : std::to_string(idx) + "_" + path;
      modules.push_back(
          {{"idx", idx}, {"name", std::to_string(idx)}, {"path", folder}, {"type", type}});
      if (!folder.empty()) fs::create_directories(tmp / folder);
      return tmp / folder;
    };
    add("", st_transformer ? "sentence_transformers.models.Transformer" : kStReferenceModule);
    const auto pool_dir = add("Pooling", "sentence_transformers.models.Pooling");
    nlohmann::json pool = {{"word_embedding_dimension", c.encoder.hidden_size}};
    for (const auto& [name, key] : st_modes) pool[key] = name == mode;
    pool["pooling_mode_mean_sqrt_len_tokens"] = false;
    write(pool_dir / "config.json", pool);
    if (model.dense) {  // ST models/Dense.py: config.json + linear.{weight,bias}
      const auto dense_dir = add("Dense", "sentence_transformers.models.Dense");
      write(dense_dir / "config.json",
            {{"in_features", c.encoder.hidden_size},
             {"out_features", c.pooling.dense_dim},
             {"bias", true},
             {"activation_function",
              model.dense_tanh ? "torch.nn.modules.activation.Tanh"
                               : "torch.nn.modules.linear.Identity"}});
      write_safetensors(
          (dense_dir / "model.safetensors").string(),
          {{"linear.weight", model.dense->weight.detach().to(torch::kFloat).contiguous()},
           {"linear.bias", model.dense->bias.detach().to(torch::kFloat).contiguous()}});
    }
    if (c.pooling.normalize) add("Normalize", "sentence_transformers.models.Normalize");
    write(tmp / "modules.json", modules);
  });
}

nlohmann::json export_model(const ExportRequest& r) {
  if (r.format != "torchscript" && r.format != "huggingface")
    throw std::invalid_argument(
        fmt::format("--format {}: expected torchscript or huggingface", r.format));
  if (r.kind && *r.kind != "dual" && *r.kind != "cross")
    throw std::invalid_argument("--kind must be dual or cross, got '" + *r.kind + "'");
  fs::path dir = r.checkpoint;
  if (!fs::is_directory(dir))
    throw std::runtime_error(fmt::format("{}: no such folder", dir.string()));
  if (!fs::exists(dir / "sentzoo.json") && fs::exists(dir / "best" / "sentzoo.json"))
    dir = dir / "best";

  nlohmann::json meta;
  DualEncoder dual_model{nullptr};
  CrossEncoder cross_model{nullptr};
  EncoderConfig encoder;
  if (fs::exists(dir / "sentzoo.json")) {  // sentzoo training output
    TrainedModel tm = load_trained_model(dir);
    if (tm.kind == "mlm")
      throw std::runtime_error(
          fmt::format("{}: an MLM model; export needs a dual or cross encoder (fine-tune it first)",
                      dir.string()));
    check_same(r.kind, tm.kind, "kind", dir);
    meta = tm.info;
    encoder = tm.encoder->config;
    if (tm.kind == "dual") {
      check_same(r.pooling, tm.dual->config.pooling.mode, "pooling", dir);
      check_same(r.normalize, tm.dual->config.pooling.normalize, "normalize", dir);
      dual_model = tm.dual;
    } else {
      if (r.pooling) throw std::invalid_argument("--pooling does not apply to a cross encoder");
      cross_model = tm.cross;
    }
    if (r.max_length) meta["max_length"] = *r.max_length;
  } else if (fs::exists(dir / "modules.json")) {  // sentence-transformers folder
    check_same(r.kind, std::string("dual"), "kind", dir);
    DualEncoder dual = load_sentence_transformer(dir.string());
    check_same(r.pooling, dual->config.pooling.mode, "pooling", dir);
    check_same(r.normalize, dual->config.pooling.normalize, "normalize", dir);
    const auto st = read_json_or_empty(dir / "sentence_bert_config.json");
    const auto tok = read_json_or_empty(dir / "tokenizer_config.json");
    encoder = dual->config.encoder;
    meta = {{"kind", "dual"},
            {"pooling", dual->config.pooling},
            {"max_length", r.max_length.value_or(st.value("max_seq_length", int64_t{512}))},
            {"lowercase", tok.value("do_lower_case", st.value("do_lower_case", false))}};
    dual_model = dual;
  } else if (fs::exists(dir / "heads.safetensors") || fs::exists(dir / "checkpoints") ||
             fs::exists(dir / "metrics.jsonl")) {
    // sentzoo's own output without its record: exporting it as a plain encoder would guess the
    // kind and pooling and silently drop the trained heads.
    throw std::runtime_error(fmt::format(
        "{}: a sentzoo training output without sentzoo.json (it records the model kind, pooling "
        "and tokenizer); restore it, or export the folder's best/",
        dir.string()));
  } else if (fs::exists(dir / "config.json")) {  // plain Hugging Face encoder
    const std::string kind = r.kind.value_or("dual");
    if (kind == "cross")
      throw std::runtime_error(fmt::format(
          "{}: a plain Hugging Face encoder has no trained cross-encoder head; train one with "
          "sentzoo-train (objective cross) and export its output folder",
          dir.string()));
    DualEncoderConfig c;
    c.encoder = load_hf_encoder(dir.string())->config;
    c.pooling.mode = r.pooling.value_or("mean");
    c.pooling.normalize = r.normalize.value_or(false);
    c.validate();
    DualEncoder dual(c);
    dual->tower = dual->replace_module("tower", load_hf_encoder(dir.string()));
    dual->eval();
    const auto tok = read_json_or_empty(dir / "tokenizer_config.json");
    encoder = c.encoder;
    meta = {{"kind", "dual"},
            {"pooling", c.pooling},
            {"max_length", r.max_length.value_or(tok.value("model_max_length", int64_t{512}))},
            {"lowercase", tok.value("do_lower_case", true)}};
    dual_model = dual;
  } else {
    throw std::runtime_error(
        fmt::format("{}: not a model folder (expected sentzoo.json, modules.json or config.json)",
                    dir.string()));
  }
  const fs::path tok = tokenizer_file(dir);
  meta["architecture"] = encoder.architecture;
  meta["tokenizer"] = tokenizer_kind(tok);
  if (meta["tokenizer"] == "tokenizer_json")  // the file's own setting, for vocab.txt readers
    meta["lowercase"] = load_tokenizer_json(tok)->settings().lowercase;
  meta["sentzoo_version"] = SENTZOO_VERSION;
  meta["source"] = fs::absolute(dir).string();
  meta["inputs"] = {"input_ids", "attention_mask", "token_type_ids (optional)"};
  meta["output"] = meta["kind"] == "dual"
                       ? "sentence vectors (B, D) after pooling (+ dense) (+ L2 normalisation)"
                       : "logits (B) for one label, (B, K) for K classes";
  if (meta["kind"] == "dual") meta["normalize"] = meta["pooling"].value("normalize", false);
  if (meta.value("max_length", int64_t{0}) > encoder.max_length() &&
      encoder.position_embedding == PositionEmbedding::kAbsolute)
    meta["max_length"] = encoder.max_length();
  if (r.format == "huggingface") {
    if (!dual_model)
      throw std::invalid_argument("--format huggingface writes dual encoders only (this is a " +
                                  meta["kind"].get<std::string>() + " encoder)");
    save_sentence_transformer(*dual_model, r.output, meta, tok);
    return meta;
  }
  auto module = dual_model ? script_dual_encoder(*dual_model) : script_cross_encoder(*cross_model);
  save_torchscript(module, r.output, {meta, nlohmann::json(encoder), tok});
  return meta;
}

}  // namespace sentzoo
