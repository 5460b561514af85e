#include "data/dataset.h"

#include <cmath>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "data/readers.h"
#include "data/text_io.h"

namespace sentzoo {

// ---------------------------------------------------------------------------------------------
// Shared helpers of the readers

namespace detail {

void RecordErrors::fail(int64_t line, const std::string& message) {
  if (!skip_) throw std::runtime_error(fmt::format("{}:{}: {}", report_.path, line, message));
  ++report_.skipped;
  if (report_.skip_samples.size() < ReadReport::kMaxSkipSamples)
    report_.skip_samples.push_back(fmt::format("line {}: {}", line, message));
}

bool RecordErrors::check_utf8(int64_t line, std::string_view bytes) {
  if (utf8_checked_) return true;
  const size_t bad = invalid_utf8_offset(bytes);
  if (bad == std::string_view::npos) return true;
  fail(line,
       fmt::format("expected valid UTF-8, found byte 0x{:02X} at byte {} of the line "
                   "(a Latin-1 file? try encoding=latin1)",
                   static_cast<unsigned char>(bytes[bad]),
                   bad + 1));
  return false;
}

namespace {
bool ascii_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}
}  // namespace

bool parse_label(std::string_view field,
                 const DatasetSpec& spec,
                 int64_t line,
                 RecordErrors& errors,
                 double& out) {
  const std::string_view word = trim_ascii(strip_bom(field));
  if (spec.label_map.empty()) {
    if (parse_number(word, out)) {
      out *= spec.label_scale;
      if (std::isfinite(out)) return true;
      errors.fail(line,
                  fmt::format("expected a label that stays finite after label_scale {}, found "
                              "'{}'",
                              spec.label_scale,
                              word));
      return false;
    }
    errors.fail(line,
                fmt::format("expected a numeric label, found '{}' (word labels need "
                            "label_map, e.g. label_map=nli)",
                            word));
    return false;
  }
  std::string known;
  for (const auto& [name, id] : spec.label_map) {
    if (ascii_iequal(name, word)) {
      out = id * spec.label_scale;
      if (std::isfinite(out)) return true;
      errors.fail(line, fmt::format("expected a finite label, found {} * label_scale {}", id,
                                    spec.label_scale));
      return false;
    }
    known += (known.empty() ? "" : ", ") + name;
  }
  errors.fail(line, fmt::format("expected a label in label_map ({}), found '{}'", known, word));
  return false;
}

void read_text(std::string_view text, const DatasetSpec& spec, RecordErrors& errors, Dataset& out) {
  LineCursor cursor(text);
  std::string_view line;
  while (cursor.next(line)) {
    const int64_t n = cursor.line_number();
    if (is_blank(line)) {
      ++out.report.blank;
      continue;
    }
    if (!errors.check_utf8(n, line)) continue;
    out.texts.push_back(TextExample{std::string(line), n});
  }
  out.report.lines = cursor.line_number();
}

void read_dataset_bytes(std::string bytes, const DatasetSpec& spec, Dataset& out) {
  bytes = normalize_line_endings(std::move(bytes), out.report.path);
  RecordErrors errors(spec, out.report);
  if (spec.encoding == "latin1") {
    bytes = latin1_to_utf8(bytes);
    errors.set_utf8_checked(true);
  }
  const std::string_view text = strip_bom(bytes);
  if (spec.format == "text") {
    out.kind = DatasetKind::kTexts;
    read_text(text, spec, errors, out);
  } else if (spec.format == "jsonl") {
    read_jsonl(text, spec, errors, out);
  } else {
    read_delimited(text, spec, errors, out);
  }
  out.report.examples = static_cast<int64_t>(out.size());
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Public API

std::string describe(const ReadReport& r) {
  std::string s = fmt::format("{}: {} lines, {} examples, {} blank, {} skipped",
                              r.path,
                              r.lines,
                              r.examples,
                              r.blank,
                              r.skipped);
  if (!r.skip_samples.empty()) {
    s += " (";
    for (size_t i = 0; i < r.skip_samples.size(); ++i) s += (i ? "; " : "") + r.skip_samples[i];
    s += r.skipped > static_cast<int64_t>(r.skip_samples.size()) ? "; ...)" : ")";
  }
  return s;
}

size_t Dataset::size() const {
  switch (kind) {
    case DatasetKind::kPairs:
      return pairs.size();
    case DatasetKind::kTriplets:
      return triplets.size();
    case DatasetKind::kTexts:
      return texts.size();
  }
  return 0;
}

std::vector<double> pair_labels(const std::vector<PairExample>& pairs) {
  std::vector<double> labels;
  labels.reserve(pairs.size());
  for (const PairExample& p : pairs) labels.push_back(p.label);
  return labels;
}

Dataset read_dataset(const DatasetSpec& spec) {
  spec.validate();
  Dataset out;
  out.report.path = resolve_data_path(spec.path);
  if (!std::filesystem::is_regular_file(out.report.path)) {
    const char* root = std::getenv("SENTZOO_DATA");
    const std::string base = out.report.path != spec.path
                                 ? fmt::format("'{}' under $SENTZOO_DATA={}", spec.path, root)
                                 : fmt::format("'{}' relative to the current directory{}",
                                               spec.path,
                                               (root && *root) ? "" : " ($SENTZOO_DATA is unset)");
    throw std::runtime_error(
        fmt::format("{}: no such data file (spec path {})", out.report.path, base));
  }
  detail::read_dataset_bytes(detail::read_whole_file(out.report.path), spec, out);
  return out;
}

}  // namespace sentzoo
