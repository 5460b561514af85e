#pragma once
// Hugging Face tokenizer.json (the `tokenizers` fast-tokenizer file, format "1.0") read into
// sentzoo's WordPiece tokenizer, id for id equal to tokenizers 0.19.1. Read: model WordPiece;
// normalizer BertNormalizer, Lowercase, null, or a Sequence of one of them; pre_tokenizer
// BertPreTokenizer or its equivalent Sequence [WhitespaceSplit, Punctuation(Isolated)];
// post_processor TemplateProcessing or BertProcessing for [CLS] A [SEP] (B [SEP]) with type ids
// 0 / 1; added_tokens matched verbatim. Anything else (BPE, Unigram, ByteLevel, Metaspace, NFD
// without BertNormalizer, StripAccents, lstrip/rstrip tokens, ...) is refused with
// "FILE: KEY: expected ..., found ...". The truncation and padding sections are not applied:
// sentzoo truncates at its own max_length and pads per batch, as transformers does when it passes
// its own truncation/padding to every call (padding.pad_token only names the padding id).

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "data/wordpiece.h"

namespace sentzoo {

/// Reads a tokenizer.json (core/json_text's strict parser). Throws std::runtime_error naming the
/// file, the JSON key and the value found.
std::unique_ptr<WordPieceTokenizer> load_tokenizer_json(const std::filesystem::path& path);

/// The same from parsed JSON; `file` names the source in messages.
std::unique_ptr<WordPieceTokenizer> tokenizer_from_json(const nlohmann::json& j,
                                                        const std::string& file);

/// The vocab.txt of a WordPiece tokenizer (one token per line in id order), so exports of a
/// tokenizer.json model still carry a vocab.txt. Throws when a token holds a line break.
std::string vocab_txt_of(const WordPieceTokenizer& tokenizer);

}  // namespace sentzoo
