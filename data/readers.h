#pragma once
// Internal to read_dataset(): the per-format readers and the shared error policy. The buffer
// given to a reader is already decoded to UTF-8 bytes (or not, for utf-8 input) and BOM-free.

#include <string>
#include <string_view>

#include "data/dataset.h"

namespace sentzoo::detail {

/// Applies on_error: fail() throws "path:line: message" or counts and samples the skip.
class RecordErrors {
 public:
  RecordErrors(const DatasetSpec& spec, ReadReport& report)
      : skip_(spec.on_error == "skip"), report_(report) {}
  void fail(int64_t line, const std::string& message);
  /// Checks UTF-8 (unless the file was decoded from Latin-1); false after fail() under skip.
  bool check_utf8(int64_t line, std::string_view bytes);
  void set_utf8_checked(bool checked) { utf8_checked_ = checked; }

 private:
  bool skip_;
  bool utf8_checked_ = false;
  ReadReport& report_;
};

/// The label of a record: a number (label_map empty) or a mapped word; times label_scale.
/// Returns false after errors.fail() under skip.
bool parse_label(std::string_view field,
                 const DatasetSpec& spec,
                 int64_t line,
                 RecordErrors& errors,
                 double& out);

/// What read_dataset() does with the file's bytes once read (`out.report.path` set): Latin-1
/// decoding, the BOM, the format's reader, the counts. Also the fuzz target's entry point.
void read_dataset_bytes(std::string bytes, const DatasetSpec& spec, Dataset& out);

/// tsv nli csv bq pawsx stsb sick.
void read_delimited(std::string_view text,
                    const DatasetSpec& spec,
                    RecordErrors& errors,
                    Dataset& out);
/// jsonl: text1/text2/label objects (or the columns' key names), or query/pos/neg.
void read_jsonl(std::string_view text, const DatasetSpec& spec, RecordErrors& errors, Dataset& out);
/// text: one document per non-blank line.
void read_text(std::string_view text, const DatasetSpec& spec, RecordErrors& errors, Dataset& out);

}  // namespace sentzoo::detail
