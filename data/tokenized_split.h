#pragma once
// A data split read from its spec and tokenized into the shape a model consumes: separate sides
// (dual encoders), packed pairs (cross encoders) or single texts (MLM). Moved out of the trainer
// (issue #12): each objective picks the shape it needs; reading and tokenizing live here.

#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/encoding.h"
#include "data/tokenizer.h"

namespace sentzoo {

/// Tokenized examples of one split. Sides: a = text1, b = text2 (c = hard negatives of triplet
/// data); packed pairs: a = [CLS] text1 [SEP] text2 [SEP]; texts: a = each text.
struct TokenizedSplit {
  std::vector<Encoding> a, b, c;
  std::vector<double> labels;
  std::vector<int64_t> lengths;  // bucketing key per example: the longest of its sequences
  bool triplets = false;         // read from triplet data (query/pos[/neg]): no real labels
  size_t size() const { return a.size(); }
};

/// read_dataset(parse_dataset_spec(spec)), cut to the first `max_examples` (0 = all).
Dataset read_split(const std::string& spec, int64_t max_examples = 0);

/// Labelled pairs as two sides, or triplets as query/positive(/negative). Throws naming `source`
/// for plain texts, an empty split, or triplets of which only some have a negative.
TokenizedSplit tokenize_sides(const Dataset& data,
                              const Tokenizer& tokenizer,
                              int64_t max_length,
                              const std::string& source);

/// Labelled pairs packed into one sequence each. Throws naming `source` for triplets, plain
/// texts or an empty split.
TokenizedSplit tokenize_packed_pairs(const Dataset& data,
                                     const Tokenizer& tokenizer,
                                     int64_t max_length,
                                     const std::string& source);

/// Every text as its own sequence (texts, both sides of pairs, triplet queries), label 0.
/// Throws naming `source` for an empty split.
TokenizedSplit tokenize_texts(const Dataset& data,
                              const Tokenizer& tokenizer,
                              int64_t max_length,
                              const std::string& source);

/// MLM packing (RoBERTa's FULL-SENTENCES, arXiv 1907.11692 §4.2; unlike HF run_mlm.py's
/// group_texts, which cuts at block boundaries, every text stays whole): consecutive texts of `texts` (tokenize_texts' output, in file order)
/// joined greedily into rows of at most `max_length` tokens, [CLS] t1 [SEP] t2 [SEP] ... : each
/// text after a row's first loses its leading `cls_id` (when it starts with it; -1: none), no
/// text is cut, and a text that does not fit starts the next row. Segment ids are all 0; the
/// texts of a row attend to each other. Short texts (e.g. 43 tokens of 128) then fill the rows
/// that a batch would otherwise spend on padding.
TokenizedSplit pack_texts(const TokenizedSplit& texts, int64_t max_length, int64_t cls_id);

}  // namespace sentzoo
