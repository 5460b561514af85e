// safetensors header parsing and checks (io/safetensors_header.h), without LibTorch.

#include "io/safetensors_header.h"

#include <fmt/format.h>

#include <stdexcept>

namespace sentzoo::detail {

size_t safetensors_element_size(std::string_view dtype) {
  if (dtype == "F32" || dtype == "I32") return 4;
  if (dtype == "F64" || dtype == "I64") return 8;
  if (dtype == "F16" || dtype == "BF16") return 2;
  return 0;
}

nlohmann::json parse_safetensors_header(std::string_view text, const std::string& path) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{}: invalid JSON header: {}", path, e.what()));
  }
}

std::vector<SafetensorsEntry> safetensors_entries(const nlohmann::json& header,
                                                  uint64_t data_size,
                                                  const std::string& path) {
  std::vector<SafetensorsEntry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") continue;
    const std::string where = fmt::format("{}: tensor '{}'", path, name);
    SafetensorsEntry e;
    e.name = name;
    e.dtype = info.at("dtype").get<std::string>();
    const size_t element_size = safetensors_element_size(e.dtype);
    if (element_size == 0)
      throw std::runtime_error(
          fmt::format("{}: expected dtype F32/F64/F16/BF16/I64/I32, found {}", where, e.dtype));
    e.shape = info.at("shape").get<std::vector<int64_t>>();
    const auto offsets = info.at("data_offsets").get<std::vector<uint64_t>>();
    int64_t numel = 1;
    for (auto s : e.shape) numel *= s;
    e.nbytes = static_cast<uint64_t>(numel) * element_size;
    if (offsets.size() != 2 || offsets[1] < offsets[0] || offsets[1] - offsets[0] != e.nbytes ||
        offsets[1] > data_size)
      throw std::runtime_error(
          fmt::format("{}: expected {} bytes inside the {}-byte data section, found offsets {}",
                      where,
                      e.nbytes,
                      data_size,
                      nlohmann::json(offsets).dump()));
    e.begin = offsets[0];
    entries.push_back(std::move(e));
  }
  return entries;
}

std::map<std::string, std::string> safetensors_metadata(const nlohmann::json& header) {
  std::map<std::string, std::string> meta;
  if (header.contains("__metadata__"))
    for (const auto& [k, v] : header["__metadata__"].items()) meta[k] = v.get<std::string>();
  return meta;
}

}  // namespace sentzoo::detail
