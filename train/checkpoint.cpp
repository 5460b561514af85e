// Atomic training checkpoints and exact resume (train/checkpoint.h).
#include "train/checkpoint.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <set>

#include "core/json_text.h"
#include "io/atomic_file.h"
#include "io/crc32c.h"
#include "io/safetensors.h"

namespace sentzoo {

namespace fs = std::filesystem;

void to_json(nlohmann::json& j, const TrainState& s) {
  j = {{"step", s.step},
       {"best_metric",
        std::isfinite(s.best_metric) ? nlohmann::json(s.best_metric) : nlohmann::json()},
       {"best_step", s.best_step},
       {"evals_without_improvement", s.evals_without_improvement},
       {"skipped_steps", s.skipped_steps},
       {"batchers", s.batchers},
       {"weighting", s.weighting},
       {"loss_scale", s.loss_scale},
       {"loss_scale_growth", s.loss_scale_growth}};
}

void from_json(const nlohmann::json& j, TrainState& s) {
  s.step = j.at("step").get<int64_t>();
  s.best_metric = j.at("best_metric").is_null() ? std::nan("") : j.at("best_metric").get<double>();
  s.best_step = j.at("best_step").get<int64_t>();
  s.evals_without_improvement = j.at("evals_without_improvement").get<int64_t>();
  s.skipped_steps = j.at("skipped_steps").get<int64_t>();
  s.batchers = j.at("batchers").get<std::vector<BatcherState>>();
  s.weighting = j.at("weighting");
  s.loss_scale = j.at("loss_scale").get<double>();
  s.loss_scale_growth = j.at("loss_scale_growth").get<int64_t>();
}

namespace {
const char* kPrefix = "step-";

// The config without the fields that may change between a run and its resumption.
nlohmann::json result_relevant(nlohmann::json config) {
  if (config.contains("train")) {
    for (const char* key : {"max_steps",
                            "log_every",
                            "eval_every",
                            "checkpoint_every",
                            "keep_checkpoints",
                            "early_stop_patience"}) {
      config["train"].erase(key);
    }
  }
  return config;
}

std::vector<std::pair<int64_t, fs::path>> checkpoints(const fs::path& output_dir) {
  std::vector<std::pair<int64_t, fs::path>> found;
  const fs::path dir = output_dir / "checkpoints";
  if (!fs::is_directory(dir)) return found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.rfind(kPrefix, 0) != 0) continue;
    const std::string digits = name.substr(std::string(kPrefix).size());
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit))
      continue;  // tmp dirs
    // state.json (written last before manifests existed) or manifest.json marks a complete one.
    if (!fs::exists(entry.path() / "state.json") && !fs::exists(entry.path() / "manifest.json"))
      continue;
    found.emplace_back(std::stoll(digits), entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}
}  // namespace

namespace {
const char* kManifest = "manifest.json";

std::string hex_crc(std::string_view bytes) { return fmt::format("{:08x}", crc32c(bytes)); }

std::string torch_save_bytes(torch::optim::Optimizer& optimizer) {
  // In memory: LibTorch's file writer throws again from its destructor when a disk fills up
  // (std::terminate); a stream has no such failure, and the bytes are then written checked.
  std::ostringstream out;
  torch::save(optimizer, out);
  return std::move(out).str();
}
}  // namespace

