// PNG bar charts (io/png_chart.h). PNG: ISO/IEC 15948 (IHDR colour type 2, filter 0 per row);
// zlib: RFC 1950 (CMF 0x78, FLG 0x01, Adler-32 trailer); deflate stored blocks: RFC 1951 §3.2.4.

#include "io/png_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

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
  void text(int x, int y, const std::string& s, int scale, uint32_t rgb) {
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

int text_width(const std::string& s, int scale = 1) {
  return static_cast<int>(s.size()) * 6 * scale;
}

constexpr uint32_t kSeriesColors[] = {0x4285F4, 0xF4A000, 0x34A853, 0xDB4437};
constexpr uint32_t kAxis = 0x404040, kGrid = 0xE4E4E4, kMissing = 0x909090;

}  // namespace

namespace detail {

std::string short_number(double v) {
  if (!std::isfinite(v)) return "n/a";
  const double a = std::abs(v);
  if (a >= 1e6) return fmt::format("{:.3g}m", v / 1e6);
  if (a >= 1e4) return fmt::format("{:.3g}k", v / 1e3);
  if (a >= 100) return fmt::format("{:.0f}", v);
  return fmt::format("{:.3g}", v);
}

std::vector<double> axis_ticks(double lo, double hi, bool log_scale) {
  std::vector<double> ticks;
  if (log_scale) {
    if (!(lo > 0) || !(hi > 0))
      throw std::invalid_argument("axis_ticks: log axis needs lo, hi > 0");
    const int d0 = static_cast<int>(std::floor(std::log10(lo) + 1e-9));
    const int d1 = std::max(d0 + 1, static_cast<int>(std::ceil(std::log10(hi) - 1e-9)));
    for (int d = d0; d <= d1; ++d) ticks.push_back(std::pow(10.0, d));
    return ticks;
  }
  if (!(hi > lo)) hi = lo + std::max(1.0, std::abs(lo));
  const double raw = (hi - lo) / 5;
  const int e = static_cast<int>(std::floor(std::log10(raw)));
  double m = 10;  // step = m x 10^e
  for (double c : {1.0, 2.0, 2.5, 5.0})
    if (c * std::pow(10.0, e) >= raw * (1 - 1e-9)) {
      m = c;
      break;
    }
  const double step = m * std::pow(10.0, e);
  const auto first = static_cast<int64_t>(std::floor(lo / step + 1e-9));
  auto last = static_cast<int64_t>(std::ceil(hi / step - 1e-9));
  if (last <= first) last = first + 1;
  // i x m x 10^e with one rounding (a division for e < 0), so 0.6 is the double nearest 0.6.
  for (int64_t i = first; i <= last; ++i) {
    const double units = static_cast<double>(i) * m;  // exact: m is 1, 2, 2.5, 5 or 10
    ticks.push_back(e >= 0 ? units * std::pow(10.0, e) : units / std::pow(10.0, -e));
  }
  return ticks;
}

}  // namespace detail

