#pragma once
// read_dataset(): a data set file -> pairs, triplets or corpus lines, plus a report of what was
// read and skipped. Errors name `path:line` (the 1-based physical line, header included).

#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset_spec.h"
#include "data/example.h"

namespace sentzoo {

/// What a read saw. Under on_error=skip nothing is dropped silently: every bad record counts
/// in `skipped`, and the first kMaxSkipSamples are described.
struct ReadReport {
  static constexpr size_t kMaxSkipSamples = 10;
  std::string path;      // the resolved path read, e.g. "/data/zh/LCQMC/dev.txt"
  int64_t lines = 0;     // physical lines, header included, e.g. 8802
  int64_t examples = 0;  // examples returned
  int64_t blank = 0;     // empty lines passed over (text: whitespace-only lines too)
  int64_t skipped = 0;   // bad records skipped under on_error=skip
  std::vector<std::string> skip_samples;  // e.g. "line 7: expected 3 tab-separated fields, found 2"
};

/// One line summary, e.g. "/data/x.tsv: 8802 lines, 8800 examples, 0 blank, 2 skipped (line 3:
/// ...)".
std::string describe(const ReadReport& report);

enum class DatasetKind { kPairs, kTriplets, kTexts };

/// The examples of one file; exactly one of the vectors is filled, as `kind` says:
/// pairs (tsv nli csv bq pawsx stsb sick, jsonl text1/text2/label), triplets (jsonl
/// query/pos[/neg]), texts (text).
struct Dataset {
  DatasetKind kind = DatasetKind::kPairs;
  std::vector<PairExample> pairs;
  std::vector<TripletExample> triplets;
  std::vector<TextExample> texts;
  ReadReport report;
  size_t size() const;
};

/// The labels of `pairs`, in order (for collate_pairs / collate_cross).
std::vector<double> pair_labels(const std::vector<PairExample>& pairs);

/// Reads `spec.path` (resolve_data_path) in `spec.format`. Strips BOMs at the file start and at
/// the start of every text field, accepts CRLF, keeps control characters (the tokenizer cleans
/// them). A bad record (field count, label, invalid UTF-8, JSON) throws std::runtime_error
/// "path:line: expected ..., found ..." under on_error=fail, and is counted under skip. A missing
/// file throws naming the resolved path; an invalid spec throws std::invalid_argument.
Dataset read_dataset(const DatasetSpec& spec);

}  // namespace sentzoo
