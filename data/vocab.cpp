// vocab.txt loading and lookups (data/vocab.h).
#include "data/vocab.h"

#include <fmt/format.h>

#include <fstream>
#include <stdexcept>

namespace sentzoo {

Vocab Vocab::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open vocabulary", path.string()));
  std::vector<std::string> tokens;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    tokens.push_back(line);
  }
  if (tokens.empty()) throw std::runtime_error(fmt::format("{}: empty vocabulary", path.string()));
  return Vocab(std::move(tokens));
}

Vocab::Vocab(std::vector<std::string> tokens, std::string continuation_prefix)
    : tokens_(std::move(tokens)), prefix_(std::move(continuation_prefix)) {
  ids_.reserve(tokens_.size());
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const std::string_view t = tokens_[i];
    ids_[t] = static_cast<int64_t>(i);
    // An empty prefix makes every token a continuation too (HF looks up prefix + piece).
    if (t.size() > prefix_.size() && t.substr(0, prefix_.size()) == prefix_)
      continuation_[t.substr(prefix_.size())] = static_cast<int64_t>(i);
  }
}

int64_t Vocab::find(std::string_view token) const {
  const auto it = ids_.find(token);
  return it == ids_.end() ? -1 : it->second;
}

int64_t Vocab::find_continuation(std::string_view piece) const {
  const auto it = continuation_.find(piece);
  return it == continuation_.end() ? -1 : it->second;
}

const std::string& Vocab::token(int64_t id) const {
  if (id < 0 || id >= size())
    throw std::out_of_range(fmt::format("token id {} outside the vocabulary [0, {})", id, size()));
  return tokens_[static_cast<size_t>(id)];
}

}  // namespace sentzoo
