#pragma once
// Which file to read and how: DatasetSpec, its command-line form and its strict JSON form.
//
// Command line:  FORMAT:PATH  or  FORMAT:PATH?key=value&key=value   e.g.
//   stsb:en/STS-B/sts-dev.csv
//   tsv:zh/ATEC/atec_nlp_sim_train.csv?columns=1,2,3
//   sick:en/SICK/SICK_trial.txt?label=entailment_judgment     (NLI map applied automatically)
//   tsv:zh/STS-B/STS-B.train.data?label_scale=0.2&on_error=skip
//   text:corpus/en-gutenberg/chesterton-ball.txt?encoding=latin1
// or a JSON object: {"format": "tsv", "path": "x.tsv", "columns": [1, 2, 3], ...}.
// Query keys are the JSON keys: header (true|false), delimiter (tab|comma|one char), columns
// (comma list; all-digit items are 0-based indices, others header names), label (one column;
// replaces the label column), label_map (nli | word:id,word:id), label_scale, on_error
// (fail|skip), encoding (utf-8|latin1). A '?' ends the path and values have no %-escapes:
// use the JSON form for paths with '?' or values with '&'.
//
// Paths: "~/x" is under $HOME; absolute paths are used as given; "./x" and "../x" are relative to the current
// directory; any other relative path is relative to $SENTZOO_DATA, or to the current directory
// when SENTZOO_DATA is unset or empty (resolve_data_path).

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sentzoo {

/// A column chosen by header name (`name` non-empty) or by 0-based index.
struct Column {
  std::string name;    // e.g. "sentence1"
  int64_t index = -1;  // e.g. 4; used when name is empty
  bool operator==(const Column& o) const { return name == o.name && index == o.index; }
};

/// A data set file and how to read it. Start from dataset_spec_defaults(format) (or
/// parse_dataset_spec); a default-constructed spec is the plain `tsv` format.
struct DatasetSpec {
  std::string format = "tsv";  // one of dataset_formats(), e.g. "stsb"
  std::string path;            // e.g. "en/STS-B/sts-dev.csv" (see resolve_data_path)
  // text1, text2, label (jsonl: key names); e.g. {{"", 1}, {"", 2}, {"", 3}}; unused by `text`
  std::vector<Column> columns = {{"", 0}, {"", 1}, {"", 2}};
  bool header = false;    // first record names the columns; never an example
  char delimiter = '\t';  // e.g. ',' for csv
  std::map<std::string, double>
      label_map;                   // word -> id, ASCII case-insensitive, e.g. {"neutral", 1}
  double label_scale = 1.0;        // label *= scale, e.g. 0.2 maps STS 0..5 to 0..1
  std::string on_error = "fail";   // "fail": throw path:line; "skip": skip and count
  std::string encoding = "utf-8";  // "utf-8" or "latin1" (decoded to UTF-8 on read)

  bool operator==(const DatasetSpec& o) const;
  /// Throws std::invalid_argument naming the field (unknown format, bad on_error, ...).
  void validate() const;
};

/// Every format name: tsv nli csv bq pawsx stsb sick jsonl text.
const std::vector<std::string>& dataset_formats();

/// The spec of `format` with its default columns/header/delimiter/label map; throws
/// std::invalid_argument listing the valid formats for an unknown one.
DatasetSpec dataset_spec_defaults(const std::string& format);

/// contradiction=0, neutral=1, entailment=2 (bojone cosent_nli.py; REFERENCE.md §4.4).
const std::map<std::string, double>& nli_label_map();

/// Parses "FORMAT:PATH[?k=v&...]" or a JSON object; throws std::invalid_argument with the text.
DatasetSpec parse_dataset_spec(const std::string& text);

/// `path` with a leading "~/" replaced by $HOME/ (data paths, tokenizer.vocab, model.init_from).
std::string expand_home(const std::string& path);

/// The path read for `path`: "~/" from $HOME; absolute as is; ./ and ../ from cwd; else under
/// $SENTZOO_DATA.
std::string resolve_data_path(const std::string& path);

/// Strict JSON: keys as in the struct, unknown keys are errors, defaults from the format.
DatasetSpec dataset_spec_from_json(const nlohmann::json& j);
nlohmann::json dataset_spec_to_json(const DatasetSpec& spec);

}  // namespace sentzoo
