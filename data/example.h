#pragma once
// One labelled example as read from a data set file, before tokenization.

#include <cstdint>
#include <string>

namespace sentzoo {

/// A sentence pair with a label: a 0/1 match, a class id (NLI) or a graded score (STS).
struct PairExample {
  std::string text1;
  std::string text2;
  double label = 0.0;  // e.g. 1, or 4.2 for STS-B, or 2 for "entailment" after mapping
  int64_t line = 0;    // 1-based line in the source file, for error messages and predictions
};

/// A retrieval triplet (JSONL `query`/`pos`/`neg`); `negative` is empty when absent.
struct TripletExample {
  std::string query;
  std::string positive;
  std::string negative;
  int64_t line = 0;
};

/// One document of an unlabelled corpus (format `text`: one non-blank line), e.g. for MLM.
struct TextExample {
  std::string text;
  int64_t line = 0;
};

}  // namespace sentzoo
