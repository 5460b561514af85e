// PNG bar charts (eval/png_chart.h). PNG: ISO/IEC 15948 (IHDR colour type 2, filter 0 per row);
// zlib: RFC 1950 (CMF 0x78, FLG 0x01, Adler-32 trailer); deflate stored blocks: RFC 1951 §3.2.4.

#include "eval/png_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "io/atomic_file.h"

namespace sentzoo {

namespace detail {

uint32_t crc32(const uint8_t* data, size_t n, uint32_t crc) {
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

uint32_t adler32(const uint8_t* data, size_t n) {
  uint32_t a = 1, b = 0;
  for (size_t i = 0; i < n; ++i) {
    a = (a + data[i]) % 65521u;
    b = (b + a) % 65521u;
  }
  return (b << 16) | a;
}

namespace {
void put32(std::string& s, uint32_t v) {
  for (int shift : {24, 16, 8, 0}) s.push_back(static_cast<char>((v >> shift) & 0xFF));
}
void chunk(std::string& png, const char* type, const std::string& data) {
  put32(png, static_cast<uint32_t>(data.size()));
  std::string body = std::string(type, 4) + data;
  png += body;
  put32(png, crc32(reinterpret_cast<const uint8_t*>(body.data()), body.size()));
}
}  // namespace

std::string png_bytes(int width, int height, const std::vector<uint8_t>& rgb) {
  if (rgb.size() != static_cast<size_t>(width) * height * 3)
    throw std::invalid_argument("png_bytes: pixel buffer size does not match width x height x 3");
  std::string raw;  // filter byte 0 + row
  raw.reserve(static_cast<size_t>(height) * (width * 3 + 1));
  for (int y = 0; y < height; ++y) {
    raw.push_back(0);
    raw.append(reinterpret_cast<const char*>(rgb.data()) + static_cast<size_t>(y) * width * 3,
               static_cast<size_t>(width) * 3);
  }
  std::string z = {'\x78', '\x01'};
  for (size_t at = 0; at < raw.size() || at == 0; at += 65535) {
    const size_t len = std::min<size_t>(65535, raw.size() - at);
    const bool last = at + len >= raw.size();
    z.push_back(last ? 1 : 0);
    z.push_back(static_cast<char>(len & 0xFF));
    z.push_back(static_cast<char>(len >> 8));
    z.push_back(static_cast<char>(~len & 0xFF));
    z.push_back(static_cast<char>((~len >> 8) & 0xFF));
    z.append(raw, at, len);
    if (last) break;
  }
  put32(z, adler32(reinterpret_cast<const uint8_t*>(raw.data()), raw.size()));
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put32(ihdr, width);
  put32(ihdr, height);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, deflate, filter 0, no interlace
  chunk(png, "IHDR", ihdr);
  chunk(png, "IDAT", z);
  chunk(png, "IEND", "");
  return png;
}

}  // namespace detail

namespace {

// 5x7 glyphs, rows top to bottom; lowercase letters are drawn as capitals.
const std::map<char, const char*>& font() {
  static const std::map<char, const char*> f = {
      {'A', "01110100011000111111100011000110001"}, {'B', "11110100011000111110100011000111110"},
      {'C', "01110100011000010000100001000101110"}, {'D', "11110100011000110001100011000111110"},
      {'E', "11111100001000011110100001000011111"}, {'F', "11111100001000011110100001000010000"},
      {'G', "01110100011000010111100011000101111"}, {'H', "10001100011000111111100011000110001"},
      {'I', "01110001000010000100001000010001110"}, {'J', "00111000100001000010000101001001100"},
      {'K', "10001100101010011000101001001010001"}, {'L', "10000100001000010000100001000011111"},
      {'M', "10001110111010110101100011000110001"}, {'N', "10001100011100110101100111000110001"},
      {'O', "01110100011000110001100011000101110"}, {'P', "11110100011000111110100001000010000"},
      {'Q', "01110100011000110001101011001001101"}, {'R', "11110100011000111110101001001010001"},
      {'S', "01111100001000001110000010000111110"}, {'T', "11111001000010000100001000010000100"},
      {'U', "10001100011000110001100011000101110"}, {'V', "10001100011000110001100010101000100"},
      {'W', "10001100011000110101101011010101010"}, {'X', "10001100010101000100010101000110001"},
      {'Y', "10001100011000101010001000010000100"}, {'Z', "11111000010001000100010001000011111"},
      {'0', "01110100011001110101110011000101110"}, {'1', "00100011000010000100001000010001110"},
      {'2', "01110100010000100010001000100011111"}, {'3', "11111000100010000010000011000101110"},
      {'4', "00010001100101010010111110001000010"}, {'5', "11111100001111000001000011000101110"},
      {'6', "00110010001000011110100011000101110"}, {'7', "11111000010001000100010000100001000"},
      {'8', "01110100011000101110100011000101110"}, {'9', "01110100011000101111000010001001100"},
      {'.', "00000000000000000000000000110001100"}, {'-', "00000000000000011111000000000000000"},
      {'/', "00000000010001000100010001000000000"}, {':', "00000011000110000000011000110000000"},
      {'(', "00010001000100001000010000010000010"}, {')', "01000001000001000010000100010001000"},
      {'=', "00000000001111100000111110000000000"}, {',', "00000000000000000000011000010001000"},
      {'_', "00000000000000000000000000000011111"}, {'+', "00000001000010011111001000010000000"},
      {'%', "11000110010001000100010001001100011"}, {' ', "00000000000000000000000000000000000"}};
  return f;
}

struct Canvas {
  int w, h;
  std::vector<uint8_t> px;
  Canvas(int w_, int h_) : w(w_), h(h_), px(static_cast<size_t>(w_) * h_ * 3, 255) {}
  void rect(int x0, int y0, int x1, int y1, uint32_t rgb) {
    for (int y = std::max(0, y0); y < std::min(h, y1); ++y)
      for (int x = std::max(0, x0); x < std::min(w, x1); ++x) {
        auto* p = &px[(static_cast<size_t>(y) * w + x) * 3];
        p[0] = rgb >> 16, p[1] = (rgb >> 8) & 0xFF, p[2] = rgb & 0xFF;
      }
  }
  static int text_width(const std::string& s, int scale) {
    return static_cast<int>(s.size()) * 6 * scale;
  }
  void text(int x, int y, const std::string& s, int scale = 1, uint32_t rgb = 0x202020) {
    for (char c : s) {
      const char up = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      auto it = font().find(up);
      const char* g = it == font().end() ? font().at('-') : it->second;
      for (int r = 0; r < 7; ++r)
        for (int col = 0; col < 5; ++col)
          if (g[r * 5 + col] == '1')
            rect(x + col * scale, y + r * scale, x + (col + 1) * scale, y + (r + 1) * scale, rgb);
      x += 6 * scale;
    }
  }
};

std::string short_number(double v) {
  if (!std::isfinite(v)) return "nan";
  const double a = std::abs(v);
  if (a >= 1e6) return fmt::format("{:.3g}m", v / 1e6);
  if (a >= 1e4) return fmt::format("{:.3g}k", v / 1e3);
  if (a >= 100) return fmt::format("{:.0f}", v);
  return fmt::format("{:.3g}", v);
}

}  // namespace

void write_bar_chart_png(const std::string& path, const BarChart& chart) {
  const int W = 640, H = 360, left = 40, right = 620, top = 60, bottom = 300;
  const uint32_t colors[] = {0x4285F4, 0xF4A000, 0x34A853, 0xDB4437};
  Canvas c(W, H);
  std::string title = chart.title + (chart.unit.empty() ? "" : " (" + chart.unit + ")") +
                      (chart.log_scale ? " log scale" : "");
  c.text((W - Canvas::text_width(title, 2)) / 2, 12, title, 2);
  // legend
  int lx = left;
  for (size_t s = 0; s < chart.series.size(); ++s) {
    c.rect(lx, 40, lx + 10, 50, colors[s % 4]);
    c.text(lx + 14, 42, chart.series[s].name);
    lx += 14 + Canvas::text_width(chart.series[s].name, 1) + 20;
  }
  double vmax = 0, vmin_pos = INFINITY;
  for (const auto& s : chart.series)
    for (double v : s.values)
      if (std::isfinite(v)) {
        vmax = std::max(vmax, v);
        if (v > 0) vmin_pos = std::min(vmin_pos, v);
      }
  const double lo = chart.log_scale && std::isfinite(vmin_pos)
                        ? std::pow(10.0, std::floor(std::log10(vmin_pos)) - 1)
                        : 0.0;
  auto height = [&](double v) {
    if (!std::isfinite(v) || v <= 0 || vmax <= 0) return 0.0;
    if (chart.log_scale) return std::log10(v / lo) / std::log10(vmax / lo);
    return v / vmax;
  };
  c.rect(left, bottom, right, bottom + 1, 0x606060);  // axis
  const size_t n = std::max<size_t>(1, chart.categories.size());
  const int slot = (right - left) / static_cast<int>(n);
  const int nseries = std::max<int>(1, static_cast<int>(chart.series.size()));
  const int bar = std::min(60, (slot - 20) / nseries);
  for (size_t k = 0; k < chart.categories.size(); ++k) {
    const int x0 = left + static_cast<int>(k) * slot + (slot - bar * nseries) / 2;
    for (int s = 0; s < nseries && s < static_cast<int>(chart.series.size()); ++s) {
      const auto& vals = chart.series[s].values;
      const double v = k < vals.size() ? vals[k] : NAN;
      const int bh = static_cast<int>(height(v) * (bottom - top - 14));
      const int bx = x0 + s * bar;
      c.rect(bx + 2, bottom - bh, bx + bar - 2, bottom, colors[s % 4]);
      const auto label = short_number(v);
      c.text(bx + (bar - Canvas::text_width(label, 1)) / 2, bottom - bh - 10, label);
    }
    const auto& cat = chart.categories[k];
    c.text(left + static_cast<int>(k) * slot + (slot - Canvas::text_width(cat, 1)) / 2,
           bottom + 8,
           cat);
  }
  write_file_atomic(path, detail::png_bytes(W, H, c.px));
}

}  // namespace sentzoo
