// The PNG writer behind the compare charts: published check values for CRC-32 and Adler-32, and
// a PNG parsed back chunk by chunk (CRCs, stored deflate blocks) to the exact pixels.

#include "io/png_chart.h"

#include <gtest/gtest.h>

#include <cmath>
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

// What a chart draws, read from its layout (io/png_chart.h) and from its pixels.
const ChartRect* find_rect(const ChartLayout& l, const std::string& role, int series, int cat) {
  for (const auto& r : l.rects)
    if (r.role == role && r.series == series && r.category == cat) return &r;
  return nullptr;
}
std::vector<std::string> texts(const ChartLayout& l, const std::string& role) {
  std::vector<std::string> out;
  for (const auto& t : l.texts)
    if (t.role == role) out.push_back(t.text);
  return out;
}

TEST(Chart, MissingValuesAreLabelledNotDrawnAsBars) {
  const BarChart c{"Throughput",
                   {"sentences/s", "pairs/s"},
                   {{"dual", {900, 450}}, {"cross", {NAN, 30}}},
                   true,
                   "per second"};
  const ChartLayout l = layout_bar_chart(c);
  EXPECT_EQ(find_rect(l, "bar", 1, 0), nullptr);  // cross has no sentences/s
  for (auto [s, k] : {std::pair{0, 0}, std::pair{0, 1}, std::pair{1, 1}})
    EXPECT_NE(find_rect(l, "bar", s, k), nullptr) << s << "," << k;
  EXPECT_EQ(texts(l, "missing"), std::vector<std::string>{"n/a"});
  EXPECT_EQ(texts(l, "value"), (std::vector<std::string>{"900", "450", "30"}));
  for (const auto& t : l.texts) EXPECT_EQ(t.text.find("nan"), std::string::npos) << t.text;
  // In the pixels: no bar colour in the cross slot of the first category, from the x axis up.
  const auto px = render_chart(l);
  const ChartRect& dual_bar = *find_rect(l, "bar", 0, 0);
  const int bar_w = dual_bar.x1 - dual_bar.x0 + 4;
  const int x0 = dual_bar.x0 - 2 + bar_w, y_axis = dual_bar.y1;
  int orange = 0;
  for (int y = 60; y < y_axis; ++y)
    for (int x = x0; x < x0 + bar_w; ++x) {
      const uint8_t* p = &px[(static_cast<size_t>(y) * l.width + x) * 3];
      orange += p[0] == 0xF4 && p[1] == 0xA0 && p[2] == 0x00;
    }
  EXPECT_EQ(orange, 0);
  // A log axis cannot show 0: also "n/a", not a bar of no height.
  const BarChart zero{"t", {"a"}, {{"s", {0.0}}}, true, ""};
  EXPECT_EQ(texts(layout_bar_chart(zero), "missing"), std::vector<std::string>{"n/a"});
}

TEST(Chart, AxesCarryTicksAndValues) {
  const BarChart c{"Quality on test",
                   {"accuracy", "f1"},
                   {{"dual", {0.8, 0.5}}, {"cross", {0.9, 0.25}}},
                   false,
                   "",
                   1.0};
  const ChartLayout l = layout_bar_chart(c);
  int axes = 0;
  for (const auto& r : l.rects) axes += r.role == "axis";
  EXPECT_EQ(axes, 2);  // y and x
  EXPECT_EQ(texts(l, "tick"), (std::vector<std::string>{"0", "0.2", "0.4", "0.6", "0.8", "1"}));
  EXPECT_EQ(texts(l, "category"), (std::vector<std::string>{"accuracy", "f1"}));
  EXPECT_EQ(texts(l, "value"), (std::vector<std::string>{"0.8", "0.9", "0.5", "0.25"}));
  // Bar heights are proportional on the fixed 0..1 axis: 0.5 is half of 1, 0.25 half of 0.5.
  auto height = [&](int s, int k) {
    const ChartRect* r = find_rect(l, "bar", s, k);
    return r ? r->y1 - r->y0 : -1;
  };
  const int full = height(0, 0) * 10 / 8;  // 0.8 of the axis
  EXPECT_NEAR(height(0, 1), full / 2, 1);
  EXPECT_NEAR(height(1, 1), full / 4, 1);
  // The y axis is drawn in the pixels: a dark column from the top tick to the x axis.
  const auto px = render_chart(l);
  const ChartRect* y_axis = nullptr;
  for (const auto& r : l.rects)
    if (r.role == "axis" && r.x1 - r.x0 == 1) y_axis = &r;
  ASSERT_NE(y_axis, nullptr);
  for (int y = y_axis->y0; y < y_axis->y1; ++y)
    ASSERT_LT(px[(static_cast<size_t>(y) * l.width + y_axis->x0) * 3], 0x80) << y;
}

TEST(Chart, TicksAreRoundNumbers) {
  EXPECT_EQ(detail::axis_ticks(0, 7.3, false), (std::vector<double>{0, 2, 4, 6, 8}));
  EXPECT_EQ(detail::axis_ticks(0, 1, false), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0}));
  EXPECT_EQ(detail::axis_ticks(-0.1, 0.9, false),
            (std::vector<double>{-0.2, 0, 0.2, 0.4, 0.6, 0.8, 1.0}));
  EXPECT_EQ(detail::axis_ticks(3, 4500, true), (std::vector<double>{1, 10, 100, 1000, 10000}));
  EXPECT_EQ(detail::axis_ticks(0, 0, false), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0}));
  EXPECT_EQ(detail::short_number(NAN), "n/a");
  EXPECT_EQ(detail::short_number(12345), "12.3k");
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
