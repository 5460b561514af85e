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
/// is not in `known` ("no keys" when `known` is empty); without the prefix when `what` is empty.
void require_known_key(const std::string& key,
                       const std::vector<std::string>& known,
                       const std::string& what);

/// Throws std::invalid_argument for the first key of `given` that `known` lacks, recursing into
/// objects; messages start with the key path below `path` ("optim.lr: ...", `path` "" at the top). An empty object in `known` is a free-form map (e.g. a label map) and is not checked.
/// Scalars must have the type of their default, exactly: an integer field takes no 8.7, an
/// unsigned one no -1, a number no string; every number must be finite.
void check_known_keys(const nlohmann::json& given,
                      const nlohmann::json& known,
                      const std::string& path);
}  // namespace detail

/// Parses `j` into T with defaults from T{}; unknown keys (at any depth) throw, then validate()
/// (unless `validate` is false). `what` names the source in messages, e.g. "configs/tiny.json".
template <class T>
T parse_config(const nlohmann::json& j, const std::string& what, bool validate = true) {
  if (!j.is_object()) {
    throw std::invalid_argument(
        fmt::format("{}: expected a JSON object, found {}", what, j.type_name()));
  }
  // Every message is "<what>: <key.path>: <problem>", the source named once.
  T config;
  try {
    detail::check_known_keys(j, nlohmann::json(T{}), "");
    config = j.get<T>();
    if (validate) config.validate();
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(fmt::format("{}: {}", what, e.what()));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("{}: {}", what, e.what()));
  }
  return config;
}

/// Applies one `key.path=value` override in place (`tasks[0].loss.name=bce` indexes arrays). The
/// key must exist in `j` or in `schema` (the same shape with every key the config may hold, at
/// its default: a key only the schema has is added); the value is parsed as the existing value's
/// type (integer, number, bool, string; JSON for arrays, objects and null defaults).
void apply_override(nlohmann::json& j,
                    const std::string& assignment,
                    const nlohmann::json& schema = nlohmann::json());

/// Applies several overrides in order.
void apply_overrides(nlohmann::json& j, const std::vector<std::string>& assignments);

}  // namespace sentzoo
