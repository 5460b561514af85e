#pragma once
// Strict reading of a JSON parameter object for the loss/weighting/combiner factories: unknown
// keys are errors that list the valid ones (STYLE.md §3); type errors name the key.

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace sentzoo::detail {

/// Throws std::invalid_argument "<what>: unknown key 'x' (expected one of: a, b)" on a typo, and
/// when `params` is neither null nor an object.
void check_keys(const nlohmann::json& params,
                std::initializer_list<const char*> known,
                const std::string& what);

/// params[key] as T, or `fallback` when absent; a wrong type names the key.
template <class T>
T param_or(const nlohmann::json& params, const char* key, T fallback, const std::string& what) {
  if (params.is_null() || !params.contains(key)) return fallback;
  try {
    return params.at(key).get<T>();
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(what + ": bad value for '" + key + "': " + e.what());
  }
}

/// params[key] as T; throws naming the key when it is absent.
template <class T>
T param_required(const nlohmann::json& params, const char* key, const std::string& what) {
  if (params.is_null() || !params.contains(key))
    throw std::invalid_argument(what + ": missing required key '" + key + "'");
  return param_or<T>(params, key, T{}, what);
}

/// "a, b, c" for error messages.
std::string join_names(const std::vector<std::string>& names);

}  // namespace sentzoo::detail
