// Reading and tokenizing a split (data/tokenized_split.h).
#include "data/tokenized_split.h"

#include <algorithm>
#include <stdexcept>

#include "data/dataset_spec.h"

namespace sentzoo {

namespace {

// Appends the bucketing key of the example just added.
void add_length(TokenizedSplit& out) {
  const size_t i = out.a.size() - 1;
  int64_t n = static_cast<int64_t>(out.a[i].ids.size());
  if (i < out.b.size()) n = std::max<int64_t>(n, out.b[i].ids.size());
  out.lengths.push_back(n);
}

TokenizedSplit non_empty(TokenizedSplit out, const std::string& source) {
  if (out.size() == 0) throw std::invalid_argument(source + ": no examples");
  return out;
}

void require_pairs_or_triplets(const Dataset& data, const std::string& source) {
  if (data.kind == DatasetKind::kTexts)
    throw std::invalid_argument(source + ": plain texts can only train the mlm objective");
}

}  // namespace

Dataset read_split(const std::string& spec, int64_t max_examples) {
  Dataset data = read_dataset(parse_dataset_spec(spec));
  if (max_examples > 0) {
    const auto n = static_cast<size_t>(max_examples);
    if (data.pairs.size() > n) data.pairs.resize(n);
    if (data.triplets.size() > n) data.triplets.resize(n);
    if (data.texts.size() > n) data.texts.resize(n);
  }
  return data;
}

TokenizedSplit tokenize_sides(const Dataset& data,
                              const Tokenizer& tok,
                              int64_t max_length,
                              const std::string& source) {
  require_pairs_or_triplets(data, source);
  TokenizedSplit out;
  if (data.kind == DatasetKind::kTriplets) {
    out.triplets = true;
    for (const auto& t : data.triplets) {
      out.a.push_back(tok.encode(t.query, max_length));
      out.b.push_back(tok.encode(t.positive, max_length));
      if (!t.negative.empty()) out.c.push_back(tok.encode(t.negative, max_length));
      out.labels.push_back(1);
      add_length(out);
    }
    if (!out.c.empty() && out.c.size() != out.a.size())
      throw std::invalid_argument(source + ": either every triplet has a 'neg' or none has");
    return non_empty(std::move(out), source);
  }
  for (const auto& p : data.pairs) {
    out.a.push_back(tok.encode(p.text1, max_length));
    out.b.push_back(tok.encode(p.text2, max_length));
    out.labels.push_back(p.label);
    add_length(out);
  }
  return non_empty(std::move(out), source);
}

TokenizedSplit tokenize_packed_pairs(const Dataset& data,
                                     const Tokenizer& tok,
                                     int64_t max_length,
                                     const std::string& source) {
  if (data.kind == DatasetKind::kTriplets)
    throw std::invalid_argument(source + ": triplet data (query/pos/neg) needs the dual objective");
  require_pairs_or_triplets(data, source);
  TokenizedSplit out;
  for (const auto& p : data.pairs) {
    out.a.push_back(tok.encode_pair(p.text1, p.text2, max_length));
    out.labels.push_back(p.label);
    add_length(out);
  }
  return non_empty(std::move(out), source);
}

TokenizedSplit tokenize_texts(const Dataset& data,
                              const Tokenizer& tok,
                              int64_t max_length,
                              const std::string& source) {
  TokenizedSplit out;
  auto add_text = [&](const std::string& text) {
    out.a.push_back(tok.encode(text, max_length));
    out.labels.push_back(0);
    add_length(out);
  };
  for (const auto& t : data.texts) add_text(t.text);
  for (const auto& p : data.pairs) {
    add_text(p.text1);
    add_text(p.text2);
  }
  for (const auto& t : data.triplets) add_text(t.query);
  return non_empty(std::move(out), source);
}

TokenizedSplit pack_texts(const TokenizedSplit& texts, int64_t max_length, int64_t cls_id) {
  if (max_length < 1) throw std::invalid_argument("pack_texts: max_length must be >= 1");
  TokenizedSplit out;
  Encoding row;
  auto flush = [&] {
    if (row.ids.empty()) return;
    row.type_ids.assign(row.ids.size(), 0);
    out.a.push_back(std::move(row));
    out.labels.push_back(0);
    add_length(out);
    row = Encoding{};
  };
  for (const auto& text : texts.a) {
    if (static_cast<int64_t>(text.ids.size()) > max_length)
      throw std::invalid_argument("pack_texts: a text of " + std::to_string(text.ids.size()) +
                                  " tokens is longer than max_length " +
                                  std::to_string(max_length));
    const bool drop_cls = cls_id >= 0 && !text.ids.empty() && text.ids.front() == cls_id;
    const size_t skip = drop_cls ? 1 : 0;
    const auto added = static_cast<int64_t>(text.ids.size() - skip);
    if (!row.ids.empty() && static_cast<int64_t>(row.ids.size()) + added > max_length) flush();
    // A row's first text keeps its [CLS].
    row.ids.insert(row.ids.end(), text.ids.begin() + (row.ids.empty() ? 0 : skip), text.ids.end());
  }
  flush();
  return out;
}

}  // namespace sentzoo
