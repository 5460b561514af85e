// safetensors reader/writer (format: github.com/huggingface/safetensors README, "Format").

#include "io/safetensors.h"

#include "core/json_text.h"
#include "io/atomic_file.h"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "io/safetensors_header.h"

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
  raw.header = detail::parse_safetensors_header(header, path);
  raw.data.resize(size - 8 - n);
  in.read(raw.data.data(), static_cast<std::streamsize>(raw.data.size()));
  if (!in) throw std::runtime_error(fmt::format("{}: truncated data section", path));
  return raw;
}

}  // namespace

TensorMap read_safetensors(const std::string& path) {
  Raw raw = read_raw(path);
  TensorMap out;
  for (const auto& e : detail::safetensors_entries(raw.header, raw.data.size(), path)) {
    auto t = torch::empty(e.shape, torch::TensorOptions().dtype(dtype_table().at(e.dtype)));
    if (e.nbytes) std::memcpy(t.data_ptr(), raw.data.data() + e.begin, e.nbytes);
    out.emplace(e.name, t);
  }
  return out;
}

std::map<std::string, std::string> read_safetensors_metadata(const std::string& path) {
  return detail::safetensors_metadata(read_raw(path).header, path);
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
