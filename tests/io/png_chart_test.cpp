// The PNG writer behind the compare charts: published check values for CRC-32 and Adler-32, and
// a PNG parsed back chunk by chunk (CRCs, stored deflate blocks) to the exact pixels.

#include "io/png_chart.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace sentzoo {
namespace {

uint32_t be32(const std::string& s, size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) |
         (uint32_t(uint8_t(s[at + 2])) << 8) | uint32_t(uint8_t(s[at + 3]));
}

TEST(Png, ChecksumsMatchPublishedCheckValues) {
  const std::string digits = "123456789";  // CRC-32/ISO-HDLC check value (RFC 1952 CRC)
  EXPECT_EQ(detail::crc32(reinterpret_cast<const uint8_t*>(digits.data()), digits.size()),
            0xCBF43926u);
  const std::string wiki = "Wikipedia";  // the Adler-32 example of its Wikipedia article
  EXPECT_EQ(detail::adler32(reinterpret_cast<const uint8_t*>(wiki.data()), wiki.size()),
            0x11E60398u);
}

TEST(Png, BytesParseBackToThePixels) {
  const int w = 200, h = 120;  // > 65535 raw bytes: several stored blocks
  std::vector<uint8_t> rgb(w * h * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>(i * 7 + i / 13);
  const std::string png = detail::png_bytes(w, h, rgb);
  ASSERT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  std::string idat;
  size_t at = 8;
  std::vector<std::string> types;
  while (at < png.size()) {
    const uint32_t len = be32(png, at);
    const std::string type = png.substr(at + 4, 4);
    const std::string body = png.substr(at + 4, 4 + len);
    EXPECT_EQ(be32(png, at + 8 + len),
              detail::crc32(reinterpret_cast<const uint8_t*>(body.data()), body.size()))
        << type;
    if (type == "IHDR") {
      EXPECT_EQ(be32(png, at + 8), uint32_t(w));
      EXPECT_EQ(be32(png, at + 12), uint32_t(h));
    }
    if (type == "IDAT") idat += png.substr(at + 8, len);
    types.push_back(type);
    at += 12 + len;
  }
  EXPECT_EQ(types, (std::vector<std::string>{"IHDR", "IDAT", "IEND"}));
  // zlib header, then stored blocks: [final bit][LEN][NLEN][data].
  ASSERT_EQ(uint8_t(idat[0]), 0x78);
  EXPECT_EQ(((uint8_t(idat[0]) << 8) | uint8_t(idat[1])) % 31, 0);  // FCHECK
  std::string raw;
  size_t p = 2;
  bool final = false;
  int blocks = 0;
  while (!final) {
    final = idat[p] & 1;
    EXPECT_EQ((uint8_t(idat[p]) >> 1) & 3, 0);  // BTYPE 00 = stored
    const size_t len = uint8_t(idat[p + 1]) | (uint8_t(idat[p + 2]) << 8);
    const size_t nlen = uint8_t(idat[p + 3]) | (uint8_t(idat[p + 4]) << 8);
    EXPECT_EQ(len ^ 0xFFFF, nlen);
    raw += idat.substr(p + 5, len);
    p += 5 + len;
    ++blocks;
  }
  EXPECT_GT(blocks, 1);
  EXPECT_EQ(be32(idat, p),
            detail::adler32(reinterpret_cast<const uint8_t*>(raw.data()), raw.size()));
  ASSERT_EQ(raw.size(), size_t(h) * (w * 3 + 1));
  for (int y = 0; y < h; ++y) {
    ASSERT_EQ(raw[y * (w * 3 + 1)], 0);  // filter: none
    ASSERT_EQ(0, std::memcmp(raw.data() + y * (w * 3 + 1) + 1, rgb.data() + y * w * 3, w * 3));
  }
}

TEST(Png, ChartWritesAValidFile) {
  const auto path = std::filesystem::temp_directory_path() / "sz_chart_test.png";
  BarChart c{
      "Quality", {"accuracy", "f1"}, {{"dual", {0.8, 0.7}}, {"cross", {0.9, NAN}}}, false, ""};
  write_bar_chart_png(path.string(), c);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
  EXPECT_EQ(be32(bytes, 16), 640u);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace sentzoo
