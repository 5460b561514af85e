// Template, truncation and factory shared by every tokenizer (data/tokenizer.h).
#include "data/tokenizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "data/sentencepiece.h"
#include "data/tokenizer_json.h"
#include "data/wordpiece.h"

namespace sentzoo {

Truncation parse_truncation(const std::string& name) {
  if (name == "longest_first") return Truncation::kLongestFirst;
  if (name == "only_first") return Truncation::kOnlyFirst;
  if (name == "only_second") return Truncation::kOnlySecond;
  throw std::invalid_argument(fmt::format(
      "truncation: expected longest_first, only_first or only_second, found '{}'", name));
}

namespace detail {

// huggingface/tokenizers tokenizers/src/utils/truncation.rs (truncate_encodings, 0.19.1).
std::pair<size_t, size_t> truncated_lengths(size_t n1, size_t n2, size_t budget, Truncation t) {
  if (budget == 0) return {0, 0};  // every strategy empties both texts
  if (n1 + n2 <= budget) return {n1, n2};
  const size_t to_remove = n1 + n2 - budget;
  if (t == Truncation::kLongestFirst) {
    // Both shrink towards budget/2 (the longer one gets the odd token); a short one is kept.
    size_t a = n1, b = n2;
    const bool swap = a > b;
    if (swap) std::swap(a, b);
    b = a > budget ? a : std::max(a, budget - a);
    if (a + b > budget) {
      a = budget / 2;
      b = a + budget % 2;
    }
    if (swap) std::swap(a, b);
    return {std::min(a, n1), std::min(b, n2)};
  }
  const size_t target = t == Truncation::kOnlyFirst ? n1 : n2;
  if (target <= to_remove) {
    throw std::invalid_argument(
        fmt::format("truncation {}: the {} text has {} tokens, {} must go to fit max_length",
                    t == Truncation::kOnlyFirst ? "only_first" : "only_second",
                    t == Truncation::kOnlyFirst ? "first" : "second",
                    target,
                    to_remove));
  }
  return t == Truncation::kOnlyFirst ? std::make_pair(n1 - to_remove, n2)
                                     : std::make_pair(n1, n2 - to_remove);
}

}  // namespace detail

namespace {
void check_special(const SpecialIds& s) {
  if (s.cls < 0 || s.sep < 0)
    throw std::invalid_argument("tokenizer: the vocabulary has no [CLS]/[SEP]-like tokens");
}
}  // namespace

Encoding Tokenizer::encode(std::string_view text, int64_t max_length) const {
  check_special(special_);
  std::vector<int64_t> ids = tokenize(text);
  if (max_length > 0) {
    if (max_length < 2) throw std::invalid_argument("max_length must be >= 2 for [CLS] a [SEP]");
    ids.resize(std::min<size_t>(ids.size(), static_cast<size_t>(max_length - 2)));
  }
  Encoding e;
  e.ids.reserve(ids.size() + 2);
  e.ids.push_back(special_.cls);
  e.ids.insert(e.ids.end(), ids.begin(), ids.end());
  e.ids.push_back(special_.sep);
  e.type_ids.assign(e.ids.size(), 0);
  return e;
}

Encoding Tokenizer::encode_pair(std::string_view a,
                                std::string_view b,
                                int64_t max_length,
                                Truncation truncation) const {
  check_special(special_);
  std::vector<int64_t> x = tokenize(a), y = tokenize(b);
  if (max_length > 0) {
    if (max_length < 3)
      throw std::invalid_argument("max_length must be >= 3 for [CLS] a [SEP] b [SEP]");
    const auto [n1, n2] = detail::truncated_lengths(
        x.size(), y.size(), static_cast<size_t>(max_length - 3), truncation);
    x.resize(n1);
    y.resize(n2);
  }
  Encoding e;
  e.ids.reserve(x.size() + y.size() + 3);
  e.ids.push_back(special_.cls);
  e.ids.insert(e.ids.end(), x.begin(), x.end());
  e.ids.push_back(special_.sep);
  e.type_ids.assign(e.ids.size(), 0);
  e.ids.insert(e.ids.end(), y.begin(), y.end());
  e.ids.push_back(special_.sep);
  e.type_ids.resize(e.ids.size(), 1);
  return e;
}

std::vector<std::string> Tokenizer::ids_to_tokens(const std::vector<int64_t>& ids) const {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const int64_t id : ids) out.push_back(id_to_token(id));
  return out;
}

std::optional<std::filesystem::path> find_tokenizer_file(const std::filesystem::path& dir) {
  static const char* const kSentencePiece[] = {
      "sentencepiece.model", "spiece.model", "sentencepiece.bpe.model", "tokenizer.model"};
  std::optional<std::filesystem::path> spm;
  for (const char* name : kSentencePiece)
    if (!spm && std::filesystem::is_regular_file(dir / name)) spm = dir / name;
  // Hugging Face loads tokenizer.json first (the fast tokenizer wins over vocab.txt), and so do
  // we. A folder with a SentencePiece model too (XLM-R, T5, ...) holds a Unigram/BPE
  // tokenizer.json, which sentzoo cannot read; its .model is read instead.
  if (!spm && std::filesystem::is_regular_file(dir / "tokenizer.json"))
    return dir / "tokenizer.json";
  if (std::filesystem::is_regular_file(dir / "vocab.txt")) return dir / "vocab.txt";
  return spm;
}

std::string tokenizer_kind(const std::filesystem::path& file) {
  if (file.extension() == ".model") return "sentencepiece";
  if (file.extension() == ".json") return "tokenizer_json";
  return "wordpiece";
}

std::string tokenizer_file_name(const std::string& kind) {
  if (kind == "wordpiece") return "vocab.txt";
  if (kind == "sentencepiece") return "sentencepiece.model";
  if (kind == "tokenizer_json") return "tokenizer.json";
  throw std::invalid_argument(fmt::format(
      "tokenizer '{}': expected 'wordpiece', 'sentencepiece' or 'tokenizer_json'", kind));
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& path,
                                          const TokenizerOptions& options) {
  if (std::filesystem::is_directory(path)) {
    if (const auto file = find_tokenizer_file(path)) return load_tokenizer(*file, options);
    throw std::invalid_argument(
        fmt::format("{}: expected tokenizer.json, vocab.txt or a SentencePiece .model, found none",
                    path.string()));
  }
  if (tokenizer_kind(path) == "sentencepiece")
    return std::make_unique<SentencePieceTokenizer>(path);
  if (tokenizer_kind(path) == "tokenizer_json") return load_tokenizer_json(path);
  return std::make_unique<WordPieceTokenizer>(path, options);
}

}  // namespace sentzoo
