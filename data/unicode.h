#pragma once
// UTF-8 decoding and the character classes of BERT's normalizer and pre-tokenizer
// (data/unicode_tables.h, measured from Hugging Face tokenizers 0.19.1).

#include <cstdint>
#include <string>
#include <string_view>

namespace sentzoo::detail {

enum CharFlag : uint16_t {
  kFlagCleanDrop = 1,     // clean_text removes it
  kFlagCleanSpace = 2,    // clean_text makes it ' '
  kFlagChinese = 4,       // handle_chinese_chars pads it
  kFlagSpace = 8,         // the pre-tokenizer splits on it
  kFlagPunct = 16,        // the pre-tokenizer isolates it
  kFlagDecompose = 32,    // NFD changes it (table or Hangul)
  kFlagLower = 64,        // lowercase changes it
  kFlagMark = 128,        // Mn: strip_accents drops it after NFD
  kFlagNonStarter = 256,  // non-zero canonical combining class: NFD may reorder it
};

/// The CharFlag bits of codepoint `cp` (0 for cp > U+10FFFF).
uint16_t char_flags(char32_t cp);

/// Decodes one codepoint at text[*pos] and advances *pos; an invalid byte gives U+FFFD.
char32_t next_codepoint(std::string_view text, size_t* pos);

/// Appends the UTF-8 encoding of `cp` to `out`.
void append_utf8(std::string& out, char32_t cp);

/// The canonical decomposition (NFD) of one char into out[0..3]; returns the count (1..4).
int decompose(char32_t cp, char32_t* out);

/// The canonical combining class of `cp` as the NFD crate knows it (0 for a starter).
uint8_t combining_class(char32_t cp);

/// Unicode lowercase of one char as Rust's char::to_lowercase (1..3 chars) into out.
int lowercase(char32_t cp, char32_t* out);

/// Number of codepoints in valid UTF-8 `text` (counts lead bytes).
size_t count_codepoints(std::string_view text);

}  // namespace sentzoo::detail
