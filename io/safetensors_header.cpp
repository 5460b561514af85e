// safetensors header parsing and checks (io/safetensors_header.h), without LibTorch.

#include "io/safetensors_header.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "core/json_text.h"

namespace sentzoo::detail {

size_t safetensors_element_size(std::string_view dtype) {
  if (dtype == "F32" || dtype == "I32") return 4;
  if (dtype == "F64" || dtype == "I64") return 8;
  if (dtype == "F16" || dtype == "BF16") return 2;
  return 0;
}

nlohmann::json parse_safetensors_header(std::string_view text, const std::string& path) {
  return parse_json_text(text, path + " (safetensors header)");  // duplicate keys refused too
}

namespace {

// A JSON value for an error message, cut to a readable length (at a UTF-8 character boundary).
std::string excerpt(const nlohmann::json& j) {
  std::string s = j.dump();
  if (s.size() <= 120) return s;
  size_t cut = 120;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "...";
}

// numel * element_size, or false when a dimension is negative or the product overflows (a
// shape like [2^32, 2^32] wrapped to 0 bytes and passed the offset check).
bool byte_size(const std::vector<int64_t>& shape, size_t element_size, uint64_t& out) {
  uint64_t n = element_size;
  for (const int64_t s : shape)
    if (s < 0 || __builtin_mul_overflow(n, static_cast<uint64_t>(s), &n)) return false;
  out = n;
  return true;
}

}  // namespace

std::vector<SafetensorsEntry> safetensors_entries(const nlohmann::json& header,
                                                  uint64_t data_size,
                                                  const std::string& path) {
  if (!header.is_object())
    throw std::runtime_error(
        fmt::format("{}: expected a JSON object header, found {}", path, header.type_name()));
  std::vector<SafetensorsEntry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") continue;
    const std::string where = fmt::format("{}: tensor '{}'", path, name);
    SafetensorsEntry e;
    e.name = name;
    std::vector<uint64_t> offsets;
    try {  // a missing key or a wrong type: nlohmann's message, prefixed with where it was
      e.dtype = info.at("dtype").get<std::string>();
      // Integers only: get<int64_t>() casts a JSON float such as 4.4e24 to an integer, which is
      // undefined behaviour out of range (UBSan, fuzz/safetensors) and truncates 2.5 in range.
      for (const char* key : {"shape", "data_offsets"})
        for (const auto& v : info.at(key))
          if (!v.is_number_integer() ||
              (v.is_number_unsigned() && v.get<uint64_t>() > (uint64_t{1} << 63) - 1 &&
               std::string_view(key) == "shape"))
            throw std::runtime_error(fmt::format(
                "{}: expected integers in {}, found {}", where, key, excerpt(info.at(key))));
      e.shape = info.at("shape").get<std::vector<int64_t>>();
      offsets = info.at("data_offsets").get<std::vector<uint64_t>>();
    } catch (const nlohmann::json::exception& ex) {
      throw std::runtime_error(fmt::format(
          "{}: expected dtype, shape and data_offsets, found {} ({})", where, excerpt(info), ex.what()));
    }
    const size_t element_size = safetensors_element_size(e.dtype);
    if (element_size == 0)
      throw std::runtime_error(
          fmt::format("{}: expected dtype F32/F64/F16/BF16/I64/I32, found {}", where, e.dtype));
    if (!byte_size(e.shape, element_size, e.nbytes))
      throw std::runtime_error(
          fmt::format("{}: expected non-negative dimensions whose byte size fits 64 bits, found "
                      "shape {}",
                      where,
                      excerpt(e.shape)));
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
  // The format's own rule (the safetensors crate's validate): the tensors tile the data section
  // exactly, in offset order, without overlaps or holes; two tensors sharing bytes would load
  // one's values as the other's.
  std::vector<std::pair<uint64_t, uint64_t>> extents;  // [begin, end)
  for (const auto& e : entries) extents.emplace_back(e.begin, e.begin + e.nbytes);
  std::sort(extents.begin(), extents.end());
  uint64_t expected_begin = 0;
  for (const auto& [begin, end] : extents) {
    if (begin != expected_begin)
      throw std::runtime_error(fmt::format(
          "{}: expected the next tensor's data at byte {}, found one at {} ({})", path,
          expected_begin, begin, begin < expected_begin ? "overlapping tensors" : "a hole"));
    expected_begin = end;
  }
  if (expected_begin != data_size)
    throw std::runtime_error(fmt::format("{}: tensors end at byte {} of a {}-byte data section",
                                         path, expected_begin, data_size));
  return entries;
}

std::map<std::string, std::string> safetensors_metadata(const nlohmann::json& header,
                                                        const std::string& path) {
  std::map<std::string, std::string> meta;
  if (!header.is_object() || !header.contains("__metadata__")) return meta;
  const auto& m = header.at("__metadata__");
  if (!m.is_object())
    throw std::runtime_error(
        fmt::format("{}: expected __metadata__ to be an object, found {}", path, excerpt(m)));
  for (const auto& [k, v] : m.items()) {
    if (!v.is_string())
      throw std::runtime_error(fmt::format(
          "{}: expected a string for __metadata__ '{}', found {}", path, k, excerpt(v)));
    meta[k] = v.get<std::string>();
  }
  return meta;
}

}  // namespace sentzoo::detail
