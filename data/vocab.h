#pragma once
// A WordPiece vocab.txt: one token per line, the line number (0-based) is the id. Lookups take a
// string_view and allocate nothing; continuation pieces ("##" + piece, or a tokenizer.json's
// continuing_subword_prefix) have their own table so WordPiece never builds prefix + piece strings.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sentzoo {

class Vocab {
 public:
  /// Reads vocab.txt as transformers' load_vocab does (a trailing "\n", and "\r", removed; a
  /// repeated token keeps its last id). Throws std::runtime_error naming the path.
  static Vocab load(const std::filesystem::path& path);
  /// `continuation_prefix` marks word-inner pieces (WordPiece continuing_subword_prefix).
  explicit Vocab(std::vector<std::string> tokens, std::string continuation_prefix = "##");
  Vocab(const Vocab&) = delete;  // the maps hold views into tokens_
  Vocab& operator=(const Vocab&) = delete;
  Vocab(Vocab&&) = default;

  int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
  /// Id of `token`, or -1.
  int64_t find(std::string_view token) const;
  /// Id of continuation_prefix() + `piece`, or -1.
  int64_t find_continuation(std::string_view piece) const;
  const std::string& continuation_prefix() const { return prefix_; }
  const std::string& token(int64_t id) const;  // throws std::out_of_range
  const std::vector<std::string>& tokens() const { return tokens_; }

 private:
  std::vector<std::string> tokens_;
  std::string prefix_;                                          // e.g. "##"
  std::unordered_map<std::string_view, int64_t> ids_;           // views into tokens_
  std::unordered_map<std::string_view, int64_t> continuation_;  // "##x" stored as "x"
};

}  // namespace sentzoo
