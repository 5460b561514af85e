// Strict config parsing and typed overrides (core/config.h).
#include "core/config.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>

namespace sentzoo {

namespace detail {
void require_known_key(const std::string& key,
                       const std::vector<std::string>& known,
                       const std::string& what) {
  if (std::find(known.begin(), known.end(), key) != known.end()) return;
  throw std::invalid_argument(fmt::format(
      "{}unknown key '{}' (expected one of: {})",
      what.empty() ? std::string() : what + ": ",
      key,
      known.empty() ? std::string("no keys") : fmt::format("{}", fmt::join(known, ", "))));
}

namespace {
std::string join_key(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// The kind of value `known` (a default) asks for, or nullptr when `given` is one.
const char* type_mismatch(const nlohmann::json& given, const nlohmann::json& known) {
  if (known.is_number_unsigned()) {
    const bool fits = given.is_number_unsigned() ||
                      (given.is_number_integer() && given.get<int64_t>() >= 0);
    return fits ? nullptr : "a non-negative integer";
  }
  if (known.is_number_integer()) {
    const bool fits = given.is_number_integer() &&
                      (!given.is_number_unsigned() ||
                       given.get<uint64_t>() <= uint64_t{std::numeric_limits<int64_t>::max()});
    return fits ? nullptr : "an integer";
  }
  if (known.is_number_float()) return given.is_number() ? nullptr : "a number";
  if (known.is_boolean()) return given.is_boolean() ? nullptr : "true or false";
  if (known.is_string()) return given.is_string() ? nullptr : "a string";
  if (known.is_object() && !known.empty()) return given.is_object() ? nullptr : "an object";
  return nullptr;  // null defaults (optional fields), arrays, free-form maps: their parser checks
}

void check_finite(const nlohmann::json& given, const std::string& path) {
  if (given.is_number_float() && !std::isfinite(given.get<double>()))
    throw std::invalid_argument(fmt::format("{}: expected a finite number, found {}", path,
                                            given.get<double>()));
  if (given.is_structured())
    for (const auto& item : given.items())
      check_finite(item.value(), given.is_array() ? fmt::format("{}[{}]", path, item.key())
                                                  : join_key(path, item.key()));
}
}  // namespace

void check_known_keys(const nlohmann::json& given,
                      const nlohmann::json& known,
                      const std::string& path) {
  check_finite(given, path);
  if (!given.is_object() || !known.is_object() || known.empty()) return;
  std::vector<std::string> names;
  for (const auto& k : known.items()) names.push_back(k.key());
  for (const auto& item : given.items()) {
    require_known_key(item.key(), names, path);
    const auto& default_value = known.at(item.key());
    const std::string where = join_key(path, item.key());
    if (const char* expected = type_mismatch(item.value(), default_value)) {
      throw std::invalid_argument(fmt::format(
          "{}: expected {}, found {}", where, expected, excerpt(item.value().dump())));
    }
    check_known_keys(item.value(), default_value, where);
  }
}
}  // namespace detail

namespace {
// "tasks[1]" -> ("tasks", 1); "train" -> ("train", -1).
std::pair<std::string, int64_t> split_index(const std::string& part) {
  const auto open = part.find('[');
  if (open == std::string::npos || part.back() != ']') return {part, -1};
  const std::string digits = part.substr(open + 1, part.size() - open - 2);
  if (digits.empty() || digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return {part, -1};
  return {part.substr(0, open), std::stoll(digits)};
}

std::string known_keys_of(const nlohmann::json& a, const nlohmann::json& b) {
  std::vector<std::string> names;
  for (const auto* node : {&a, &b})
    if (node->is_object())
      for (const auto& item : node->items())
        if (std::find(names.begin(), names.end(), item.key()) == names.end())
          names.push_back(item.key());
  std::sort(names.begin(), names.end());
  return names.empty() ? std::string("no keys") : fmt::format("{}", fmt::join(names, ", "));
}
}  // namespace

void apply_override(nlohmann::json& j, const std::string& assignment, const nlohmann::json& schema) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw std::invalid_argument(
        fmt::format("--set: expected key.path=value, found '{}'", excerpt(assignment)));
  }
  const std::string key = assignment.substr(0, eq);
  const std::string value = assignment.substr(eq + 1);
  // Walk the config and the schema side by side; a key the config lacks but the schema knows is
  // added with the schema's default, which also fixes the type the value must have.
  nlohmann::json* node = &j;
  const nlohmann::json* known = &schema;
  static const nlohmann::json kNothing;
  std::string walked;
  size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    const auto [part, index] =
        split_index(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    walked += (walked.empty() ? "" : ".") + part;
    const bool in_config = node->is_object() && node->contains(part);
    const bool in_schema = known->is_object() && known->contains(part);
    if (!in_config && !in_schema) {
      throw std::invalid_argument(fmt::format("--set {}: unknown key '{}' (expected one of: {})",
                                              excerpt(assignment), walked,
                                              known_keys_of(*node, *known)));
    }
    if (!in_config && !node->is_object() && !node->is_null())
      throw std::invalid_argument(fmt::format("--set {}: '{}' is inside a {}, not an object",
                                              excerpt(assignment), walked, node->type_name()));
    if (!in_config) (*node)[part] = known->at(part);
    node = &(*node)[part];
    known = in_schema ? &known->at(part) : &kNothing;
    if (index >= 0) {
      walked += fmt::format("[{}]", index);
      if (!node->is_array() || index >= static_cast<int64_t>(node->size()))
        throw std::invalid_argument(fmt::format(
            "--set {}: '{}' does not exist ({} has {} entries)", excerpt(assignment), walked,
            part, node->is_array() ? node->size() : 0));
      node = &(*node)[index];
      known = known->is_array() && index < static_cast<int64_t>(known->size()) ? &known->at(index)
                                                                                : &kNothing;
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  auto fail = [&](const char* expected) {
    return std::invalid_argument(fmt::format("--set {}: expected {}, found '{}'",
                                             excerpt(assignment), expected, excerpt(value)));
  };
  // std::stoll/stod throw std::invalid_argument ("stoll") themselves: parse into a flag first.
  // They also skip leading whitespace, which a typed value must not have.
  bool parsed = value.empty() || !std::isspace(static_cast<unsigned char>(value.front()));
  size_t used = 0;
  if (node->is_boolean()) {
    if (value != "true" && value != "false") throw fail("true or false");
    *node = value == "true";
  } else if (node->is_number_integer()) {
    long long v = 0;
    try {
      v = std::stoll(value, &used);
    } catch (const std::logic_error&) {
      parsed = false;
    }
    if (!parsed || used != value.size()) throw fail("an integer");
    *node = v;
  } else if (node->is_number()) {
    double v = 0;
    try {
      v = std::stod(value, &used);
    } catch (const std::logic_error&) {
      parsed = false;
    }
    if (!parsed || used != value.size() || !std::isfinite(v)) throw fail("a finite number");
    *node = v;
  } else if (node->is_string()) {
    // JSON holds UTF-8 only: a value that could not be written into the run's config.json is
    // refused now, not when the run saves it (found by fuzz/config).
    try {
      (void)nlohmann::json(value).dump();
    } catch (const nlohmann::json::type_error&) {
      throw fail("UTF-8 text");
    }
    *node = value;
  } else {
    auto v = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
    if (v.is_discarded()) throw fail("JSON");
    *node = v;
  }
}

void apply_overrides(nlohmann::json& j, const std::vector<std::string>& assignments) {
  for (const auto& a : assignments) apply_override(j, a);
}

}  // namespace sentzoo
