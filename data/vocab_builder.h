#pragma once
// Builds a vocab.txt from raw text: the pre-tokens of the BERT pipeline (BertNormalizer +
// BertPreTokenizer), so Chinese gives one entry per character and English one per word. With
// such a vocabulary WordPieceTokenizer tokenizes Chinese char by char (RoFormer-char style).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sentzoo {

struct VocabBuildConfig {
  int64_t min_count = 1;  // drop tokens seen fewer times, e.g. 5
  int64_t max_size = 0;   // whole vocabulary size including the 5 specials; 0 = no limit
  bool lowercase = true;  // BertNormalizer lowercase (and strip_accents)
};

/// [PAD] [UNK] [CLS] [SEP] [MASK], then the tokens by count (descending), ties by codepoint
/// order. Reads every line of every file (UTF-8). Throws std::runtime_error naming a bad path.
std::vector<std::string> build_vocab(const std::vector<std::filesystem::path>& corpus,
                                     const VocabBuildConfig& config);

/// One token per line, "\n"-terminated.
void write_vocab(const std::vector<std::string>& tokens, const std::filesystem::path& path);

}  // namespace sentzoo
