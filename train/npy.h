#pragma once
// NumPy .npy files (format 1.0, numpy/lib/format.py) for float32 arrays: written byte for byte
// as numpy 1.26's numpy.save, read back strictly. Used for embeddings (N x D) by the tools.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sentzoo {

/// A C-order float32 array: shape (e.g. {N, D}) and row-major data.
struct NpyArray {
  std::vector<int64_t> shape;  // e.g. {1000, 768}; {} for a scalar
  std::vector<float> data;     // prod(shape) values
};

/// The exact bytes of numpy.save(np.float32 array): magic, version 1.0 (2.0 when the header
/// exceeds 65535 bytes), header dict padded with spaces and '\n' to a multiple of 64 bytes
/// (including numpy's 21-digit growth room for shape[0]), then little-endian data.
std::string npy_bytes(const float* data, const std::vector<int64_t>& shape);

namespace detail {
/// The header part of npy_bytes (magic through the final '\n').
std::string npy_header(const std::vector<int64_t>& shape);
}  // namespace detail

/// Writes an .npy file atomically (io/atomic_file.h).
void write_npy(const std::filesystem::path& path,
               const float* data,
               const std::vector<int64_t>& shape);
inline void write_npy(const std::filesystem::path& path, const NpyArray& a) {
  write_npy(path, a.data.data(), a.shape);
}

/// Reads a C-order little-endian float32 .npy (format 1.0/2.0/3.0); anything else throws
/// std::runtime_error with the path and what was found.
NpyArray read_npy(const std::filesystem::path& path);

}  // namespace sentzoo
