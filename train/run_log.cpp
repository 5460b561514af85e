// metrics.jsonl and TensorBoard scalars of a run (train/run_log.h).
#include "train/run_log.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "io/atomic_file.h"

namespace sentzoo {

namespace fs = std::filesystem;

namespace {

// metrics.jsonl rows after `step` come from steps that a resumed run redoes: drop them.
fs::path truncated_metrics_log(const fs::path& path, int64_t step) {
  std::ifstream in(path);
  if (!in) return path;
  std::string kept, line;
  while (std::getline(in, line)) {
    const auto row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!row.is_discarded() && row.value("step", int64_t{0}) <= step) kept += line + "\n";
  }
  write_file_atomic(path, kept);
  return path;
}

}  // namespace

RunLog::RunLog(const fs::path& output_dir, int64_t resumed_step)
    : metrics_path_(output_dir / "metrics.jsonl"),
      metrics_(
          truncated_metrics_log(output_dir / "metrics.jsonl", std::max<int64_t>(0, resumed_step)),
          std::ios::app),
      tensorboard_(output_dir / "tb") {}

void RunLog::row(const nlohmann::json& row) {
  metrics_ << row.dump() << "\n";
  metrics_.flush();
  if (!metrics_)
    throw std::runtime_error(
        fmt::format("{}: write failed (is the disk full?)", metrics_path_.string()));
}

void RunLog::step(const StepReport& r) {
  nlohmann::json j = {{"event", "step"},
                      {"step", r.step},
                      {"task", r.task},
                      {"loss", r.loss},
                      {"lr", r.lr},
                      {"grad_norm", r.grad_norm},
                      {"tokens_per_second", r.tokens_per_second},
                      {"seconds_per_step", r.seconds_per_step},
                      {"skipped", r.skipped}};
  if (r.comm_bytes > 0) {  // data parallel only
    j["comm_wait_seconds"] = r.comm_wait_seconds;
    j["comm_bytes"] = r.comm_bytes;
  }
  row(j);
  tensorboard_.add_scalar("train/loss", r.loss, r.step);
  tensorboard_.add_scalar("train/lr", r.lr, r.step);
}

void RunLog::eval(const EvalReport& e) {
  row({{"event", "eval"},
       {"step", e.step},
       {"task", e.task},
       {"metrics", e.metrics},
       {"improved", e.improved}});
  for (const auto& [key, value] : e.metrics.values)
    tensorboard_.add_scalar(fmt::format("dev/{}/{}", e.task, key), value, e.step);
}

void RunLog::layers(int64_t step, const std::vector<LayerGroupStats>& groups) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& g : groups) {
    rows.push_back({{"group", g.group},
                    {"grad_norm", g.grad_norm},
                    {"weight_norm", g.weight_norm},
                    {"update_norm", g.update_norm}});
  }
  row({{"event", "layers"}, {"step", step}, {"groups", rows}});
}

}  // namespace sentzoo
