#pragma once
// Per-codepoint tables of Hugging Face tokenizers' BertNormalizer and BertPreTokenizer, generated
// by tools/reference/gen_unicode_tables.py (probing tokenizers 0.19.1) into unicode_tables.cpp.
// Ranges are inclusive and sorted; mappings are sorted by codepoint.

#include <cstddef>
#include <cstdint>

namespace sentzoo::detail {

struct CodepointRange {
  uint32_t first;
  uint32_t last;
};

struct CodepointMapping {
  uint32_t cp;
  uint8_t length;   // number of output codepoints, 1..4
  uint32_t out[4];  // e.g. U+00C9 -> {U+0045, U+0301} (NFD)
};

struct CombiningClass {
  uint32_t cp;
  uint8_t ccc;  // canonical combining class, 1..240
};

extern const CodepointRange kCleanDrop[];          // removed by clean_text (NUL, U+FFFD, Cc, Cf..)
extern const CodepointRange kCleanSpace[];         // turned into ' ' by clean_text
extern const CodepointRange kChineseChar[];        // padded with spaces (BERT's CJK ranges)
extern const CodepointRange kPreTokenizerSpace[];  // split on and dropped by BertPreTokenizer
extern const CodepointRange kPunctuation[];        // isolated by BertPreTokenizer
extern const CodepointRange kNonspacingMark[];     // removed by strip_accents after NFD (Mn)
extern const CodepointMapping kDecomposition[];    // NFD, when it changes the char (no Hangul)
extern const CombiningClass kCombiningClass[];     // non-zero classes known to the NFD crate
extern const CodepointMapping kLowercase[];        // lowercase, when it changes the char
extern const size_t kCleanDropSize, kCleanSpaceSize, kChineseCharSize, kPreTokenizerSpaceSize,
    kPunctuationSize, kNonspacingMarkSize, kDecompositionSize, kCombiningClassSize, kLowercaseSize;

}  // namespace sentzoo::detail
