// Fuzz target: strict JSON configs and `--set` overrides (core/config.h): read_json_file's
// line:column errors, check_known_keys, apply_override onto a config (the fuzzed one, or one of
// the repository's configs/*.json), and parse_config<T> into typed fields.
// Input (FuzzedDataProvider): which base config, the JSON text, then override lines.
#include <fuzzer/FuzzedDataProvider.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "core/config.h"
#include "fuzz/fuzz_input.h"

namespace {

// A config of every field type the real ones use (STYLE.md §3 structs), nested one level.
struct FuzzOptim {
  double lr = 1e-3;
  double eps = 1e-8;
  std::vector<double> betas = {0.9, 0.999};
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(FuzzOptim, lr, eps, betas)

struct FuzzConfig {
  std::string name = "run";
  int64_t max_steps = 100;
  bool deterministic = false;
  FuzzOptim optim;
  std::map<std::string, double> label_map;  // free-form map: check_known_keys skips it
  void validate() const {
    if (max_steps < 0) throw std::invalid_argument("max_steps must be >= 0");
  }
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(FuzzConfig, name, max_steps, deterministic, optim,
                                                label_map)

std::vector<nlohmann::json>& repo_configs() {
  static std::vector<nlohmann::json> all = [] {
    std::vector<nlohmann::json> out;
    for (const auto& entry : std::filesystem::directory_iterator(SENTZOO_SOURCE_DIR "/configs"))
      if (entry.path().extension() == ".json")
        out.push_back(sentzoo::read_json_file(entry.path().string()));
    out.push_back(nlohmann::json(FuzzConfig{}));
    return out;
  }();
  return all;
}

const std::string& scratch_file() {
  static const std::string path = (std::filesystem::temp_directory_path() /
                                   ("sentzoo_fuzz_config_" + std::to_string(getpid()) + ".json"))
                                      .string();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)repo_configs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sentzoo;
  FuzzedDataProvider in(data, size);
  const auto& configs = repo_configs();
  const size_t base = in.ConsumeIntegralInRange<size_t>(0, configs.size());  // size(): fuzzed
  const bool through_file = in.ConsumeIntegralInRange(0, 3) == 0;  // a file costs a syscall or 3
  const std::string text = in.ConsumeRandomLengthString(4096);
  std::vector<std::string> overrides;
  while (in.remaining_bytes() > 0 && overrides.size() < 8)
    overrides.push_back(in.ConsumeRandomLengthString(256));

  nlohmann::json j = base < configs.size() ? configs[base] : nlohmann::json();
  fuzz::expect_handled([&] {
    nlohmann::json parsed;
    if (through_file) {  // read_json_file's path:line:column errors
      {
        std::ofstream out(scratch_file(), std::ios::binary | std::ios::trunc);
        out << text;
      }
      parsed = read_json_file(scratch_file());
    } else {
      parsed = nlohmann::json::parse(text);
    }
    if (base == configs.size()) j = std::move(parsed);
    else detail::check_known_keys(parsed, configs[base], "fuzz.json");
  });
  for (const auto& o : overrides) fuzz::expect_handled([&] { apply_override(j, o); });
  fuzz::expect_handled([&] { (void)parse_config<FuzzConfig>(j, "fuzz.json"); });
  return 0;
}
