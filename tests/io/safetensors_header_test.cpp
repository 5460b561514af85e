// The torch-free safetensors header checks (io/safetensors_header.h): what read_safetensors
// accepts and refuses before any tensor is allocated.
#include "io/safetensors_header.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace sentzoo::detail {
namespace {

TEST(SafetensorsHeader, EntriesSortedWithOffsetsAndMetadata) {
  const auto h = parse_safetensors_header(
      R"({"b": {"dtype": "BF16", "shape": [3], "data_offsets": [16, 22]},
          "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
          "__metadata__": {"format": "pt"}})",
      "m.safetensors");
  const auto entries = safetensors_entries(h, 22, "m.safetensors");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "a");
  EXPECT_EQ(entries[0].shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(entries[0].nbytes, 16u);
  EXPECT_EQ(entries[1].name, "b");
  EXPECT_EQ(entries[1].begin, 16u);
  EXPECT_EQ(entries[1].nbytes, 6u);
  EXPECT_EQ(safetensors_metadata(h, "m.safetensors"), (std::map<std::string, std::string>{{"format", "pt"}}));
}

TEST(SafetensorsHeader, RefusesBadJsonDtypeAndOffsets) {
  EXPECT_THROW(parse_safetensors_header("{", "m"), std::runtime_error);
  auto entries = [](const char* json, uint64_t data_size) {
    return safetensors_entries(parse_safetensors_header(json, "m"), data_size, "m");
  };
  EXPECT_THROW(entries(R"({"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}})", 1),
               std::runtime_error);
  // past the data section, and a size that does not match the shape
  EXPECT_THROW(entries(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", 4),
               std::runtime_error);
  EXPECT_THROW(entries(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}})", 8),
               std::runtime_error);
  EXPECT_NO_THROW(entries(R"({"a": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}})", 4));
}

// Found by fuzz/safetensors: the error of each must name the file and the tensor; before, a
// missing key was nlohmann's bare out_of_range, [2^32, 2^32] was a signed overflow (UBSan) that
// wrapped to 0 bytes and passed, and [-1, -1] passed as 1 element for torch::empty to refuse
// with a LibTorch stack dump.
TEST(SafetensorsHeader, BadEntriesNameFileAndTensor) {
  auto error = [](const char* json, uint64_t data_size) {
    try {
      const auto h = parse_safetensors_header(json, "m.safetensors");
      safetensors_entries(h, data_size, "m.safetensors");
      safetensors_metadata(h, "m.safetensors");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error(R"({"a": {"dtype": "F32", "shape": [1]}})", 4).rfind(
                "m.safetensors: tensor 'a': expected dtype, shape and data_offsets, found", 0),
            0u);
  EXPECT_EQ(error(R"({"a": {"dtype": 5, "shape": [1], "data_offsets": [0, 4]}})", 4).rfind(
                "m.safetensors: tensor 'a': expected dtype", 0),
            0u);
  const std::string overflow = R"({"a": {"dtype": "F32", "shape": [4294967296, 4294967296],
                                        "data_offsets": [0, 0]}})";
  EXPECT_EQ(error(overflow.c_str(), 0), "m.safetensors: tensor 'a': expected non-negative "
            "dimensions whose byte size fits 64 bits, found shape [4294967296,4294967296]");
  EXPECT_NE(error(R"({"a": {"dtype": "F32", "shape": [-1, -1], "data_offsets": [0, 4]}})", 4)
                .find("expected non-negative dimensions"),
            std::string::npos);
  EXPECT_EQ(error("[1, 2]", 0), "m.safetensors: expected a JSON object header, found array");
  EXPECT_EQ(error(R"({"__metadata__": {"format": 1}})", 0),
            "m.safetensors: expected a string for __metadata__ 'format', found 1");
  // JSON floats where integers belong: 4.4e24 was an out-of-range float-to-int cast (UBSan)
  EXPECT_EQ(error(R"({"e": {"dtype": "F16", "shape": [4403712222222222222222222, 0]}})", 0),
            "m.safetensors: tensor 'e': expected integers in shape, found [4.4037122222222225e+24,0]");
  EXPECT_NE(error(R"({"a": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}})", 4)
                .find("expected integers in shape"),
            std::string::npos);
  EXPECT_NE(error(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4.0]}})", 4)
                .find("expected integers in data_offsets"),
            std::string::npos);
  // a zero-sized tensor is fine
  EXPECT_EQ(error(R"({"a": {"dtype": "F32", "shape": [0, 4294967296], "data_offsets": [0, 0]}})", 0),
            "");
}

}  // namespace
}  // namespace sentzoo::detail
