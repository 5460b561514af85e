// safetensors reader/writer (format: github.com/huggingface/safetensors README, "Format").

#include "io/safetensors.h"

#include "core/json_text.h"
#include "io/atomic_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

namespace sentzoo {

namespace {

const std::map<std::string, torch::Dtype>& dtype_table() {
  static const std::map<std::string, torch::Dtype> t = {{"F32", torch::kFloat32},
                                                        {"F64", torch::kFloat64},
                                                        {"F16", torch::kFloat16},
                                                        {"BF16", torch::kBFloat16},
                                                        {"I64", torch::kInt64},
                                                        {"I32", torch::kInt32}};
  return t;
}

std::string dtype_name(torch::Dtype d) {
  for (const auto& [name, dtype] : dtype_table())
    if (dtype == d) return name;
  throw std::invalid_argument(fmt::format("safetensors: unsupported dtype {}", c10::toString(d)));
}

bool little_endian() {
  const uint16_t one = 1;
  uint8_t first = 0;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

struct Raw {
  nlohmann::json header;
  std::vector<char> data;  // bytes after the header
};

Raw read_raw(const std::string& path) {
  if (!little_endian()) throw std::runtime_error("safetensors: big-endian hosts are not supported");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open", path));
  uint64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), 8);
  if (!in)
    throw std::runtime_error(
        fmt::format("{}: expected an 8-byte header length, found a shorter file", path));
  in.seekg(0, std::ios::end);
  const uint64_t size = static_cast<uint64_t>(in.tellg());
  if (n > size - 8)
    throw std::runtime_error(
        fmt::format("{}: header length {} exceeds file size {}", path, n, size));
  in.seekg(8);
  std::string header(n, '\0');
  in.read(header.data(), static_cast<std::streamsize>(n));
  Raw raw;
  raw.header = parse_json_text(header, path + " (safetensors header)");
  if (!raw.header.is_object())
    throw std::runtime_error(fmt::format("{}: expected a JSON object as the header, found {}",
                                         path, raw.header.type_name()));
  raw.data.resize(size - 8 - n);
  in.read(raw.data.data(), static_cast<std::streamsize>(raw.data.size()));
  if (!in) throw std::runtime_error(fmt::format("{}: truncated data section", path));
  return raw;
}

}  // namespace

TensorMap read_safetensors(const std::string& path) {
  Raw raw = read_raw(path);
  TensorMap out;
  std::vector<std::pair<uint64_t, uint64_t>> extents;  // [begin, end) of every tensor, checked below
  for (const auto& [name, info] : raw.header.items()) {
    if (name == "__metadata__") continue;
    const std::string where = fmt::format("{}: tensor '{}'", path, name);
    if (!info.is_object() || !info.contains("dtype") || !info["dtype"].is_string() ||
        !info.contains("shape") || !info.contains("data_offsets"))
      throw std::runtime_error(fmt::format(
          "{}: expected {{\"dtype\", \"shape\", \"data_offsets\"}}, found {}", where,
          excerpt(info.dump())));
    const auto dtype_str = info.at("dtype").get<std::string>();
    auto it = dtype_table().find(dtype_str);
    if (it == dtype_table().end())
      throw std::runtime_error(
          fmt::format("{}: expected dtype F32/F64/F16/BF16/I64/I32, found {}", where, dtype_str));
    std::vector<int64_t> shape;
    std::vector<uint64_t> offsets;
    try {
      shape = info.at("shape").get<std::vector<int64_t>>();
      offsets = info.at("data_offsets").get<std::vector<uint64_t>>();
    } catch (const nlohmann::json::exception&) {
      throw std::runtime_error(fmt::format(
          "{}: expected a shape of non-negative integers and two data_offsets, found {}", where,
          excerpt(info.dump())));
    }
    // The product of the dimensions, refused before it can overflow (a hostile header).
    uint64_t numel = 1;
    for (auto d : shape) {
      if (d < 0 || (d > 0 && numel > raw.data.size() / static_cast<uint64_t>(d)))
        throw std::runtime_error(fmt::format("{}: shape {} does not fit the {}-byte data section",
                                             where, nlohmann::json(shape).dump(),
                                             raw.data.size()));
      numel *= static_cast<uint64_t>(d);
    }
    const uint64_t nbytes = numel * torch::elementSize(it->second);
    if (offsets.size() != 2 || offsets[1] < offsets[0] || offsets[1] - offsets[0] != nbytes ||
        offsets[1] > raw.data.size())
      throw std::runtime_error(
          fmt::format("{}: expected {} bytes inside the {}-byte data section, found offsets {}",
                      where,
                      nbytes,
                      raw.data.size(),
                      nlohmann::json(offsets).dump()));
    extents.emplace_back(offsets[0], offsets[1]);
    auto t = torch::empty(shape, torch::TensorOptions().dtype(it->second));
    if (nbytes) std::memcpy(t.data_ptr(), raw.data.data() + offsets[0], nbytes);
    out.emplace(name, t);
  }
  // The format's own rule (the safetensors crate's validate): the tensors tile the data section
  // exactly, in offset order, without overlaps or holes; two tensors sharing bytes would load
  // one's values as the other's.
  std::sort(extents.begin(), extents.end());
  uint64_t expected_begin = 0;
  for (const auto& [begin, end] : extents) {
    if (begin != expected_begin)
      throw std::runtime_error(fmt::format(
          "{}: expected the next tensor's data at byte {}, found one at {} ({})", path,
          expected_begin, begin, begin < expected_begin ? "overlapping tensors" : "a hole"));
    expected_begin = end;
  }
  if (expected_begin != raw.data.size())
    throw std::runtime_error(fmt::format("{}: tensors end at byte {} of a {}-byte data section",
                                         path, expected_begin, raw.data.size()));
  return out;
}

std::map<std::string, std::string> read_safetensors_metadata(const std::string& path) {
  Raw raw = read_raw(path);
  std::map<std::string, std::string> meta;
  if (raw.header.contains("__metadata__"))
    for (const auto& [k, v] : raw.header["__metadata__"].items()) {
      if (!v.is_string())
        throw std::runtime_error(fmt::format("{}: __metadata__.{}: expected a string, found {}",
                                             path, k, excerpt(v.dump())));
      meta[k] = v.get<std::string>();
    }
  return meta;
}

std::string safetensors_bytes(const TensorMap& tensors,
                              const std::map<std::string, std::string>& metadata) {
  if (!little_endian()) throw std::runtime_error("safetensors: big-endian hosts are not supported");
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> blobs;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {  // std::map: sorted by name, as safetensors writes
    auto c = t.detach().to(torch::kCPU).contiguous();
    const uint64_t nbytes = c.numel() * c.element_size();
    header[name] = {{"dtype", dtype_name(c.scalar_type())},
                    {"shape", c.sizes().vec()},
                    {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
    blobs.push_back(c);
  }
  std::string h = header.dump();
  while (h.size() % 8 != 0) h.push_back(' ');  // pad so tensor data is 8-byte aligned
  std::string out;
  out.reserve(8 + h.size() + offset);
  const uint64_t n = h.size();
  out.append(reinterpret_cast<const char*>(&n), 8);
  out.append(h);
  for (const auto& c : blobs)
    out.append(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size());
  return out;
}

void write_safetensors(const std::string& path,
                       const TensorMap& tensors,
                       const std::map<std::string, std::string>& metadata) {
  write_file_checked(path, safetensors_bytes(tensors, metadata));
}

}  // namespace sentzoo
