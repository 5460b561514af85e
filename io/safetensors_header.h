#pragma once
// The torch-free half of the safetensors reader (io/safetensors.h): the JSON header parsed and
// every tensor entry checked against the data section, before any tensor is allocated. Kept
// apart from LibTorch so the fuzz target (fuzz/safetensors.cpp) runs without it.

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sentzoo::detail {

/// One tensor of the header, checked: `dtype` is one of F32 F64 F16 BF16 I64 I32 and
/// [begin, begin + nbytes) lies inside the data section.
struct SafetensorsEntry {
  std::string name;            // e.g. "embeddings.word_embeddings.weight"
  std::string dtype;           // e.g. "F32"
  std::vector<int64_t> shape;  // e.g. {30522, 768}
  uint64_t begin = 0;          // offset into the data section
  uint64_t nbytes = 0;         // numel * element size
};

/// Bytes per element of a safetensors dtype name, or 0 for an unsupported one.
size_t safetensors_element_size(std::string_view dtype);

/// The header JSON; throws std::runtime_error "path: invalid JSON header: ..." when it is not.
nlohmann::json parse_safetensors_header(std::string_view text, const std::string& path);

/// Every tensor entry (sorted by name; "__metadata__" left out), checked against a data section
/// of `data_size` bytes. Throws std::runtime_error naming the path and the tensor: a missing
/// key, a wrong type, an unknown dtype, a negative or overflowing shape, offsets outside the
/// data or not matching the shape.
std::vector<SafetensorsEntry> safetensors_entries(const nlohmann::json& header,
                                                  uint64_t data_size,
                                                  const std::string& path);

/// The "__metadata__" strings of the header, empty if absent; throws naming the path when it is
/// not an object of strings.
std::map<std::string, std::string> safetensors_metadata(const nlohmann::json& header,
                                                        const std::string& path);

}  // namespace sentzoo::detail
