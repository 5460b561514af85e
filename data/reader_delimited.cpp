// Delimited formats: tsv nli stsb sick pawsx split on the delimiter only (STS-B sentences hold
// bare '"'); csv and bq follow RFC 4180 quoting. Every record must have the expected number of
// fields: the header's count, else the largest column index + 1 (stsb: at least 7).

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "data/readers.h"
#include "data/text_io.h"

namespace sentzoo::detail {

namespace {

std::string delimiter_words(char d) {
  if (d == '\t') return "tab-separated";
  if (d == ',') return "comma-separated";
  return fmt::format("'{}'-separated", d);
}

// Header names -> column indices; throws (a bad header leaves nothing to read).
std::vector<size_t> resolve_named(const std::vector<Column>& columns,
                                  const std::vector<std::string_view>& header,
                                  const std::string& path,
                                  int64_t line) {
  std::vector<size_t> idx;
  for (const Column& c : columns) {
    if (c.name.empty()) {
      idx.push_back(static_cast<size_t>(c.index));
      continue;
    }
    size_t found = header.size();
    for (size_t i = 0; i < header.size(); ++i)
      if (trim_ascii(strip_bom(header[i])) == c.name) found = i;
    if (found == header.size()) {
      std::string names;
      for (auto h : header) names += (names.empty() ? "" : ", ") + std::string(trim_ascii(h));
      throw std::runtime_error(
          fmt::format("{}:{}: expected a column named '{}' in the header, found {}",
                      path,
                      line,
                      c.name,
                      names));
    }
    idx.push_back(found);
  }
  for (const size_t i : idx)
    if (i >= header.size())
      throw std::runtime_error(
          fmt::format("{}:{}: expected column index < {} (header fields), found {}",
                      path,
                      line,
                      header.size(),
                      i));
  return idx;
}

}  // namespace

void read_delimited(std::string_view text,
                    const DatasetSpec& spec,
                    RecordErrors& errors,
                    Dataset& out) {
  out.kind = DatasetKind::kPairs;
  const bool csv = spec.format == "csv" || spec.format == "bq";
  const bool at_least = spec.format == "stsb";  // 7 fields, or 9 with license fields
  const char delim = spec.delimiter;
  std::vector<size_t> idx;
  size_t expected = 0;
  if (!spec.header) {
    for (const Column& c : spec.columns) idx.push_back(static_cast<size_t>(c.index));
    expected = *std::max_element(idx.begin(), idx.end()) + 1;
    if (at_least) expected = std::max<size_t>(expected, 7);
  }
  bool header_pending = spec.header;

  size_t pos = 0;
  int64_t next_line = 1;
  CsvRecord rec;
  std::vector<std::string_view> fields;
  while (pos < text.size()) {
    const int64_t line = next_line;
    std::string_view raw;  // the record's bytes without the final line break
    if (csv) {
      rec = parse_csv_record(text, pos, delim);
      raw = text.substr(pos, rec.end - pos);
      next_line += rec.lines;
      pos = rec.end;
      if (!raw.empty() && raw.back() == '\n') raw.remove_suffix(1);
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
      fields.assign(rec.fields.begin(), rec.fields.end());
    } else {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      raw = text.substr(pos, nl - pos);
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
      pos = nl + 1;
      ++next_line;
      fields = split_fields(raw, delim);
    }
    if (raw.empty()) {
      ++out.report.blank;
      continue;
    }
    if (header_pending) {
      if (invalid_utf8_offset(raw) != std::string_view::npos && spec.encoding != "latin1")
        throw std::runtime_error(fmt::format(
            "{}:{}: expected a UTF-8 header line, found invalid UTF-8", out.report.path, line));
      idx = resolve_named(spec.columns, fields, out.report.path, line);
      expected = fields.size();
      header_pending = false;
      continue;
    }
    if (!errors.check_utf8(line, raw)) continue;
    if (csv && !rec.error.empty()) {
      errors.fail(line, rec.error);
      continue;
    }
    if (at_least ? fields.size() < expected : fields.size() != expected) {
      errors.fail(line,
                  fmt::format("expected {}{} {} fields, found {}",
                              at_least ? "at least " : "",
                              expected,
                              delimiter_words(delim),
                              fields.size()));
      continue;
    }
    double label = 0;
    if (!parse_label(fields[idx[2]], spec, line, errors, label)) continue;
    out.pairs.push_back(PairExample{std::string(strip_bom(fields[idx[0]])),
                                    std::string(strip_bom(fields[idx[1]])),
                                    label,
                                    line});
  }
  out.report.lines = next_line - 1;
}

}  // namespace sentzoo::detail