ChartLayout layout_bar_chart(const BarChart& chart) {
  ChartLayout L;
  const int W = L.width, left = 70, right = 620, top = 66, bottom = 296;
  const std::string title = chart.title + (chart.log_scale ? " (log scale)" : "");
  L.texts.push_back({(W - text_width(title, 2)) / 2, 10, title, 2, 0x202020, "title"});
  int lx = left;  // legend
  for (size_t s = 0; s < chart.series.size(); ++s) {
    L.rects.push_back({lx, 36, lx + 10, 46, kSeriesColors[s % 4], "legend", int(s)});
    L.texts.push_back({lx + 14, 38, chart.series[s].name, 1, 0x202020, "legend", int(s)});
    lx += 14 + text_width(chart.series[s].name) + 20;
  }
  // What can be drawn: finite values (and > 0 on a log axis); the rest is "n/a".
  auto drawable = [&](double v) { return std::isfinite(v) && (!chart.log_scale || v > 0); };
  double vmin = INFINITY, vmax = -INFINITY;
  for (const auto& s : chart.series)
    for (double v : s.values)
      if (drawable(v)) vmin = std::min(vmin, v), vmax = std::max(vmax, v);
  std::vector<double> ticks;
  if (chart.log_scale) {
    // 0.999: a value on a decade gets a bar one decade tall, not zero.
    ticks = std::isfinite(vmin) ? detail::axis_ticks(vmin * 0.999, vmax, true)
                                : std::vector<double>{1, 10};
  } else {
    const double lo = std::isfinite(vmin) ? std::min(0.0, vmin) : 0.0;
    double hi = std::isfinite(vmax) ? std::max(0.0, vmax) : 0.0;
    if (chart.y_max > 0) hi = std::max(hi, chart.y_max);
    ticks = detail::axis_ticks(lo, hi, false);
  }
  const double a0 = chart.log_scale ? std::log10(ticks.front()) : ticks.front();
  const double a1 = chart.log_scale ? std::log10(ticks.back()) : ticks.back();
  auto ypix = [&](double v) {
    const double u = chart.log_scale ? std::log10(v) : v;
    return bottom - static_cast<int>(std::lround((u - a0) / (a1 - a0) * (bottom - top)));
  };
  // y axis: grid line, tick mark and value per tick; the unit above the axis.
  for (double t : ticks) {
    const int y = ypix(t);
    L.rects.push_back({left, y, right, y + 1, kGrid, "grid"});
    L.rects.push_back({left - 5, y, left, y + 1, kAxis, "tick"});
    const auto label = detail::short_number(t);
    L.texts.push_back({left - 8 - text_width(label), y - 3, label, 1, 0x202020, "tick"});
  }
  if (!chart.unit.empty())
    L.texts.push_back({std::max(2, left - text_width(chart.unit) / 2),
                       top - 14,
                       chart.unit,
                       1,
                       0x202020,
                       "unit"});
  L.rects.push_back({left - 1, top, left, bottom + 1, kAxis, "axis"});
  const int base = chart.log_scale || ticks.front() >= 0 ? bottom : ypix(0.0);
  // x axis, category names and bars.
  const size_t n = std::max<size_t>(1, chart.categories.size());
  const int slot = (right - left) / static_cast<int>(n);
  const int nseries = std::max<int>(1, static_cast<int>(chart.series.size()));
  const int bar = std::min(60, (slot - 20) / nseries);
  for (size_t k = 0; k < chart.categories.size(); ++k) {
    const int x0 = left + static_cast<int>(k) * slot + (slot - bar * nseries) / 2;
    for (int s = 0; s < static_cast<int>(chart.series.size()); ++s) {
      const auto& vals = chart.series[s].values;
      const double v = k < vals.size() ? vals[k] : NAN;
      const int bx = x0 + s * bar;
      if (!drawable(v)) {
        const std::string na = "n/a";
        L.texts.push_back(
            {bx + (bar - text_width(na)) / 2, base - 10, na, 1, kMissing, "missing", s, int(k)});
        continue;
      }
      const int y = ypix(v);
      L.rects.push_back({bx + 2,
                         std::min(y, base),
                         bx + bar - 2,
                         std::max(y, base),
                         kSeriesColors[s % 4],
                         "bar",
                         s,
                         int(k)});
      const auto label = detail::short_number(v);
      L.texts.push_back({bx + (bar - text_width(label)) / 2,
                         y <= base ? y - 10 : y + 3,
                         label,
                         1,
                         0x202020,
                         "value",
                         s,
                         int(k)});
    }
    const auto& cat = chart.categories[k];
    L.texts.push_back({left + static_cast<int>(k) * slot + (slot - text_width(cat)) / 2,
                       bottom + 8,
                       cat,
                       1,
                       0x202020,
                       "category",
                       -1,
                       int(k)});
  }
  L.rects.push_back({left - 1, base, right, base + 1, kAxis, "axis"});
  return L;
}

std::vector<uint8_t> render_chart(const ChartLayout& layout) {
  Canvas c(layout.width, layout.height);
  for (const auto& r : layout.rects) c.rect(r.x0, r.y0, r.x1, r.y1, r.rgb);
  for (const auto& t : layout.texts) c.text(t.x, t.y, t.text, t.scale, t.rgb);
  return c.px;
}

void write_bar_chart_png(const std::string& path, const BarChart& chart) {
  const ChartLayout layout = layout_bar_chart(chart);
  write_file_atomic(path, detail::png_bytes(layout.width, layout.height, render_chart(layout)));
}

}  // namespace sentzoo
