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
  EXPECT_EQ(safetensors_metadata(h), (std::map<std::string, std::string>{{"format", "pt"}}));
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

}  // namespace
}  // namespace sentzoo::detail
