// .npy writer/reader; header layout from numpy/lib/format.py (_write_array_header, _wrap_header).
#include "train/npy.h"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>
#include <stdexcept>

#include "io/atomic_file.h"

namespace sentzoo {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "npy: '<f4' is written from host order");

namespace {

constexpr char kMagic[] = "\x93NUMPY";  // 6 bytes
constexpr size_t kAlign = 64;           // numpy ARRAY_ALIGN
constexpr size_t kGrowthDigits = 21;    // numpy GROWTH_AXIS_MAX_DIGITS

int64_t element_count(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw std::invalid_argument(fmt::format("npy: negative dimension {}", d));
    n *= d;
  }
  return n;
}

std::string shape_repr(const std::vector<int64_t>& shape) {  // Python tuple repr
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

}  // namespace

std::string detail::npy_header(const std::vector<int64_t>& shape) {
  std::string header =
      fmt::format("{{'descr': '<f4', 'fortran_order': False, 'shape': {}, }}", shape_repr(shape));
  // Spare room so the first axis can grow in place (numpy >= 1.23 writes it too).
  if (!shape.empty()) header.append(kGrowthDigits - std::to_string(shape[0]).size(), ' ');
  // Total = magic(6) + version(2) + length field + header + '\n', padded to a multiple of 64;
  // like numpy, the pad is 1..64 spaces (64 when already aligned).
  const auto wrap = [&](size_t len_bytes) {
    const size_t hlen = header.size() + 1;
    return kAlign - (8 + len_bytes + hlen) % kAlign;
  };
  size_t len_bytes = 2;
  size_t pad = wrap(len_bytes);
  if (header.size() + 1 + pad > 65535) len_bytes = 4, pad = wrap(len_bytes);
  const uint32_t total = static_cast<uint32_t>(header.size() + 1 + pad);

  std::string out(kMagic, 6);
  out.push_back(static_cast<char>(len_bytes == 2 ? 1 : 2));  // version major
  out.push_back(0);                                          // version minor
  for (size_t i = 0; i < len_bytes; ++i)
    out.push_back(static_cast<char>((total >> (8 * i)) & 0xFF));
  out += header;
  out.append(pad, ' ');
  out.push_back('\n');
  return out;
}

std::string npy_bytes(const float* data, const std::vector<int64_t>& shape) {
  std::string out = detail::npy_header(shape);
  const int64_t n = element_count(shape);
  out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n) * sizeof(float));
  return out;
}

void write_npy(const std::filesystem::path& path,
               const float* data,
               const std::vector<int64_t>& shape) {
  write_file_atomic(path, npy_bytes(data, shape));
}

NpyArray read_npy(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open", path.string()));
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto bad = [&](const std::string& what) {
    return std::runtime_error(
        fmt::format("{}: not a float32 C-order .npy: {}", path.string(), what));
  };
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0) throw bad("missing magic");
  const int major = static_cast<unsigned char>(bytes[6]);
  if (major < 1 || major > 3) throw bad(fmt::format("unsupported version {}", major));
  const size_t len_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + len_bytes) throw bad("truncated header");
  size_t hlen = 0;
  for (size_t i = 0; i < len_bytes; ++i)
    hlen |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
  const size_t data_start = 8 + len_bytes + hlen;
  if (bytes.size() < data_start) throw bad("truncated header");
  const std::string header = bytes.substr(8 + len_bytes, hlen);

  std::smatch m;
  if (!std::regex_search(header, m, std::regex(R"('descr'\s*:\s*'([^']*)')")))
    throw bad("no descr");
  if (m[1] != "<f4") throw bad(fmt::format("expected descr '<f4', found '{}'", m[1].str()));
  if (!std::regex_search(header, m, std::regex(R"('fortran_order'\s*:\s*(True|False))")))
    throw bad("no fortran_order");
  if (m[1] != "False") throw bad("expected fortran_order False, found True");
  if (!std::regex_search(header, m, std::regex(R"('shape'\s*:\s*\(([^)]*)\))")))
    throw bad("no shape");
  NpyArray a;
  const std::string dims = m[1];
  const std::regex digits(R"(\d+)");
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), digits);
       it != std::sregex_iterator();
       ++it)
    a.shape.push_back(std::stoll(it->str()));
  const int64_t n = element_count(a.shape);
  const size_t want = data_start + static_cast<size_t>(n) * sizeof(float);
  if (bytes.size() != want)
    throw bad(fmt::format(
        "expected {} bytes for shape {}, found {}", want, shape_repr(a.shape), bytes.size()));
  a.data.resize(static_cast<size_t>(n));
  std::memcpy(a.data.data(), bytes.data() + data_start, static_cast<size_t>(n) * sizeof(float));
  return a;
}

}  // namespace sentzoo