fs::path save_checkpoint(const fs::path& output_dir,
                         torch::nn::Module& model,
                         torch::optim::Optimizer& optimizer,
                         const TrainState& state,
                         const nlohmann::json& config,
                         int64_t keep) {
  const fs::path target = output_dir / "checkpoints" / fmt::format("{}{}", kPrefix, state.step);
  fs::create_directories(target.parent_path());
  // Temp folders of writes a crash interrupted (step-N.tmp-XXXXXX): never a resume point.
  for (const auto& entry : fs::directory_iterator(target.parent_path())) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kPrefix, 0) == 0 && name.find(".tmp-") != std::string::npos) {
      std::error_code ignored;
      fs::remove_all(entry.path(), ignored);
    }
  }
  const std::vector<std::pair<std::string, std::string>> files = {
      {"model.safetensors", safetensors_bytes(module_tensors(model))},
      {"optimizer.pt", torch_save_bytes(optimizer)},
      {"config.json", config.dump(2) + "\n"},
      {"state.json", nlohmann::json(state).dump(2) + "\n"}};
  nlohmann::json manifest = {{"format", 1}, {"files", nlohmann::json::object()}};
  for (const auto& [name, bytes] : files)
    manifest["files"][name] = {{"size", bytes.size()}, {"crc32c", hex_crc(bytes)}};
  write_directory_atomic(target, [&](const fs::path& tmp) {
    for (const auto& [name, bytes] : files) write_file_checked(tmp / name, bytes);
    write_file_checked(tmp / kManifest, manifest.dump(2) + "\n");  // last: the commit mark
  });
  // Read back before older checkpoints go: what the disk holds is what resume will get.
  if (const std::string damage = checkpoint_damage(target); !damage.empty()) {
    std::error_code ignored;
    fs::remove_all(target, ignored);  // never a resume point
    throw std::runtime_error(fmt::format("{}: written but does not read back: {}",
                                         target.string(), damage));
  }
  auto all = checkpoints(output_dir);
  for (size_t i = 0; i + keep < all.size(); ++i) fs::remove_all(all[i].second);
  return target;
}

std::optional<fs::path> latest_checkpoint(const fs::path& output_dir) {
  auto all = checkpoints(output_dir);
  if (all.empty()) return std::nullopt;
  return all.back().second;
}

std::string checkpoint_damage(const fs::path& checkpoint) {
  const fs::path manifest_path = checkpoint / kManifest;
  if (!fs::exists(manifest_path)) return {};  // written before manifests: unverified
  try {
    const nlohmann::json manifest = read_json_file(manifest_path.string());
    if (!manifest.contains("files") || !manifest["files"].is_object() ||
        manifest["files"].empty())
      return fmt::format("{}: expected a \"files\" object", manifest_path.string());
    for (const auto& [name, entry] : manifest["files"].items()) {
      const fs::path file = checkpoint / name;
      std::ifstream in(file, std::ios::binary);
      if (!in) return fmt::format("{}: missing", name);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      const auto size = entry.at("size").get<uint64_t>();
      if (bytes.size() != size)
        return fmt::format("{}: {} bytes, the manifest says {}", name, bytes.size(), size);
      const auto crc = entry.at("crc32c").get<std::string>();
      if (hex_crc(bytes) != crc)
        return fmt::format("{}: CRC-32C {}, the manifest says {}", name, hex_crc(bytes), crc);
    }
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

ResumePoint find_resume_point(const fs::path& output_dir) {
  ResumePoint point;
  auto all = checkpoints(output_dir);
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    const std::string damage = checkpoint_damage(it->second);
    if (damage.empty()) {
      point.checkpoint = it->second;
      break;
    }
    point.passed_over.push_back(fmt::format("{}: {}", it->second.string(), damage));
  }
  return point;
}

TrainState load_checkpoint(const fs::path& checkpoint,
                           torch::nn::Module& model,
                           torch::optim::Optimizer& optimizer,
                           const nlohmann::json& config) {
  const auto saved = read_json_file((checkpoint / "config.json").string());
  if (result_relevant(saved) != result_relevant(config)) {
    throw std::runtime_error(fmt::format(
        "{}: the checkpoint was made with a different config; resume with the same config "
        "(only train.max_steps, log_every, eval_every, checkpoint_every, keep_checkpoints and "
        "early_stop_patience may change), or use a new --output",
        (checkpoint / "config.json").string()));
  }
  load_module_tensors(model,
                      read_safetensors((checkpoint / "model.safetensors").string()),
                      (checkpoint / "model.safetensors").string());
  try {
    torch::load(optimizer, (checkpoint / "optimizer.pt").string());
  } catch (const c10::Error& e) {
    throw std::runtime_error(fmt::format("{}: cannot load the optimizer state: {}",
                                         (checkpoint / "optimizer.pt").string(),
                                         e.what_without_backtrace()));
  }
  const fs::path state_path = checkpoint / "state.json";
  try {
    return read_json_file(state_path.string()).get<TrainState>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", state_path.string(), e.what()));
  }
}

}  // namespace sentzoo
