#pragma once
// Small pure helpers for reading data files: whole-file reads, BOM stripping, UTF-8 checks,
// Latin-1 decoding, line and field splitting (plain and RFC 4180 CSV). No torch, no I/O policy.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sentzoo::detail {

/// The whole file as bytes; throws std::runtime_error naming `path` when it cannot be read.
std::string read_whole_file(const std::string& path);

/// `s` without leading U+FEFF byte order marks (EF BB BF), e.g. "\xEF\xBB\xBF" "abc" -> "abc".
std::string_view strip_bom(std::string_view s);

/// Byte offset of the first invalid UTF-8 sequence (overlong, surrogate, > U+10FFFF, truncated),
/// or npos when `s` is valid UTF-8.
size_t invalid_utf8_offset(std::string_view s);

/// ISO-8859-1 bytes re-encoded as UTF-8 (every byte maps to the code point of the same value).
std::string latin1_to_utf8(std::string_view s);

/// `s` without leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r).
std::string_view trim_ascii(std::string_view s);

/// True when `s` is empty or only ASCII whitespace.
bool is_blank(std::string_view s);

/// Parses a finite decimal number ("1", "4.25", "-0.5e1"), surrounding ASCII whitespace allowed.
bool parse_number(std::string_view s, double& out);

/// `bytes` with classic Mac line endings (CR only, no LF anywhere) turned into LF, so a CR-only
/// file reads as its lines instead of one record. A CR that ends no line in a file of LF or CRLF
/// lines (mixed endings) throws std::runtime_error "path:line: ...". Unchanged otherwise.
std::string normalize_line_endings(std::string bytes, const std::string& path);

/// Walks a buffer line by line: '\n' ends a line, one trailing '\r' is dropped (CRLF).
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : text_(text) {}
  /// The next line (1-based number in line_number()); false at the end of the buffer.
  bool next(std::string_view& line);
  int64_t line_number() const { return line_; }
  size_t position() const { return pos_; }  // byte offset just past the last line returned

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int64_t line_ = 0;
};

/// Splits on every `delim`; no quote rules ("a\tb\t" -> {"a", "b", ""}).
std::vector<std::string_view> split_fields(std::string_view line, char delim);

/// One RFC 4180 record parsed from text[pos...]: quoted fields may hold delimiters, newlines
/// and doubled quotes (`"a ""b"", c"` -> `a "b", c`); a quote inside an unquoted field is a
/// plain character. `end` is the offset after the record's line break; `lines` the physical
/// lines it spans; `error` is non-empty (and `fields` partial) for an unterminated quote or
/// text after a closing quote.
struct CsvRecord {
  std::vector<std::string> fields;
  size_t end = 0;
  int64_t lines = 0;
  std::string error;
};
CsvRecord parse_csv_record(std::string_view text, size_t pos, char delim);

}  // namespace sentzoo::detail
