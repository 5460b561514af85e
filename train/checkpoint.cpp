// Atomic training checkpoints and exact resume (train/checkpoint.h).
#include "train/checkpoint.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "io/safetensors.h"
#include "io/atomic_file.h"

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

std::map<std::string, torch::Tensor> module_tensors(const torch::nn::Module& module) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : module.named_parameters())
    out[p.key()] = p.value().detach().cpu().contiguous();
  for (const auto& b : module.named_buffers()) out[b.key()] = b.value().detach().cpu().contiguous();
  return out;
}

void load_module_tensors(torch::nn::Module& module,
                         const std::map<std::string, torch::Tensor>& tensors,
                         const std::string& source) {
  std::vector<std::string> problems;
  std::set<std::string> used;
  torch::NoGradGuard no_grad;
  auto assign = [&](const std::string& name, torch::Tensor target) {
    const auto it = tensors.find(name);
    if (it == tensors.end()) {
      problems.push_back("missing " + name);
    } else if (it->second.sizes() != target.sizes()) {
      problems.push_back(fmt::format("shape of {}: expected {}, found {}",
                                     name,
                                     fmt::join(target.sizes(), "x"),
                                     fmt::join(it->second.sizes(), "x")));
    } else {
      target.copy_(it->second);
      used.insert(name);
    }
  };
  for (const auto& p : module.named_parameters()) assign(p.key(), p.value());
  for (const auto& b : module.named_buffers()) assign(b.key(), b.value());
  for (const auto& item : tensors) {
    if (!used.count(item.first) &&
        !std::any_of(problems.begin(), problems.end(), [&](const std::string& p) {
          return p.find(item.first) != std::string::npos;
        })) {
      problems.push_back("unused " + item.first);
    }
  }
  if (!problems.empty()) {
    throw std::runtime_error(
        fmt::format("{}: weights do not fit the model: {}", source, fmt::join(problems, "; ")));
  }
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
    if (!fs::exists(entry.path() / "state.json")) continue;
    found.emplace_back(std::stoll(digits), entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
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
  write_directory_atomic(target, [&](const fs::path& tmp) {
    write_safetensors((tmp / "model.safetensors").string(), module_tensors(model));
    torch::save(optimizer, (tmp / "optimizer.pt").string());
    std::ofstream(tmp / "config.json") << config.dump(2) << "\n";
    std::ofstream(tmp / "state.json") << nlohmann::json(state).dump(2) << "\n";  // written last
  });
  auto all = checkpoints(output_dir);
  for (size_t i = 0; i + keep < all.size(); ++i) fs::remove_all(all[i].second);
  return target;
}

std::optional<fs::path> latest_checkpoint(const fs::path& output_dir) {
  auto all = checkpoints(output_dir);
  if (all.empty()) return std::nullopt;
  return all.back().second;
}

TrainState load_checkpoint(const fs::path& checkpoint,
                           torch::nn::Module& model,
                           torch::optim::Optimizer& optimizer,
                           const nlohmann::json& config) {
  std::ifstream config_in(checkpoint / "config.json");
  const auto saved = nlohmann::json::parse(config_in);
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
  torch::load(optimizer, (checkpoint / "optimizer.pt").string());
  std::ifstream state_in(checkpoint / "state.json");
  return nlohmann::json::parse(state_in).get<TrainState>();
}

}  // namespace sentzoo
