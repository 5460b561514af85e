// Strict config parsing and typed overrides (core/config.h).
#include "core/config.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace sentzoo {

namespace detail {
void require_known_key(const std::string& key,
                       const std::vector<std::string>& known,
                       const std::string& what) {
  if (std::find(known.begin(), known.end(), key) != known.end()) return;
  throw std::invalid_argument(fmt::format(
      "{}: unknown key '{}' (expected one of: {})",
      what,
      key,
      known.empty() ? std::string("no keys") : fmt::format("{}", fmt::join(known, ", "))));
}

void check_known_keys(const nlohmann::json& given,
                      const nlohmann::json& known,
                      const std::string& path) {
  if (!given.is_object() || !known.is_object() || known.empty()) return;
  std::vector<std::string> names;
  for (const auto& k : known.items()) names.push_back(k.key());
  for (const auto& item : given.items()) {
    require_known_key(item.key(), names, path);
    check_known_keys(item.value(), known.at(item.key()), path + "." + item.key());
  }
}
}  // namespace detail

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open file", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based; turn it into line:column.
    size_t line = 1, column = 1;
    for (size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw std::runtime_error(
        fmt::format("{}:{}:{}: invalid JSON: {}", path, line, column, e.what()));
  }
}

void apply_override(nlohmann::json& j, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw std::invalid_argument(
        fmt::format("--set: expected key.path=value, found '{}'", assignment));
  }
  const std::string key = assignment.substr(0, eq);
  const std::string value = assignment.substr(eq + 1);
  nlohmann::json* node = &j;
  std::string walked;
  size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    const std::string part =
        key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    walked += (walked.empty() ? "" : ".") + part;
    if (!node->is_object() || !node->contains(part)) {
      throw std::invalid_argument(fmt::format("--set {}: unknown key '{}'", assignment, walked));
    }
    node = &(*node)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  auto fail = [&](const char* expected) {
    return std::invalid_argument(fmt::format(
        "--set {}: expected {} for '{}', found '{}'", assignment, expected, key, value));
  };
  // std::stoll/stod throw std::invalid_argument ("stoll") themselves: parse into a flag first.
  bool parsed = true;
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
    if (!parsed || used != value.size()) throw fail("a number");
    *node = v;
  } else if (node->is_string()) {
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
