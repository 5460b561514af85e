// metadata.json parsing (models/export_metadata.h).

#include "models/export_metadata.h"

#include <fmt/format.h>

#include <stdexcept>

namespace sentzoo {

nlohmann::json parse_export_metadata(std::string_view text, const std::string& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e400
    throw std::runtime_error(
        fmt::format("{}: metadata.json: expected JSON, found invalid JSON ({})", path, e.what()));
  }
  // Readers call metadata.value(...), which throws a bare type_error on anything but an object.
  if (!j.is_object())
    throw std::runtime_error(
        fmt::format("{}: metadata.json: expected a JSON object, found {}", path, j.type_name()));
  return j;
}

}  // namespace sentzoo
