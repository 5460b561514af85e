#pragma once
// Helpers shared by the tests: fixture and data locations, skipping with a visible reason.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include "tests/paths.h"

namespace sentzoo::testing {

/// tests/fixtures in the source tree (committed golden files).
inline std::filesystem::path fixture_dir() { return SENTZOO_TEST_FIXTURE_DIR; }

/// The directory of built executables (sentzoo-tokenize, ...).
inline std::filesystem::path binary_dir() { return SENTZOO_TEST_BINARY_DIR; }

/// $SENTZOO_DATA, or empty when unset.
inline std::filesystem::path data_root() {
  const char* env = std::getenv("SENTZOO_DATA");
  return env && *env ? std::filesystem::path(env) : std::filesystem::path();
}

/// The message of the std::exception `f` throws, or "" when it throws none.
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace sentzoo::testing

/// Skips the current test, visibly, unless $SENTZOO_DATA/<relative> exists; else yields the path.
#define SENTZOO_REQUIRE_DATA(var, relative)                                              \
  const std::filesystem::path var = ::sentzoo::testing::data_root() / (relative);        \
  if (::sentzoo::testing::data_root().empty())                                           \
    GTEST_SKIP() << "SENTZOO_DATA is not set: real-data test needs " << (relative);      \
  if (!std::filesystem::exists(var))                                                     \
    GTEST_SKIP() << "real-data file missing: " << var.string() << " (SENTZOO_DATA)"
