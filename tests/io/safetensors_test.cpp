// safetensors reading against hostile files (issue #14): tensors that share bytes or leave holes
// (the format requires them to tile the data section), shapes whose product overflows, headers
// of the wrong shape, and a tensor relabelled to another dtype of the same size, which used to
// load as garbage. Every error names the file.
#include "io/safetensors.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "models/module_tensors.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;

fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() / ("sentzoo_st_" + std::to_string(::getpid()) + "_" + name);
}

// A file with `header` (JSON) and `data_bytes` bytes of data.
fs::path write_raw(const std::string& name, const std::string& header, size_t data_bytes) {
  const fs::path path = temp_file(name);
  std::ofstream out(path, std::ios::binary);
  const uint64_t n = header.size();
  out.write(reinterpret_cast<const char*>(&n), 8);
  out << header << std::string(data_bytes, '\x01');
  return path;
}

std::string error_reading(const fs::path& path) {
  try {
    read_safetensors(path.string());
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SafetensorsHostile, RoundTripStillWorks) {
  const fs::path path = temp_file("ok.safetensors");
  write_safetensors(path.string(), {{"a", torch::arange(6, torch::kFloat32).reshape({2, 3})},
                                    {"b", torch::ones({4}, torch::kInt64)}});
  const auto back = read_safetensors(path.string());
  EXPECT_TRUE(torch::equal(back.at("a"), torch::arange(6, torch::kFloat32).reshape({2, 3})));
  EXPECT_TRUE(torch::equal(back.at("b"), torch::ones({4}, torch::kInt64)));
  fs::remove(path);
}

TEST(SafetensorsHostile, OverlapsHolesAndHostileShapesAreRefused) {
  struct Case {
    std::string name, header;
    size_t data;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"overlap",
       R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
       R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
       12, "overlapping tensors"},
      {"alias",
       R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
       R"("b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
       8, "overlapping tensors"},
      {"hole", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8, "a hole"},
      {"tail", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 8,
       "tensors end at byte 4 of a 8-byte data section"},
      {"overflowing shape",
       R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,0]}})", 0,
       "non-negative dimensions whose byte size fits 64 bits"},
      {"negative dim", R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4,
       "non-negative dimensions"},
      {"not an object", R"({"a":7})", 0, "expected dtype, shape and data_offsets"},
      {"duplicate key",
       R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
       R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
       4, "appears twice"},
      {"header not an object", "[1,2]", 0, "expected a JSON object"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const fs::path path = write_raw(c.name, c.header, c.data);
    const std::string error = error_reading(path);
    EXPECT_NE(error.find(path.string()), std::string::npos) << error;
    EXPECT_NE(error.find(c.expected), std::string::npos) << error;
    fs::remove(path);
  }
}

TEST(SafetensorsHostile, ARelabelledDtypeDoesNotLoadIntoAFloatParameter) {
  torch::nn::Linear linear(2, 2);
  const fs::path path = temp_file("relabel.safetensors");
  write_safetensors(path.string(), module_tensors(*linear));
  // F32 -> I32: same element size, so sizes and offsets still agree.
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  for (size_t at = bytes.find("\"F32\""); at != std::string::npos; at = bytes.find("\"F32\""))
    bytes.replace(at, 5, "\"I32\"");
  f.seekp(0);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  try {
    load_module_tensors(*linear, read_safetensors(path.string()), path.string());
    ADD_FAILURE() << "a relabelled tensor loaded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("dtype of weight: expected Float, found Int"),
              std::string::npos)
        << e.what();
  }
  fs::remove(path);
}

}  // namespace
}  // namespace sentzoo
