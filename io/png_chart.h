#pragma once
// A tiny PNG bar-chart writer (no Python, no new dependency): RGB pixels, an uncompressed zlib
// stream of deflate "stored" blocks (RFC 1950/1951) with our own CRC32 and Adler-32, and a 5x7
// bitmap font for titles, labels and values. A chart is first laid out as a list of rectangles
// and texts (ChartLayout: axes, ticks, bars, values, "n/a" for missing values), then rasterised,
// so tests can read what was drawn.

#include <cstdint>
#include <string>
#include <vector>

namespace sentzoo {

struct BarSeries {
  std::string name;            // legend, e.g. "dual"
  std::vector<double> values;  // one per category; NaN (or missing) = not measured: "n/a"
};

struct BarChart {
  std::string title;                    // e.g. "Quality on test"
  std::vector<std::string> categories;  // e.g. {"accuracy", "f1", "spearman"}
  std::vector<BarSeries> series;        // e.g. dual, cross
  bool log_scale = false;               // log10 axis (for costs spanning decades)
  std::string unit;                     // y-axis unit, e.g. "ms"
  double y_max = 0;                     // linear axes: fixed top, e.g. 1 for scores; 0 = auto
};

/// What a chart draws, in pixels (origin top left); `role` says what each item is.
struct ChartRect {
  int x0, y0, x1, y1;              // [x0, x1) x [y0, y1)
  uint32_t rgb;                    // 0xRRGGBB
  std::string role;                // "bar", "axis", "tick", "grid", "legend"
  int series = -1, category = -1;  // bars and their labels
};
struct ChartText {
  int x, y;  // top left; glyphs are 6*scale wide, 7*scale high
  std::string text;
  int scale = 1;
  uint32_t rgb = 0x202020;
  std::string role;  // "title", "legend", "unit", "tick", "category", "value", "missing"
  int series = -1, category = -1;
};
struct ChartLayout {
  int width = 640, height = 360;
  std::vector<ChartRect> rects;  // drawn in order, then the texts
  std::vector<ChartText> texts;
};

/// Lays the chart out: title, legend, y axis with ticks and tick values (decades on a log
/// scale), x axis with category names, one bar per finite value with its value above it, and an
/// "n/a" label instead of a bar for a NaN, infinite or missing value (or one <= 0 on a log axis).
ChartLayout layout_bar_chart(const BarChart& chart);
/// RGB8 pixels of a layout (white background), width x height x 3.
std::vector<uint8_t> render_chart(const ChartLayout& layout);
/// Lays out, renders and writes the chart as a PNG file; throws std::runtime_error on I/O.
void write_bar_chart_png(const std::string& path, const BarChart& chart);

namespace detail {
/// An RGB8 image as PNG bytes (IHDR, one IDAT of stored deflate blocks, IEND).
std::string png_bytes(int width, int height, const std::vector<uint8_t>& rgb);
uint32_t crc32(const uint8_t* data, size_t n, uint32_t crc = 0);
uint32_t adler32(const uint8_t* data, size_t n);
/// Axis ticks from lo to at least hi: 0, 0.2, ..., 1 (steps of 1, 2, 2.5 or 5 x 10^k, about 5
/// of them) on a linear axis; every decade on a log axis (lo, hi > 0).
std::vector<double> axis_ticks(double lo, double hi, bool log_scale);
/// "0.5", "120", "12.3k", "1.5m", "n/a" for non-finite values.
std::string short_number(double v);
}  // namespace detail

}  // namespace sentzoo
