// Character classes and per-char mappings of BERT's normalizer (data/unicode.h).
#include "data/unicode.h"

#include <algorithm>
#include <vector>

#include "data/unicode_tables.h"

namespace sentzoo::detail {
namespace {

constexpr char32_t kMaxCodepoint = 0x10FFFF;
constexpr char32_t kHangulFirst = 0xAC00, kHangulLast = 0xD7A3;

void mark(std::vector<uint16_t>& flags, const CodepointRange* ranges, size_t n, uint16_t bit) {
  for (size_t i = 0; i < n; ++i)
    for (uint32_t cp = ranges[i].first; cp <= ranges[i].last; ++cp) flags[cp] |= bit;
}

// Two bytes per codepoint (2.2 MB), built on first use: the tokenizer's inner loop is a lookup.
const std::vector<uint16_t>& flag_table() {
  static const std::vector<uint16_t> table = [] {
    std::vector<uint16_t> f(kMaxCodepoint + 1, 0);
    mark(f, kCleanDrop, kCleanDropSize, kFlagCleanDrop);
    mark(f, kCleanSpace, kCleanSpaceSize, kFlagCleanSpace);
    mark(f, kChineseChar, kChineseCharSize, kFlagChinese);
    mark(f, kPreTokenizerSpace, kPreTokenizerSpaceSize, kFlagSpace);
    mark(f, kPunctuation, kPunctuationSize, kFlagPunct);
    mark(f, kNonspacingMark, kNonspacingMarkSize, kFlagMark);
    for (size_t i = 0; i < kDecompositionSize; ++i) f[kDecomposition[i].cp] |= kFlagDecompose;
    for (char32_t cp = kHangulFirst; cp <= kHangulLast; ++cp) f[cp] |= kFlagDecompose;
    for (size_t i = 0; i < kCombiningClassSize; ++i) f[kCombiningClass[i].cp] |= kFlagNonStarter;
    for (size_t i = 0; i < kLowercaseSize; ++i) f[kLowercase[i].cp] |= kFlagLower;
    return f;
  }();
  return table;
}

const CodepointMapping* find_mapping(const CodepointMapping* table, size_t n, char32_t cp) {
  const CodepointMapping* end = table + n;
  const CodepointMapping* it = std::lower_bound(
      table, end, cp, [](const CodepointMapping& m, char32_t c) { return m.cp < c; });
  return it != end && it->cp == cp ? it : nullptr;
}

int copy_mapping(const CodepointMapping* m, char32_t cp, char32_t* out) {
  if (!m) {
    out[0] = cp;
    return 1;
  }
  for (int i = 0; i < m->length; ++i) out[i] = m->out[i];
  return m->length;
}

}  // namespace

uint16_t char_flags(char32_t cp) { return cp <= kMaxCodepoint ? flag_table()[cp] : 0; }

char32_t next_codepoint(std::string_view text, size_t* pos) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = *pos;
  const unsigned char c = s[i];
  if (c < 0x80) {
    *pos = i + 1;
    return c;
  }
  int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (c > 0xF4) len = 0;
  if (len == 0 || i + len > n) {
    *pos = i + 1;
    return 0xFFFD;
  }
  char32_t cp = c & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    if ((s[i + k] & 0xC0) != 0x80) {
      *pos = i + 1;
      return 0xFFFD;
    }
    cp = (cp << 6) | (s[i + k] & 0x3F);
  }
  *pos = i + len;
  const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  if (overlong || cp > kMaxCodepoint || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int decompose(char32_t cp, char32_t* out) {
  if (!(char_flags(cp) & kFlagDecompose)) {
    out[0] = cp;
    return 1;
  }
  if (cp >= kHangulFirst && cp <= kHangulLast) {  // Unicode 3.12 Hangul decomposition
    const char32_t s = cp - kHangulFirst, t = s % 28;
    out[0] = 0x1100 + s / 588;
    out[1] = 0x1161 + (s % 588) / 28;
    if (t == 0) return 2;
    out[2] = 0x11A7 + t;
    return 3;
  }
  return copy_mapping(find_mapping(kDecomposition, kDecompositionSize, cp), cp, out);
}

uint8_t combining_class(char32_t cp) {
  if (!(char_flags(cp) & kFlagNonStarter)) return 0;
  const CombiningClass* end = kCombiningClass + kCombiningClassSize;
  const CombiningClass* it = std::lower_bound(
      kCombiningClass, end, cp, [](const CombiningClass& c, char32_t x) { return c.cp < x; });
  return it->ccc;
}

int lowercase(char32_t cp, char32_t* out) {
  if (cp < 0x80) {
    out[0] = (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    return 1;
  }
  if (!(char_flags(cp) & kFlagLower)) {
    out[0] = cp;
    return 1;
  }
  return copy_mapping(find_mapping(kLowercase, kLowercaseSize, cp), cp, out);
}

size_t count_codepoints(std::string_view text) {
  size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace sentzoo::detail
