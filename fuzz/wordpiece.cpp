// Fuzz target: the WordPiece path (data/wordpiece.h, vocab.h, tokenizer.h, unicode.h): BERT
// normalization, pre-tokenization, WordPiece and the pair template with truncation.
// Input (FuzzedDataProvider): option bits, max_length, which vocabulary (bert-base-uncased or
// bert-base-chinese from $SENTZOO_DATA/vocab, a tiny built-in one, or vocabulary lines taken
// from the input itself), then text a and text b.
#include <fuzzer/FuzzedDataProvider.h>

#include <fstream>
#include <memory>
#include <vector>

#include "data/wordpiece.h"
#include "fuzz/fuzz_input.h"

namespace {

using namespace sentzoo;

std::vector<std::string> tiny_vocab() {
  return {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "##b", "##a", "the",
          "un",    "##aff", "##able", "中", "国", "é", "##é", ",", ".", "!"};
}

// Vocabularies by kind and by options; built once (loading 30k lines per input would dominate).
struct Tokenizers {
  std::vector<std::unique_ptr<WordPieceTokenizer>> all;  // [vocab * 8 + option bits]
};

Tokenizers& tokenizers() {
  static Tokenizers t = [] {
    Tokenizers t;
    std::vector<std::vector<std::string>> vocabs;
    for (const char* file : {"vocab/bert-base-uncased-vocab.txt", "vocab/bert-base-chinese-vocab.txt"}) {
      const std::string path = fuzz::data_file(file);
      std::vector<std::string> tokens;
      if (!path.empty()) tokens = Vocab::load(path).tokens();
      vocabs.push_back(tokens.empty() ? tiny_vocab() : tokens);
    }
    vocabs.push_back(tiny_vocab());
    for (const auto& v : vocabs)
      for (int bits = 0; bits < 8; ++bits) {
        TokenizerOptions o;
        o.lowercase = bits & 1;
        if (bits & 2) o.strip_accents = !o.lowercase;
        o.tokenize_chinese_chars = !(bits & 4);
        t.all.push_back(std::make_unique<WordPieceTokenizer>(Vocab(v), o));
      }
    return t;
  }();
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const int bits = in.ConsumeIntegralInRange(0, 7);
  const int vocab = in.ConsumeIntegralInRange(0, 3);
  const int64_t max_length = in.ConsumeIntegralInRange<int64_t>(0, 600);
  const auto truncation = static_cast<Truncation>(in.ConsumeIntegralInRange(0, 2));
  std::unique_ptr<WordPieceTokenizer> own;
  const WordPieceTokenizer* tok = nullptr;
  if (vocab == 3) {  // vocabulary lines from the input: empty, duplicate, "##" tokens...
    std::vector<std::string> lines;
    const std::string text = in.ConsumeRandomLengthString(2000);
    size_t start = 0;
    while (start <= text.size() && lines.size() < 200) {
      const size_t nl = std::min(text.find('\n', start), text.size());
      lines.push_back(text.substr(start, nl - start));
      start = nl + 1;
    }
    TokenizerOptions o;
    o.lowercase = bits & 1;
    own = std::make_unique<WordPieceTokenizer>(Vocab(std::move(lines)), o);
    tok = own.get();
  } else {
    tok = tokenizers().all[static_cast<size_t>(vocab * 8 + bits)].get();
  }
  const std::string a = in.ConsumeRandomLengthString();
  const std::string b = in.ConsumeRemainingBytesAsString();
  sentzoo::fuzz::expect_handled([&] {
    const auto ids = tok->tokenize(a);
    for (const int64_t id : ids)
      if (id < 0 || id >= tok->vocab_size()) std::abort();  // every id names a token
    (void)tok->pre_tokenize(a);
    (void)tok->ids_to_tokens(ids);
  });
  sentzoo::fuzz::expect_handled([&] {
    const Encoding e = tok->encode_pair(a, b, max_length, truncation);
    if (max_length > 0 && static_cast<int64_t>(e.ids.size()) > max_length) std::abort();
    if (e.ids.size() != e.type_ids.size()) std::abort();
  });
  sentzoo::fuzz::expect_handled([&] {
    const Encoding e = tok->encode(b, max_length);
    if (max_length > 0 && static_cast<int64_t>(e.ids.size()) > max_length) std::abort();
  });
  return 0;
}
