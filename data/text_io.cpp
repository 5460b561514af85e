#include "data/text_io.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sentzoo::detail {

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "': " + std::strerror(errno));
  std::string data;
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw std::runtime_error("cannot read '" + path + "'");
  data.resize(static_cast<size_t>(size));
  in.seekg(0, std::ios::beg);
  in.read(data.data(), size);
  if (in.gcount() != size) throw std::runtime_error("cannot read '" + path + "' (short read)");
  return data;
}

std::string_view strip_bom(std::string_view s) {
  while (s.size() >= 3 && s.compare(0, 3, "\xEF\xBB\xBF") == 0) s.remove_prefix(3);
  return s;
}

size_t invalid_utf8_offset(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // ASCII fast path, 8 bytes at a time
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, cp = c & 0x07;
    } else {
      return i;  // continuation byte, C0/C1 (overlong 2-byte) or F5..FF
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return i;  // overlong
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return i;         // surrogate, range
    i += len;
  }
  return std::string_view::npos;
}

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

namespace {
bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
}  // namespace

std::string_view trim_ascii(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_blank(std::string_view s) { return trim_ascii(s).empty(); }

bool parse_number(std::string_view s, double& out) {
  s = trim_ascii(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  double value = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) return false;
  out = value;
  return true;
}

std::string normalize_line_endings(std::string bytes, const std::string& path) {
  if (bytes.find('\r') == std::string::npos) return bytes;
  if (bytes.find('\n') == std::string::npos) {
    for (char& c : bytes)
      if (c == '\r') c = '\n';
    return bytes;
  }
  int64_t line = 1;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n') ++line;
    if (bytes[i] == '\r' && (i + 1 == bytes.size() || bytes[i + 1] != '\n'))
      throw std::runtime_error(
          path + ":" + std::to_string(line) +
          ": expected LF or CRLF line endings, found a carriage return inside a line (mixed "
          "line endings; convert the file, e.g. with dos2unix)");
  }
  return bytes;
}

bool LineCursor::next(std::string_view& line) {
  if (pos_ >= text_.size()) return false;
  size_t nl = text_.find('\n', pos_);
  if (nl == std::string_view::npos) nl = text_.size();
  line = text_.substr(pos_, nl - pos_);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  pos_ = nl + 1;
  ++line_;
  return true;
}

std::vector<std::string_view> split_fields(std::string_view line, char delim) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    const size_t at = line.find(delim, start);
    if (at == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, at - start));
    start = at + 1;
  }
}

CsvRecord parse_csv_record(std::string_view text, size_t pos, char delim) {
  CsvRecord rec;
  rec.lines = 1;
  std::string field;
  const size_t n = text.size();
  size_t i = pos;
  while (true) {
    field.clear();
    if (i < n && text[i] == '"') {
      // quoted field: runs to the matching quote; "" is a literal quote
      ++i;
      while (true) {
        if (i >= n) {
          rec.error = "expected a closing '\"', found the end of the file";
          rec.fields.push_back(field);
          rec.end = n;
          return rec;
        }
        if (text[i] == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++rec.lines;
        field.push_back(text[i++]);
      }
      const bool at_end = i >= n || text[i] == delim || text[i] == '\n' ||
                          (text[i] == '\r' && (i + 1 >= n || text[i + 1] == '\n'));
      if (!at_end) {
        rec.error =
            std::string("expected a delimiter after a closing quote, found '") + text[i] + "'";
        rec.fields.push_back(field);
        const size_t nl = text.find('\n', i);
        rec.end = nl == std::string_view::npos ? n : nl + 1;
        return rec;
      }
    } else {
      while (i < n && text[i] != delim && text[i] != '\n') field.push_back(text[i++]);
      if ((i >= n || text[i] == '\n') && !field.empty() && field.back() == '\r') field.pop_back();
    }
    rec.fields.push_back(field);
    if (i < n && text[i] == delim) {
      ++i;
      continue;
    }
    if (i < n && text[i] == '\r') ++i;  // CRLF after a quoted field
    rec.end = i < n ? i + 1 : n;        // past the '\n'
    return rec;
  }
}

}  // namespace sentzoo::detail
