// The shipped model folder (models/model_folder.h).
#include "models/model_folder.h"
#include "core/json_text.h"

#include <fmt/format.h>

#include <fstream>
#include <set>

#include "data/tokenizer.h"
#include "data/tokenizer_json.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "models/hf_weights.h"
#include "models/module_tensors.h"

namespace sentzoo {

namespace fs = std::filesystem;

namespace {
// Tensors of `module` that are not the encoder's (named as in the module): dense projection,
// classifier, a second tower.
std::map<std::string, torch::Tensor> head_tensors(torch::nn::Module& module,
                                                  TransformerEncoderImpl& encoder) {
  std::set<const void*> in_encoder;
  for (const auto& p : encoder.parameters()) in_encoder.insert(p.unsafeGetTensorImpl());
  for (const auto& b : encoder.buffers()) in_encoder.insert(b.unsafeGetTensorImpl());
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : module.named_parameters())
    if (!in_encoder.count(p.value().unsafeGetTensorImpl()))
      out[p.key()] = p.value().detach().cpu().contiguous();
  for (const auto& b : module.named_buffers())
    if (!in_encoder.count(b.value().unsafeGetTensorImpl()))
      out[b.key()] = b.value().detach().cpu().contiguous();
  return out;
}
}  // namespace

void save_trained_model(const fs::path& dir,
                        TransformerEncoderImpl& encoder,
                        torch::nn::Module& module,
                        nlohmann::json info,
                        const fs::path& tokenizer) {
  // The tokenizer's identity is written here and read in trained_model_tokenizer(), nowhere else.
  const std::string tokenizer_kind_name = tokenizer_kind(tokenizer);
  info["tokenizer"] = tokenizer_kind_name;
  fs::create_directories(dir.parent_path().empty() ? fs::path(".") : dir.parent_path());
  write_directory_atomic(dir, [&](const fs::path& tmp) {
    save_hf_encoder(encoder, tmp.string());
    if (&module != static_cast<torch::nn::Module*>(&encoder))
      write_safetensors((tmp / "heads.safetensors").string(), head_tensors(module, encoder));
    write_file_atomic(tmp / "sentzoo.json", info.dump(2) + "\n");
    fs::copy_file(tokenizer,
                  tmp / tokenizer_file_name(tokenizer_kind_name),
                  fs::copy_options::overwrite_existing);
    // Beside a tokenizer.json, its vocabulary as vocab.txt, for readers of vocab.txt only.
    if (tokenizer_kind_name == "tokenizer_json")
      write_file_atomic(tmp / "vocab.txt", vocab_txt_of(*load_tokenizer_json(tokenizer)));
  });
}

fs::path trained_model_tokenizer(const fs::path& dir, const nlohmann::json& info) {
  // Folders written before the "tokenizer" key existed hold a vocab.txt.
  const fs::path file =
      dir / tokenizer_file_name(info.value("tokenizer", std::string("wordpiece")));
  if (!fs::is_regular_file(file))
    throw std::runtime_error(fmt::format("{}: missing (sentzoo.json names tokenizer '{}')",
                                         file.string(),
                                         info.value("tokenizer", std::string("wordpiece"))));
  return file;
}

TrainedModel load_trained_model(const fs::path& dir) {
  const fs::path info_path = dir / "sentzoo.json";
  if (!fs::exists(info_path))
    throw std::runtime_error(
        fmt::format("{}: not a sentzoo model folder (no sentzoo.json)", dir.string()));
  TrainedModel model;
  model.info = read_json_file(info_path.string());
  if (!model.info.is_object() || !model.info.contains("kind") || !model.info["kind"].is_string())
    throw std::runtime_error(fmt::format(
        "{}: expected an object with a string \"kind\" (dual, cross or mlm)", info_path.string()));
  model.kind = model.info.at("kind").get<std::string>();
  model.encoder = load_hf_encoder(dir.string(), model.kind == "mlm");
  const auto heads_path = (dir / "heads.safetensors").string();
  if (model.kind == "dual") {
    DualEncoderConfig c;
    c.encoder = model.encoder->config;
    c.pooling = model.info.at("pooling").get<PoolingConfig>();
    c.shared = model.info.value("shared_towers", true);
    model.dual = DualEncoder(c);
    model.dual->tower = model.dual->replace_module("tower", model.encoder);
    auto tensors = read_safetensors(heads_path);
    for (auto& item : module_tensors(*model.encoder)) tensors["tower." + item.first] = item.second;
    load_module_tensors(*model.dual, tensors, heads_path);
    model.dual->eval();
  } else if (model.kind == "cross") {
    CrossEncoderConfig c;
    c.encoder = model.encoder->config;
    c.num_labels = model.info.at("num_labels").get<int64_t>();
    c.head_input = model.info.at("head_input").get<std::string>();
    c.zero_segments = model.info.at("zero_segments").get<bool>();
    model.cross = CrossEncoder(c);
    model.cross->encoder = model.cross->replace_module("encoder", model.encoder);
    auto tensors = read_safetensors(heads_path);
    for (auto& item : module_tensors(*model.encoder))
      tensors["encoder." + item.first] = item.second;
    load_module_tensors(*model.cross, tensors, heads_path);
    model.cross->eval();
  }
  model.encoder->eval();
  return model;
}

}  // namespace sentzoo
