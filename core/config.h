#pragma once
// Strict JSON configs (STYLE.md §3): defaults come from T{}, a key T does not know is an error
// naming its full path, `--set a.b=value` overrides are type-checked against the current value.

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/json_text.h"  // read_json_file, for every config reader

namespace sentzoo {

namespace detail {
/// The one strict-key check (every config, parameter object and dataset spec goes through it):
/// throws std::invalid_argument "<what>: unknown key '<key>' (expected one of: a, b)" when `key`
/// is not in `known` ("no keys" when `known` is empty).
void require_known_key(const std::string& key,
                       const std::vector<std::string>& known,
                       const std::string& what);

/// Throws std::invalid_argument for the first key of `given` that `known` lacks, recursing into
/// objects. An empty object in `known` is a free-form map (e.g. a label map) and is not checked.
/// Scalars must have the type of their default, exactly: an integer field takes no 8.7, an
/// unsigned one no -1, a number no string; every number must be finite.
void check_known_keys(const nlohmann::json& given,
                      const nlohmann::json& known,
                      const std::string& path);
}  // namespace detail

/// Parses `j` into T with defaults from T{}; unknown keys (at any depth) throw, then validate().
/// `what` names the source in messages, e.g. "configs/tiny.json" or "model".
template <class T>
T parse_config(const nlohmann::json& j, const std::string& what) {
  if (!j.is_object()) {
    throw std::invalid_argument(
        fmt::format("{}: expected a JSON object, found {}", what, j.type_name()));
  }
  detail::check_known_keys(j, nlohmann::json(T{}), what);
  T config;
  try {
    config = j.get<T>();
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(fmt::format("{}: {}", what, e.what()));
  }
  config.validate();
  return config;
}

/// Applies one `key.path=value` override in place. The key must exist; the value is parsed as
/// the existing value's type (integer, number, bool, string; JSON for arrays and objects).
void apply_override(nlohmann::json& j, const std::string& assignment);

/// Applies several overrides in order.
void apply_overrides(nlohmann::json& j, const std::vector<std::string>& assignments);

}  // namespace sentzoo
