#pragma once
// safetensors without a library (TOOLCHAIN.md §6): 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets}, "__metadata__": {...}}, then raw bytes.
// Supported dtypes: F32, F64, F16, BF16, I64, I32.

#include <torch/torch.h>

#include <map>
#include <string>

namespace sentzoo {

using TensorMap = std::map<std::string, torch::Tensor>;

/// Reads every tensor (cloned, CPU). Errors name the path and the offending entry.
TensorMap read_safetensors(const std::string& path);
/// Metadata strings of the header ("__metadata__"), empty if absent.
std::map<std::string, std::string> read_safetensors_metadata(const std::string& path);
/// The bytes of a safetensors file holding `tensors` (sorted by name, contiguous, CPU).
std::string safetensors_bytes(const TensorMap& tensors,
                              const std::map<std::string, std::string>& metadata = {
                                  {"format", "pt"}});
/// Writes safetensors_bytes to `path` with checked writes (io/atomic_file.h write_file_checked).
void write_safetensors(const std::string& path,
                       const TensorMap& tensors,
                       const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

}  // namespace sentzoo
