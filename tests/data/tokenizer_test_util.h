#pragma once
// Helpers of the tokenizer tests: fixture loading, FNV-1a hashes, id lists as text.

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace sentzoo::testing {

inline nlohmann::json load_tokenizer_fixture(const std::string& name) {
  const auto path = fixture_dir() / "tokenizer" / name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": missing fixture");
  nlohmann::json j = nlohmann::json::parse(in);
  if (j.value("version", 0) != 1)
    throw std::runtime_error(path.string() +
                             ": fixture version is not 1; rerun "
                             "tools/reference/gen_tokenizer_fixtures.py");
  return j;
}

inline std::string fnv1a64_hex(const std::string& text) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (const unsigned char c : text) h = (h ^ c) * 0x100000001B3ull;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

inline std::string join_ids(const std::vector<int64_t>& ids) {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) s += ' ';
    s += std::to_string(ids[i]);
  }
  return s;
}

}  // namespace sentzoo::testing
