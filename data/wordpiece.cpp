// BertTokenizerFast, one pass over the text (data/wordpiece.h). The Hugging Face pipeline is
// AddedVocabulary split -> BertNormalizer (clean_text, handle_chinese_chars, strip_accents,
// lowercase) -> BertPreTokenizer (whitespace, punctuation) -> WordPiece. BertNormalizer maps
// each char on its own except NFD's canonical reordering (a run of non-starters is sorted by
// combining class), so normalized chars are fed straight to the pre-tokenizer, a run of
// non-starters is held back until the next starter, and the current word goes to WordPiece at
// each boundary.
#include "data/wordpiece.h"

#include <algorithm>
#include <stdexcept>

#include "data/unicode.h"

namespace sentzoo {

using detail::char_flags;

WordPieceSettings wordpiece_settings(const TokenizerOptions& options) {
  WordPieceSettings s;  // BertTokenizerFast registers [UNK] [SEP] [PAD] [CLS] [MASK] as added
  s.lowercase = options.lowercase;
  s.strip_accents = options.strip_accents.value_or(options.lowercase);
  s.handle_chinese_chars = options.tokenize_chinese_chars;
  return s;
}

WordPieceTokenizer::WordPieceTokenizer(const std::filesystem::path& vocab_txt,
                                       const TokenizerOptions& options)
    : WordPieceTokenizer(Vocab::load(vocab_txt), options) {}

WordPieceTokenizer::WordPieceTokenizer(Vocab vocab, const TokenizerOptions& options)
    : WordPieceTokenizer(std::move(vocab), wordpiece_settings(options)) {}

WordPieceTokenizer::WordPieceTokenizer(Vocab vocab, WordPieceSettings settings)
    : vocab_(std::move(vocab)),
      settings_(std::move(settings)),
      lowercase_(settings_.lowercase),
      strip_accents_(settings_.strip_accents),
      chinese_(settings_.handle_chinese_chars),
      clean_(settings_.clean_text) {
  special_.cls = vocab_.find(settings_.cls_token);
  special_.sep = vocab_.find(settings_.sep_token);
  special_.pad = vocab_.find(settings_.pad_token);
  special_.mask = vocab_.find(settings_.mask_token);
  special_.unk = vocab_.find(settings_.unk_token);
  for (const auto& t : settings_.added_tokens) {
    if (t.empty() || vocab_.find(t) < 0) continue;
    specials_.emplace_back(t, vocab_.find(t));
    special_first_byte_[static_cast<unsigned char>(t[0])] = true;
  }
}

template <class OnWord, class OnSpecial>
void WordPieceTokenizer::split(std::string_view text,
                               OnWord&& on_word,
                               OnSpecial&& on_special) const {
  std::string word;
  size_t chars = 0;
  auto flush = [&] {
    if (!word.empty()) on_word(std::string_view(word), chars);
    word.clear();
    chars = 0;
  };
  auto pre_tokenize_char = [&](char32_t c) {  // BertPreTokenizer on one normalized char
    const uint16_t f = char_flags(c);
    if (f & detail::kFlagSpace) {
      flush();
    } else if (f & detail::kFlagPunct) {
      flush();
      detail::append_utf8(word, c);
      chars = 1;
      flush();
    } else {
      detail::append_utf8(word, c);
      ++chars;
    }
  };
  auto lowercase_char = [&](char32_t c) {
    char32_t lowered[4];
    const int m = lowercase_ ? detail::lowercase(c, lowered) : (lowered[0] = c, 1);
    for (int k = 0; k < m; ++k) pre_tokenize_char(lowered[k]);
  };
  auto strip_char = [&](char32_t c) {  // after NFD and reordering: drop Mn
    if (!(char_flags(c) & detail::kFlagMark)) lowercase_char(c);
  };
  std::vector<std::pair<uint8_t, char32_t>> marks;  // non-starters waiting for NFD's ordering
  auto flush_marks = [&] {
    if (marks.empty()) return;
    std::stable_sort(
        marks.begin(), marks.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    for (const auto& m : marks) strip_char(m.second);
    marks.clear();
  };
  auto boundary = [&] {  // a starter or a segment end in the normalized text
    flush_marks();
    flush();
  };
  auto normalize_char = [&](char32_t c) {  // strip_accents (NFD, drop Mn) then lowercase
    if (!strip_accents_) return lowercase_char(c);
    char32_t d[4];
    const int n = detail::decompose(c, d);
    for (int i = 0; i < n; ++i) {
      const uint8_t ccc = detail::combining_class(d[i]);
      if (ccc == 0) {
        flush_marks();
        strip_char(d[i]);
      } else {
        marks.emplace_back(ccc, d[i]);
      }
    }
  };

  size_t pos = 0;
  while (pos < text.size()) {
    if (special_first_byte_[static_cast<unsigned char>(text[pos])]) {
      const std::pair<std::string, int64_t>* best = nullptr;
      for (const auto& s : specials_)
        if (text.compare(pos, s.first.size(), s.first) == 0 &&
            (!best || s.first.size() > best->first.size()))
          best = &s;
      if (best) {
        boundary();
        on_special(best->second);
        pos += best->first.size();
        continue;
      }
    }
    const unsigned char byte = static_cast<unsigned char>(text[pos]);
    if (byte >= 'a' && byte <= 'z') {  // fast path: nothing changes a lowercase ASCII letter
      flush_marks();
      word.push_back(static_cast<char>(byte));
      ++chars;
      ++pos;
      continue;
    }
    const char32_t c = detail::next_codepoint(text, &pos);
    const uint16_t f = char_flags(c);
    if (clean_ && (f & detail::kFlagCleanDrop)) continue;  // clean_text
    if (clean_ && (f & detail::kFlagCleanSpace)) {
      boundary();
      continue;
    }
    if (chinese_ && (f & detail::kFlagChinese)) {  // " c ": a word of its own
      boundary();
      normalize_char(c);
      boundary();
      continue;
    }
    normalize_char(c);
  }
  boundary();
}

// huggingface/tokenizers tokenizers/src/models/wordpiece/mod.rs (WordPiece::tokenize):
// greedy longest-match-first; a word with an unmatched rest is a single [UNK].
void WordPieceTokenizer::wordpiece(std::string_view word,
                                   size_t chars,
                                   std::vector<int64_t>& out) const {
  auto unknown = [&] {
    if (special_.unk < 0)
      throw std::invalid_argument("WordPiece: '" + std::string(word) + "' needs " +
                                  settings_.unk_token + ", which the vocabulary lacks");
    out.push_back(special_.unk);
  };
  if (chars > settings_.max_input_chars_per_word) {
    unknown();
    return;
  }
  const size_t first = out.size();
  size_t start = 0;
  while (start < word.size()) {
    size_t end = word.size();
    int64_t id = -1;
    while (start < end) {
      const std::string_view piece = word.substr(start, end - start);
      id = start == 0 ? vocab_.find(piece) : vocab_.find_continuation(piece);
      if (id >= 0) break;
      do --end;  // back to the previous char boundary
      while (end > start && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80);
    }
    if (id < 0) {
      out.resize(first);
      unknown();
      return;
    }
    out.push_back(id);
    start = end;
  }
}

std::vector<int64_t> WordPieceTokenizer::tokenize(std::string_view text) const {
  std::vector<int64_t> ids;
  ids.reserve(text.size() / 3 + 4);
  split(
      text,
      [&](std::string_view word, size_t chars) { wordpiece(word, chars, ids); },
      [&](int64_t id) { ids.push_back(id); });
  return ids;
}

std::vector<std::string> WordPieceTokenizer::pre_tokenize(std::string_view text) const {
  std::vector<std::string> words;
  split(
      text,
      [&](std::string_view word, size_t) { words.emplace_back(word); },
      [&](int64_t id) { words.push_back(vocab_.token(id)); });
  return words;
}

}  // namespace sentzoo
