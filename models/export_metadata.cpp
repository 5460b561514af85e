// metadata.json parsing (models/export_metadata.h).

#include "models/export_metadata.h"

#include <fmt/format.h>

#include <cstdint>
#include <stdexcept>

#include "core/json_text.h"

namespace sentzoo {

nlohmann::json parse_export_metadata(std::string_view text, const std::string& path) {
  // Every JSON-library error (parse_error, out_of_range for 1e400) and duplicate keys.
  const nlohmann::json j = parse_json_text(text, path + ": metadata.json");
  // Readers call metadata.value(...), which throws a bare type_error on anything but an object.
  if (!j.is_object())
    throw std::runtime_error(
        fmt::format("{}: metadata.json: expected a JSON object, found {}", path, j.type_name()));
  // The keys eval/pair_model.cpp reads with value(key, default): a wrong type threw a bare
  // type_error there, and value<int64_t>() on a float such as 1e30 is an out-of-range cast
  // (undefined behaviour; the class fuzz/safetensors found in nlohmann's get<int64_t>).
  auto expect = [&](const char* key, bool ok, const char* what) {
    if (j.contains(key) && !ok)
      throw std::runtime_error(fmt::format(
          "{}: metadata.json: expected {} for '{}', found {}", path, what, key, j.at(key).dump()));
  };
  auto positive_integer = [&](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() &&
           (it->is_number_unsigned() ? it->get<uint64_t>() <= INT64_MAX : it->get<int64_t>() > 0);
  };
  expect("kind", j.contains("kind") && j.at("kind").is_string(), "a string");
  expect("lowercase", j.contains("lowercase") && j.at("lowercase").is_boolean(), "true or false");
  expect("max_length", positive_integer("max_length"), "a positive integer");
  expect("num_labels", positive_integer("num_labels"), "a positive integer");
  return j;
}

}  // namespace sentzoo
