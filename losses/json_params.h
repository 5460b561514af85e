#pragma once
// Strict reading of a JSON parameter object for the loss/weighting/combiner factories: unknown
// keys are errors that list the valid ones (STYLE.md §3); type errors name the key.

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sentzoo::detail {

/// While one is alive, param_or and param_required on this thread also record each key with its
/// default (null for a required key), and a required key that is absent reads as T{} instead of
/// throwing: a factory called with no parameters then describes its own parameters, so the
/// names and defaults live once, where they are read (describe_params, docs/CONFIG.md,
/// sentzoo-train --print-config and --set).
class ParamRecorder {
 public:
  ParamRecorder();
  ~ParamRecorder();
  ParamRecorder(const ParamRecorder&) = delete;
  ParamRecorder& operator=(const ParamRecorder&) = delete;
  /// The recorder of this thread, or nullptr.
  static ParamRecorder* active();
  void record(const char* key, nlohmann::json default_value);
  /// The keys check_keys accepted (every factory lists them before reading).
  void accept(std::initializer_list<const char*> keys);
  const nlohmann::json& recorded() const { return recorded_; }
  /// Throws std::logic_error when a key check_keys accepts was never read (a check threw
  /// before it): the recorded list would be incomplete.
  void require_complete(const std::string& what) const;

 private:
  nlohmann::json recorded_ = nlohmann::json::object();
  std::vector<std::string> accepted_;
  ParamRecorder* previous_;
};

/// The parameters `make` reads, with their defaults (null: required): `make` is called once
/// under a ParamRecorder with no parameters; what it throws after reading them (a head of size
/// 0, say) is ignored.
template <class Make>
nlohmann::json describe_params(Make&& make) {
  ParamRecorder recorder;
  try {
    make();
  } catch (const std::exception&) {
  }
  recorder.require_complete("describe_params");
  return recorder.recorded();
}

/// Throws std::invalid_argument "<what>: unknown key 'x' (expected one of: a, b)" on a typo, and
/// when `params` is neither null nor an object.
void check_keys(const nlohmann::json& params,
                std::initializer_list<const char*> known,
                const std::string& what);

/// params[key] as T, or `fallback` when absent; a wrong type names the key.
template <class T>
T param_value(const nlohmann::json& params, const char* key, T fallback, const std::string& what) {
  if (params.is_null() || !params.contains(key)) return fallback;
  try {
    return params.at(key).get<T>();
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(what + ": bad value for '" + key + "': " + e.what());
  }
}

template <class T>
T param_or(const nlohmann::json& params, const char* key, T fallback, const std::string& what) {
  if (auto* recorder = ParamRecorder::active()) recorder->record(key, nlohmann::json(fallback));
  return param_value<T>(params, key, std::move(fallback), what);
}

/// params[key] as T; throws naming the key when it is absent.
template <class T>
T param_required(const nlohmann::json& params, const char* key, const std::string& what) {
  if (auto* recorder = ParamRecorder::active()) recorder->record(key, nullptr);
  if ((params.is_null() || !params.contains(key)) && !ParamRecorder::active())
    throw std::invalid_argument(what + ": missing required key '" + key + "'");
  return param_value<T>(params, key, T{}, what);
}

/// "a, b, c" for error messages.
std::string join_names(const std::vector<std::string>& names);

}  // namespace sentzoo::detail
