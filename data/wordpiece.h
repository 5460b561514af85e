#pragma once
// BERT's tokenizer on a vocab.txt, id for id equal to Hugging Face BertTokenizerFast (tokenizers
// 0.19.1): special-token extraction, BertNormalizer, BertPreTokenizer, WordPiece. Used for BERT,
// RoFormer and RoFormerV2 (char-level Chinese vocabularies tokenize CJK text char by char), and
// for WordPiece tokenizer.json files (data/tokenizer_json.h), which set WordPieceSettings.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "data/tokenizer.h"
#include "data/vocab.h"

namespace sentzoo {

/// Everything a WordPiece tokenizer is told beside its vocabulary (the fields of a tokenizer.json);
/// the defaults are BertTokenizerFast's for a vocab.txt.
struct WordPieceSettings {
  bool clean_text = true;                 // BertNormalizer: drop controls, whitespace -> ' '
  bool handle_chinese_chars = true;       // BertNormalizer: a CJK ideograph is a word of its own
  bool strip_accents = true;              // BertNormalizer: NFD, then drop Mn
  bool lowercase = true;                  // BertNormalizer: Unicode lowercase
  std::string unk_token = "[UNK]";        // WordPiece: a word it cannot split
  size_t max_input_chars_per_word = 100;  // WordPiece: longer words become unk_token
  /// Added tokens, matched verbatim in the raw text before normalizing, leftmost-longest (HF
  /// AddedVocabulary with normalized/lstrip/rstrip/single_word false); tokens the vocabulary
  /// lacks are skipped.
  std::vector<std::string> added_tokens = {"[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"};
  std::string cls_token = "[CLS]";  // [CLS] a [SEP] (b [SEP]); SpecialIds (-1 when absent)
  std::string sep_token = "[SEP]";
  std::string pad_token = "[PAD]";
  std::string mask_token = "[MASK]";
};

/// The settings BertTokenizerFast(vocab.txt, do_lower_case, strip_accents,
/// tokenize_chinese_chars) has.
WordPieceSettings wordpiece_settings(const TokenizerOptions& options);

class WordPieceTokenizer : public Tokenizer {
 public:
  WordPieceTokenizer(const std::filesystem::path& vocab_txt, const TokenizerOptions& options = {});
  WordPieceTokenizer(Vocab vocab, const TokenizerOptions& options = {});
  /// The continuing_subword_prefix is the vocabulary's (Vocab::continuation_prefix).
  WordPieceTokenizer(Vocab vocab, WordPieceSettings settings);

  std::vector<int64_t> tokenize(std::string_view text) const override;
  int64_t vocab_size() const override { return vocab_.size(); }
  int64_t token_to_id(std::string_view token) const override { return vocab_.find(token); }
  std::string id_to_token(int64_t id) const override { return vocab_.token(id); }

  /// The words BertPreTokenizer yields after BertNormalizer, special tokens kept whole
  /// (for debugging and tests).
  std::vector<std::string> pre_tokenize(std::string_view text) const;

  const WordPieceSettings& settings() const { return settings_; }
  const Vocab& vocab() const { return vocab_; }

 private:
  // Calls on_word(word, chars) for each pre-token, on_special(id) for each special token.
  template <class OnWord, class OnSpecial>
  void split(std::string_view text, OnWord&& on_word, OnSpecial&& on_special) const;
  void wordpiece(std::string_view word, size_t chars, std::vector<int64_t>& out) const;

  Vocab vocab_;
  WordPieceSettings settings_;
  bool lowercase_, strip_accents_, chinese_, clean_;       // copies of settings_ for the inner loop
  std::vector<std::pair<std::string, int64_t>> specials_;  // extracted before normalizing
  bool special_first_byte_[256] = {};  // a special token may start with this byte
};

}  // namespace sentzoo
