#pragma once
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78; RFC 3720 appendix B.4), table-based,
// and the "masked" form TFRecord files use (tensorflow/core/lib/hash/crc32c.h).

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sentzoo {

/// CRC-32C of `n` bytes; pass a previous result as `crc` to continue a running checksum.
uint32_t crc32c(const void* data, size_t n, uint32_t crc = 0);
inline uint32_t crc32c(std::string_view bytes) { return crc32c(bytes.data(), bytes.size()); }

/// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8.
inline uint32_t crc32c_masked(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

}  // namespace sentzoo
