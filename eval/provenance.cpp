// Provenance records for reports (eval/provenance.h).
#include "eval/provenance.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/blas_kernel.h"
#include "core/build_info.h"
#include "core/runtime.h"

namespace sentzoo {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  return "unknown";
}

// The training run a model folder came from: DIR for DIR or DIR/best, when DIR holds a run.
std::optional<fs::path> run_folder(const fs::path& path) {
  if (!fs::is_directory(path)) return std::nullopt;
  for (const fs::path& dir : {path, path.parent_path(), path.lexically_normal().parent_path()})
    if (!dir.empty() && fs::is_regular_file(dir / "metrics.jsonl") &&
        fs::is_regular_file(dir / "config.json") && fs::is_directory(dir / "best"))
      return dir;
  return std::nullopt;
}

}  // namespace

std::array<double, 3> load_average() {
  std::array<double, 3> load{NAN, NAN, NAN};
  std::ifstream in("/proc/loadavg");
  in >> load[0] >> load[1] >> load[2];
  if (!in) load = {NAN, NAN, NAN};
  return load;
}

nlohmann::json machine_record() {
  const BlasInfo blas = active_blas();
  return {{"cpu", cpu_model()},
          {"cpu_features", host_cpu_features().summary()},
          {"cores", available_cores()},
          {"threads", at::get_num_threads()},
          {"blas", blas.name},
          {"gemm_kernel", blas.kernel},
          {"libtorch", TORCH_VERSION},
          {"sentzoo", SENTZOO_VERSION}};
}

namespace detail {

nlohmann::json run_record(const std::string& config_json, const std::string& metrics_jsonl) {
  nlohmann::json r = nlohmann::json::object();
  const auto config = nlohmann::json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (config.is_object()) {
    const auto& model = config.value("model", nlohmann::json::object());
    if (model.is_object() && model.contains("init_from") && model["init_from"].is_string()) {
      const auto from = model["init_from"].get<std::string>();
      r["init"] = from.empty() ? "random" : from;
    }
    const auto& train = config.value("train", nlohmann::json::object());
    if (train.is_object() && train.contains("max_steps")) r["max_steps"] = train["max_steps"];
    // Multi-task runs list tasks; single-task runs name data.train.
    const auto& tasks = config.value("tasks", nlohmann::json::array());
    if (tasks.is_array() && !tasks.empty()) {
      std::string all;
      for (const auto& t : tasks)
        if (t.is_object() && t.contains("train") && t["train"].is_string())
          all += (all.empty() ? "" : ", ") + t["train"].get<std::string>();
      r["train_data"] = all;
    } else if (config.contains("data") && config["data"].is_object() &&
               config["data"].contains("train") && config["data"]["train"].is_string()) {
      r["train_data"] = config["data"]["train"];
    }
  }
  std::istringstream rows(metrics_jsonl);
  int64_t last = -1, best = -1, evals = 0;
  for (std::string line; std::getline(rows, line);) {
    const auto row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!row.is_object() || !row.contains("step") || !row["step"].is_number_integer()) continue;
    const auto step = row["step"].get<int64_t>();
    last = std::max(last, step);
    if (row.value("event", std::string()) != "eval") continue;
    ++evals;
    if (row.value("improved", false)) best = step;
  }
  if (last >= 0) r["steps_done"] = last;
  if (best >= 0) r["best_step"] = best;
  if (evals == 0 && last >= 0) r["best_step"] = last;  // no dev set: best/ is the last model
  return r;
}

}  // namespace detail

nlohmann::json model_record(const fs::path& path, const PairModel& model) {
  const auto& meta = model.metadata();
  auto get = [&](const char* key) -> nlohmann::json {
    return meta.contains(key) ? meta[key] : nlohmann::json("unknown");
  };
  nlohmann::json r = {{"path", path.string()},
                      {"kind", model.kind()},
                      {"architecture", get("architecture")},
                      {"parameters", model.num_parameters()},
                      {"init", get("init")},
                      {"train_data", get("train_data")},
                      {"max_steps", get("max_steps")},
                      {"steps_done", "unknown"},
                      {"best_step", "unknown"}};
  if (const auto run = run_folder(path)) {
    // The run's own record fills what sentzoo.json of older folders does not say.
    const auto from_run =
        detail::run_record(read_text(*run / "config.json"), read_text(*run / "metrics.jsonl"));
    for (const auto& [key, value] : from_run.items())
      if (r[key] == "unknown") r[key] = value;
    r["run"] = run->string();
  }
  return r;
}

}  // namespace sentzoo
