// The shipped model folder (train/trained_model.h).
#include "train/trained_model.h"

#include <fmt/format.h>

#include <fstream>

#include "io/safetensors.h"
#include "models/hf_weights.h"
#include "io/atomic_file.h"
#include "train/checkpoint.h"

namespace sentzoo {

namespace fs = std::filesystem;

namespace {
// Tensors of `module` that do not live in its encoder (named as in the module).
std::map<std::string, torch::Tensor> head_tensors(torch::nn::Module& module,
                                                  const std::string& encoder_name) {
  std::map<std::string, torch::Tensor> out;
  for (auto& item : module_tensors(module)) {
    if (item.first.rfind(encoder_name + ".", 0) != 0) out.insert(item);
  }
  return out;
}
}  // namespace

void save_trained_model(const fs::path& dir,
                        TransformerEncoderImpl& encoder,
                        torch::nn::Module& module,
                        const nlohmann::json& info,
                        const fs::path& vocab) {
  const std::string kind = info.at("kind").get<std::string>();
  const std::string encoder_name = kind == "dual" ? "tower" : "encoder";
  fs::create_directories(dir.parent_path().empty() ? fs::path(".") : dir.parent_path());
  write_directory_atomic(dir, [&](const fs::path& tmp) {
    save_hf_encoder(encoder, tmp.string());
    if (kind != "mlm")
      write_safetensors((tmp / "heads.safetensors").string(), head_tensors(module, encoder_name));
    std::ofstream(tmp / "sentzoo.json") << info.dump(2) << "\n";
    if (fs::is_regular_file(vocab))
      fs::copy_file(vocab, tmp / "vocab.txt", fs::copy_options::overwrite_existing);
  });
}

TrainedModel load_trained_model(const fs::path& dir) {
  const fs::path info_path = dir / "sentzoo.json";
  std::ifstream in(info_path);
  if (!in)
    throw std::runtime_error(
        fmt::format("{}: not a sentzoo model folder (no sentzoo.json)", dir.string()));
  TrainedModel model;
  model.info = nlohmann::json::parse(in);
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
