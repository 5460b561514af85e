#pragma once
// Shared by the fuzz targets: what counts as a finding. A target calls the library inside
// expect_handled(); a std::exception is the library's documented answer to bad input and is
// fine, anything else escapes to libFuzzer (crashes, sanitizer reports, timeouts and the RSS
// limit are libFuzzer's own findings).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

namespace sentzoo::fuzz {

template <class F>
void expect_handled(F&& f) {
  try {
    f();
  } catch (const std::exception&) {
    // documented: bad input is reported by throwing
  }
}

/// Like expect_handled, for APIs that promise their errors name the file: an exception whose
/// message lacks `where` (a bare JSON-library message, say) is a finding too.
template <class F>
void expect_error_naming(const std::string& where, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    if (std::string_view(e.what()).find(where) == std::string_view::npos) {
      fprintf(stderr, "error without '%s': %s\n", where.c_str(), e.what());
      std::abort();
    }
  }
}

/// The bytes as a string view.
inline std::string_view bytes(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// $SENTZOO_DATA/<relative> when SENTZOO_DATA is set, else "".
inline std::string data_file(const char* relative) {
  const char* root = std::getenv("SENTZOO_DATA");
  return root && *root ? std::string(root) + "/" + relative : std::string();
}

}  // namespace sentzoo::fuzz
