#pragma once
// A tiny PNG bar-chart writer (no Python, no new dependency): RGB pixels, an uncompressed zlib
// stream of deflate "stored" blocks (RFC 1950/1951) with our own CRC32 and Adler-32, and a 5x7
// bitmap font for titles, labels and values.

#include <cstdint>
#include <string>
#include <vector>

namespace sentzoo {

struct BarSeries {
  std::string name;            // legend, e.g. "dual"
  std::vector<double> values;  // one per category
};

struct BarChart {
  std::string title;                    // e.g. "Quality on test"
  std::vector<std::string> categories;  // e.g. {"accuracy", "f1", "spearman"}
  std::vector<BarSeries> series;        // e.g. dual, cross
  bool log_scale = false;               // log10 axis (for costs spanning decades)
  std::string unit;                     // printed after the title, e.g. "ms"
};

/// Renders the chart (640x360) and writes it as a PNG file; throws std::runtime_error on I/O.
void write_bar_chart_png(const std::string& path, const BarChart& chart);

namespace detail {
/// An RGB8 image as PNG bytes (IHDR, one IDAT of stored deflate blocks, IEND).
std::string png_bytes(int width, int height, const std::vector<uint8_t>& rgb);
uint32_t crc32(const uint8_t* data, size_t n, uint32_t crc = 0);
uint32_t adler32(const uint8_t* data, size_t n);
}  // namespace detail

}  // namespace sentzoo
