// Fuzz target: the safetensors parser (io/safetensors_header.h, the part of read_safetensors()
// before any tensor exists) on a whole file: 8-byte little-endian header length, JSON header,
// data section. Every entry it accepts is then copied byte for byte as read_safetensors copies
// it, so ASan checks that the accepted offsets really lie inside the data.
#include <cstring>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "io/safetensors_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sentzoo;
  if (size < 8) return 0;  // read_raw: "expected an 8-byte header length"
  uint64_t n = 0;
  std::memcpy(&n, data, 8);
  if (n > size - 8) return 0;  // read_raw: "header length exceeds file size"
  const std::string_view header = fuzz::bytes(data + 8, n);
  // A copy of exactly the data section, so reads past it are heap overflows.
  const std::vector<char> section(data + 8 + n, data + size);
  // read_safetensors' contract: errors name the path and the offending entry.
  fuzz::expect_error_naming("fuzz.safetensors", [&] {
    const auto json = detail::parse_safetensors_header(header, "fuzz.safetensors");
    fuzz::expect_error_naming("fuzz.safetensors",
                              [&] { (void)detail::safetensors_metadata(json, "fuzz.safetensors"); });
    for (const auto& e : detail::safetensors_entries(json, section.size(), "fuzz.safetensors")) {
      std::vector<char> tensor(e.nbytes);
      if (e.nbytes) std::memcpy(tensor.data(), section.data() + e.begin, e.nbytes);
    }
  });
  return 0;
}
