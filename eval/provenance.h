#pragma once
// Where a report's numbers come from (issue #15): the machine (CPU, cores, threads, BLAS and its
// kernel, load average), each model (kind, architecture, parameters, initialisation, training
// data and steps) and each data set (spec, resolved path, pairs). A fact that cannot be found is
// recorded as "unknown", never guessed.

#include <array>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "eval/pair_model.h"

namespace sentzoo {

/// The 1-, 5- and 15-minute load averages (/proc/loadavg), NaN when unreadable.
std::array<double, 3> load_average();

/// {"cpu", "cpu_features", "cores", "threads", "blas", "gemm_kernel", "libtorch", "sentzoo"}.
nlohmann::json machine_record();

/// {"path", "kind", "architecture", "parameters", "init", "train_data", "max_steps",
/// "steps_done", "best_step"} of the model loaded from `path`. Read from the model's metadata
/// (sentzoo.json, or metadata.json inside an export) and, for a training folder, from the run
/// beside it (DIR/config.json, DIR/metrics.jsonl); what neither says is "unknown".
nlohmann::json model_record(const std::filesystem::path& path, const PairModel& model);

namespace detail {
/// {"max_steps", "steps_done", "best_step", "init", "train_data"} from a run's resolved
/// config.json and metrics.jsonl texts (either may be empty); keys it cannot fill are absent.
nlohmann::json run_record(const std::string& config_json, const std::string& metrics_jsonl);
}  // namespace detail

}  // namespace sentzoo
