#pragma once
// BERT's tokenizer on a vocab.txt, id for id equal to Hugging Face BertTokenizerFast (tokenizers
// 0.19.1): special-token extraction, BertNormalizer, BertPreTokenizer, WordPiece. Used for BERT,
// RoFormer and RoFormerV2 (char-level Chinese vocabularies tokenize CJK text char by char).

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "data/tokenizer.h"
#include "data/vocab.h"

namespace sentzoo {

class WordPieceTokenizer : public Tokenizer {
 public:
  WordPieceTokenizer(const std::filesystem::path& vocab_txt, const TokenizerOptions& options = {});
  WordPieceTokenizer(Vocab vocab, const TokenizerOptions& options = {});

  std::vector<int64_t> tokenize(std::string_view text) const override;
  int64_t vocab_size() const override { return vocab_.size(); }
  int64_t token_to_id(std::string_view token) const override { return vocab_.find(token); }
  std::string id_to_token(int64_t id) const override { return vocab_.token(id); }

  /// The words BertPreTokenizer yields after BertNormalizer, special tokens kept whole
  /// (for debugging and tests).
  std::vector<std::string> pre_tokenize(std::string_view text) const;

  static constexpr size_t kMaxInputCharsPerWord = 100;  // longer words become [UNK]

 private:
  // Calls on_word(word, chars) for each pre-token, on_special(id) for each special token.
  template <class OnWord, class OnSpecial>
  void split(std::string_view text, OnWord&& on_word, OnSpecial&& on_special) const;
  void wordpiece(std::string_view word, size_t chars, std::vector<int64_t>& out) const;

  Vocab vocab_;
  bool lowercase_, strip_accents_, chinese_;
  std::vector<std::pair<std::string, int64_t>> specials_;  // extracted before normalizing
};

}  // namespace sentzoo
