// Frequency vocabulary from raw text (data/vocab_builder.h).
#include "data/vocab_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <unordered_map>

#include "io/atomic_file.h"
#include "data/wordpiece.h"

namespace sentzoo {

namespace {
const std::vector<std::string> kSpecials = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
}

std::vector<std::string> build_vocab(const std::vector<std::filesystem::path>& corpus,
                                     const VocabBuildConfig& config) {
  if (config.min_count < 1) throw std::invalid_argument("build_vocab: min_count must be >= 1");
  if (config.max_size != 0 && config.max_size <= static_cast<int64_t>(kSpecials.size()))
    throw std::invalid_argument(fmt::format(
        "build_vocab: max_size must be 0 or > {}, found {}", kSpecials.size(), config.max_size));
  TokenizerOptions options;
  options.lowercase = config.lowercase;
  const WordPieceTokenizer splitter(Vocab(kSpecials), options);  // only its pre-tokenizer is used
  std::unordered_map<std::string, int64_t> counts;
  for (const auto& path : corpus) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(fmt::format("{}: cannot open corpus file", path.string()));
    std::string line;
    while (std::getline(in, line))
      for (auto& word : splitter.pre_tokenize(line)) ++counts[std::move(word)];
  }
  std::vector<std::pair<std::string, int64_t>> ranked;
  for (auto& [token, count] : counts)
    if (count >= config.min_count &&
        std::find(kSpecials.begin(), kSpecials.end(), token) == kSpecials.end())
      ranked.emplace_back(token, count);
  // UTF-8 byte order is codepoint order.
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::vector<std::string> tokens = kSpecials;
  for (auto& [token, count] : ranked) {
    if (config.max_size != 0 && static_cast<int64_t>(tokens.size()) >= config.max_size) break;
    tokens.push_back(std::move(token));
  }
  return tokens;
}

void write_vocab(const std::vector<std::string>& tokens, const std::filesystem::path& path) {
  std::string bytes;
  for (const auto& t : tokens) bytes += t + '\n';
  write_file_atomic(path, bytes);
}

}  // namespace sentzoo
