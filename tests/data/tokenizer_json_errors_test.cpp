// Every refusal of the tokenizer.json reader names the file, the JSON key and the value found:
// each case edits one key of a valid file written by Hugging Face tokenizers
// (tests/fixtures/tokenizer/json/tiny_bert_uncased.json) and checks the message; a real BPE
// tokenizer.json written by the same library is refused through the factory.
#include <gtest/gtest.h>

#include "core/json_text.h"
#include "data/tokenizer_json.h"
#include "tests/data/tokenizer_test_util.h"

namespace sentzoo {
namespace {

using nlohmann::json;

struct Edit {
  std::string pointer;  // JSON pointer of the edited value
  json value;           // the new value; a discarded json removes the key
  std::string want;     // the message after "tokenizer.json: "
};

const json kRemove = json(json::value_t::discarded);

json base() {
  return read_json_file(
      (testing::fixture_dir() / "tokenizer" / "json" / "tiny_bert_uncased.json").string());
}

std::string refusal(const Edit& e) {
  json j = base();
  if (e.value.is_discarded()) {
    const json::json_pointer p(e.pointer);
    json& parent = j.at(p.parent_pointer());
    if (parent.is_array())
      parent.erase(std::stoul(p.back()));
    else
      parent.erase(p.back());
  } else {
    j[json::json_pointer(e.pointer)] = e.value;
  }
  return testing::error_of([&] { tokenizer_from_json(j, "dir/tokenizer.json"); });
}

TEST(TokenizerJsonErrors, TheUneditedFileIsRead) {
  EXPECT_EQ(testing::error_of([] { tokenizer_from_json(base(), "dir/tokenizer.json"); }), "");
}

TEST(TokenizerJsonErrors, EachRefusalNamesFileKeyAndValue) {
  const json nfd_seq = {
      {"type", "Sequence"},
      {"normalizers", {{{"type", "NFD"}}, {{"type", "Lowercase"}}, {{"type", "StripAccents"}}}}};
  const json ws_punct_removed = {
      {"type", "Sequence"},
      {"pretokenizers",
       {{{"type", "WhitespaceSplit"}}, {{"type", "Punctuation"}, {"behavior", "Removed"}}}}};
  const json extra_token = {{"id", 70},
                            {"content", "<new>"},
                            {"single_word", false},
                            {"lstrip", false},
                            {"rstrip", false},
                            {"normalized", false},
                            {"special", true}};
  const std::vector<Edit> edits = {
      {"/model/type", "BPE", "model.type: expected \"WordPiece\", found \"BPE\" (sentzoo reads"},
      {"/model/type", "Unigram", "model.type: expected \"WordPiece\", found \"Unigram\""},
      {"/model/vocab/hello", 9999, "model.vocab.\"hello\": expected an id in [0, "},
      {"/model/vocab/hello", -1, "model.vocab.\"hello\": expected an id in [0, "},
      {"/model/vocab/hello", 0, "model.vocab.\"hello\": expected an id no other token has"},
      {"/model/vocab", json::object(), "model.vocab: expected a non-empty object, found {}"},
      {"/model/unk_token", 5, "model.unk_token: expected a string, found 5"},
      {"/model/max_input_chars_per_word", "x", "max_input_chars_per_word: expected an integer"},
      {"/model/continuing_subword_prefix",
       kRemove,
       "model.continuing_subword_prefix: expected a value, found nothing"},
      {"/model/dropout", 0.1, "model.dropout: expected no such key, found 0.1"},
      {"/version", "2.0", "version: expected \"1.0\", found \"2.0\""},
      {"/extra", 1, "extra: expected no such key, found 1"},
      {"/normalizer/type", "NFKC", "normalizer.type: expected \"BertNormalizer\", \"Lowercase\""},
      {"/normalizer",
       nfd_seq,
       "normalizer.normalizers: expected at most one normalizer, found 3 (NFD, Lowercase, "
       "StripAccents)"},
      {"/normalizer",
       {{"type", "Sequence"}, {"normalizers", {{{"type", "StripAccents"}}}}},
       "normalizer.normalizers[0].type: expected \"BertNormalizer\", \"Lowercase\" or "
       "\"Sequence\", found \"StripAccents\""},
      {"/normalizer/strip_accents",
       "yes",
       "normalizer.strip_accents: expected true, false or null, found \"yes\""},
      {"/normalizer/lowercase", kRemove, "normalizer.lowercase: expected a value, found nothing"},
      {"/pre_tokenizer",
       {{"type", "Whitespace"}},
       "pre_tokenizer.type: expected \"BertPreTokenizer\" or \"Sequence\", found \"Whitespace\""},
      {"/pre_tokenizer", {{"type", "ByteLevel"}}, "found \"ByteLevel\""},
      {"/pre_tokenizer", nullptr, "pre_tokenizer: expected a pre-tokenizer, found null"},
      {"/pre_tokenizer",
       ws_punct_removed,
       "pre_tokenizer.pretokenizers[1].behavior: expected \"Isolated\", found \"Removed\""},
      {"/pre_tokenizer",
       {{"type", "Sequence"}, {"pretokenizers", {{{"type", "WhitespaceSplit"}}}}},
       "pre_tokenizer.pretokenizers[0].type: expected \"BertPreTokenizer\" or \"Sequence\", "
       "found \"WhitespaceSplit\""},
      {"/post_processor",
       nullptr,
       "post_processor: expected TemplateProcessing or BertProcessing, found null"},
      {"/post_processor", {{"type", "RobertaProcessing"}}, "found \"RobertaProcessing\""},
      {"/post_processor",
       {{"type", "BertProcessing"}, {"sep", {"[SEP]", 3}}, {"cls", {"[CLS]", 9}}},
       "post_processor.cls: expected the id of \"[CLS]\" in model.vocab (2), found [\"[CLS]\",9]"},
      {"/post_processor/pair/3/Sequence/type_id",
       0,
       "post_processor.pair[3].Sequence.type_id: expected 1, found 0"},
      {"/post_processor/pair/1/Sequence/id",
       "B",
       "post_processor.pair[1].Sequence.id: expected \"A\", found \"B\""},
      {"/post_processor/single/2", kRemove, "post_processor.single: expected 3 pieces"},
      {"/post_processor/special_tokens/[CLS]/ids",
       {2, 3},
       "post_processor.special_tokens.[CLS].ids: expected one id, found [2,3]"},
      {"/post_processor/special_tokens/[CLS]/ids",
       {7},
       "post_processor.special_tokens.[CLS].ids: expected [2] (the id of \"[CLS]\" in "
       "model.vocab), found [7]"},
      {"/added_tokens/0/lstrip", true, "added_tokens[0].lstrip: expected false, found true"},
      {"/added_tokens/0/normalized",
       true,
       "added_tokens[0].normalized: expected false, found true"},
      {"/added_tokens/0/id",
       7,
       "added_tokens[0].id: expected 0 (the id of \"[PAD]\" in model.vocab), found 7"},
      {"/added_tokens/-",
       extra_token,
       "added_tokens[5].id: expected a token of model.vocab (\"<new>\" is not one), found 70"},
      {"/padding/pad_id",
       5,
       "padding.pad_id: expected 0 (the id of \"[PAD]\" in model.vocab), "
       "found 5"},
      {"/truncation", "yes", "truncation: expected null or an object, found \"yes\""},
  };
  for (const Edit& e : edits) {
    const std::string message = refusal(e);
    EXPECT_EQ(message.rfind("dir/tokenizer.json: ", 0), 0u) << e.pointer << ": " << message;
    EXPECT_NE(message.find(e.want), std::string::npos)
        << e.pointer << " = " << e.value.dump() << "\n  got:  " << message
        << "\n  want: " << e.want;
  }
}

TEST(TokenizerJsonErrors, ARealBpeFileIsRefusedThroughTheFactory) {
  const auto path = testing::fixture_dir() / "tokenizer" / "json" / "tiny_bpe.json";
  const std::string message = testing::error_of([&] { load_tokenizer(path); });
  EXPECT_NE(message.find(path.string() + ": model.type: expected \"WordPiece\", found \"BPE\""),
            std::string::npos)
      << message;
  EXPECT_NE(testing::error_of([] {
              tokenizer_from_json(json::array(), "t.json");
            }).find("t.json: (top level): expected an object, found []"),
            std::string::npos);
}

}  // namespace
}  // namespace sentzoo
