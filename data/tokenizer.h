#pragma once
// The common tokenizer interface: WordPiece models (vocab.txt, data/wordpiece.h, or a Hugging Face
// tokenizer.json, data/tokenizer_json.h) and SentencePiece models (data/sentencepiece.h) all
// encode to [CLS] a [SEP] (b [SEP]) with Hugging Face's truncation rules, so the rest of sentzoo
// never asks which one it holds.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/encoding.h"

namespace sentzoo {

/// How a pair is cut down to max_length (HF `truncation=` names: longest_first, only_first,
/// only_second). Single texts always lose tokens from their end.
enum class Truncation { kLongestFirst, kOnlyFirst, kOnlySecond };

/// "longest_first" -> kLongestFirst, ...; throws std::invalid_argument naming the value.
Truncation parse_truncation(const std::string& name);

/// Ids of the special tokens; -1 when the vocabulary has none.
struct SpecialIds {
  int64_t cls = -1;   // e.g. 101 in bert-base-uncased
  int64_t sep = -1;   // 102
  int64_t pad = -1;   // 0
  int64_t mask = -1;  // 103
  int64_t unk = -1;   // 100
};

/// Every const method is safe to call from several threads at once.
class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  /// Ids of `text` without special tokens and without truncation.
  virtual std::vector<int64_t> tokenize(std::string_view text) const = 0;
  virtual int64_t vocab_size() const = 0;
  /// The id of a token (a vocab.txt line or a SentencePiece piece), or -1.
  virtual int64_t token_to_id(std::string_view token) const = 0;
  /// The token of an id; throws std::out_of_range for an id outside [0, vocab_size).
  virtual std::string id_to_token(int64_t id) const = 0;

  /// [CLS] text [SEP], type ids all 0. max_length counts the special tokens; 0 = no limit.
  Encoding encode(std::string_view text, int64_t max_length = 0) const;
  /// [CLS] a [SEP] b [SEP], type ids 0 for [CLS] a [SEP] and 1 for b [SEP]; truncated as HF
  /// tokenizers' truncate_encodings (utils/truncation.rs) does. Throws std::invalid_argument
  /// where HF raises (only_first/only_second cannot reach max_length).
  Encoding encode_pair(std::string_view a,
                       std::string_view b,
                       int64_t max_length = 0,
                       Truncation truncation = Truncation::kLongestFirst) const;

  const SpecialIds& special() const { return special_; }
  std::vector<std::string> ids_to_tokens(const std::vector<int64_t>& ids) const;

 protected:
  SpecialIds special_;
};

/// vocab.txt options; SentencePiece models and tokenizer.json files carry their own normalizer
/// settings and ignore these.
struct TokenizerOptions {
  bool lowercase = true;               // WordPiece: BertTokenizerFast do_lower_case
  std::optional<bool> strip_accents;   // WordPiece: unset = follow lowercase (as HF)
  bool tokenize_chinese_chars = true;  // WordPiece: pad CJK ideographs with spaces
};

/// The tokenizer file of a folder: tokenizer.json when the folder has no SentencePiece model
/// (Hugging Face's AutoTokenizer, too, prefers the fast tokenizer's file to vocab.txt; for BERT
/// folders the two give the same ids), else vocab.txt, else the first of sentencepiece.model,
/// spiece.model, sentencepiece.bpe.model, tokenizer.model; nullopt when it has none.
std::optional<std::filesystem::path> find_tokenizer_file(const std::filesystem::path& dir);
/// "sentencepiece" for a `*.model` file, "tokenizer_json" for a `*.json` file, else "wordpiece"
/// (vocab.txt-style).
std::string tokenizer_kind(const std::filesystem::path& file);
/// The name a model folder or export archive stores a tokenizer of `kind` under: "vocab.txt"
/// (wordpiece), "sentencepiece.model" (sentencepiece), "tokenizer.json" (tokenizer_json).
/// Throws for another kind.
std::string tokenizer_file_name(const std::string& kind);

/// A tokenizer from a file or a model folder: `*.txt` -> WordPiece; `*.json` -> WordPiece from a
/// Hugging Face tokenizer.json (its own settings; `options` do not apply); `*.model` ->
/// SentencePiece (through the plugin, data/sentencepiece.h); a folder -> its
/// find_tokenizer_file().
std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& path,
                                          const TokenizerOptions& options = {});

namespace detail {
/// HF truncate_encodings for lengths only: how many tokens of a (n1) and b (n2) to keep so that
/// the sum is at most `budget` (max_length minus special tokens).
std::pair<size_t, size_t> truncated_lengths(size_t n1, size_t n2, size_t budget, Truncation t);
}  // namespace detail

}  // namespace sentzoo
