// tokenizer.json -> WordPieceTokenizer (data/tokenizer_json.h). Field names and defaults follow
// huggingface/tokenizers 0.19.1 (tokenizers/src/tokenizer/serialization.rs, models/wordpiece,
// normalizers/bert.rs, pre_tokenizers/bert.rs, processors/template.rs and bert.rs,
// tokenizer/added_vocabulary.rs). Each accepted setting maps onto one WordPieceSettings field;
// every other value is refused by name, because a tokenizer that is almost Hugging Face's gives
// silently different ids.
#include "data/tokenizer_json.h"

#include <fmt/format.h>

#include <set>
#include <stdexcept>

#include "core/json_text.h"

namespace sentzoo {

namespace {

using nlohmann::json;

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void refuse(const std::string& key,
                           const std::string& expected,
                           const std::string& found,
                           const std::string& why = "") const {
    throw std::runtime_error(fmt::format("{}: {}: expected {}, found {}{}",
                                         file_,
                                         key,
                                         expected,
                                         found,
                                         why.empty() ? "" : " (" + why + ")"));
  }
  [[noreturn]] void refuse(const std::string& key,
                           const std::string& expected,
                           const json& found,
                           const std::string& why = "") const {
    refuse(key, expected, excerpt(found.dump()), why);
  }

  // `j` is an object whose keys are all in `known`.
  void object(const json& j, const std::string& key, const std::set<std::string>& known) const {
    if (!j.is_object()) refuse(key.empty() ? "(top level)" : key, "an object", j);
    for (const auto& item : j.items())
      if (!known.count(item.key()))
        refuse(join(key, item.key()),
               "no such key",
               item.value(),
               "tokenizers 0.19.1 writes no such field; sentzoo cannot tell what it changes");
  }
  const json& at(const json& j, const std::string& key, const std::string& name) const {
    if (!j.contains(name)) refuse(join(key, name), "a value", std::string("nothing"));
    return j.at(name);
  }
  bool boolean(const json& j, const std::string& key, const std::string& name) const {
    const json& v = at(j, key, name);
    if (!v.is_boolean()) refuse(join(key, name), "true or false", v);
    return v.get<bool>();
  }
  std::string string(const json& j, const std::string& key, const std::string& name) const {
    const json& v = at(j, key, name);
    if (!v.is_string()) refuse(join(key, name), "a string", v);
    return v.get<std::string>();
  }
  int64_t integer(const json& j, const std::string& key, const std::string& name) const {
    const json& v = at(j, key, name);
    if (!v.is_number_integer() || v.get<int64_t>() < 0)
      refuse(join(key, name), "an integer >= 0", v);
    return v.get<int64_t>();
  }
  // The "type" of an object, which must be one of `accepted`.
  std::string type(const json& j,
                   const std::string& key,
                   const std::string& accepted,
                   const std::string& why) const {
    if (!j.is_object()) refuse(key, "an object with a \"type\"", j);
    const std::string t = string(j, key, "type");
    if (accepted.find("\"" + t + "\"") == std::string::npos)
      refuse(join(key, "type"), accepted, "\"" + excerpt(t) + "\"", why);
    return t;
  }
  static std::string join(const std::string& key, const std::string& name) {
    return key.empty() ? name : key + "." + name;
  }

 private:
  std::string file_;
};

const char* const kNormalizerWhy =
    "sentzoo reproduces BertNormalizer, Lowercase, no normalizer, or a Sequence of one of them; "
    "NFD alone keeps decomposed text, StripAccents drops Mc and Me marks too where "
    "BertNormalizer's strip_accents drops only Mn, and the NFC/NFKC/Replace/Prepend/Strip "
    "normalizers have no sentzoo equivalent";

// BertNormalizer, Lowercase or null; a Sequence of at most one of them.
void read_normalizer(const Reader& r, const json& j, const std::string& key, WordPieceSettings& s) {
  s.clean_text = s.handle_chinese_chars = s.strip_accents = s.lowercase = false;
  if (j.is_null()) return;
  const std::string t =
      r.type(j, key, "\"BertNormalizer\", \"Lowercase\" or \"Sequence\"", kNormalizerWhy);
  if (t == "Lowercase") {
    r.object(j, key, {"type"});
    s.lowercase = true;
  } else if (t == "Sequence") {
    r.object(j, key, {"type", "normalizers"});
    const json& list = r.at(j, key, "normalizers");
    if (!list.is_array()) r.refuse(key + ".normalizers", "an array", list);
    if (list.size() > 1) {
      std::string types;
      for (const auto& n : list) {
        const bool named = n.is_object() && n.contains("type") && n["type"].is_string();
        types += (types.empty() ? "" : ", ") + (named ? n["type"].get<std::string>() : "?");
      }
      r.refuse(key + ".normalizers",
               "at most one normalizer",
               fmt::format("{} ({})", list.size(), types),
               kNormalizerWhy);
    }
    if (list.size() == 1) read_normalizer(r, list[0], key + ".normalizers[0]", s);
  } else {
    r.object(j, key, {"type", "clean_text", "handle_chinese_chars", "strip_accents", "lowercase"});
    s.clean_text = r.boolean(j, key, "clean_text");
    s.handle_chinese_chars = r.boolean(j, key, "handle_chinese_chars");
    s.lowercase = r.boolean(j, key, "lowercase");
    const json& strip = r.at(j, key, "strip_accents");
    if (!strip.is_null() && !strip.is_boolean())
      r.refuse(key + ".strip_accents", "true, false or null", strip);
    // null follows lowercase (normalizers/bert.rs: strip_accents.unwrap_or(lowercase)).
    s.strip_accents = strip.is_null() ? s.lowercase : strip.get<bool>();
  }
}

// BertPreTokenizer splits on char::is_whitespace (removed) and isolates is_bert_punc chars;
// WhitespaceSplit + Punctuation(Isolated) use the same two predicates (pre_tokenizers/bert.rs,
// whitespace.rs, punctuation.rs), so that Sequence is the same pre-tokenizer.
void read_pre_tokenizer(const Reader& r, const json& j, const std::string& key) {
  const char* why =
      "sentzoo splits as BertPreTokenizer: whitespace removed, each punctuation char a word of "
      "its own; Whitespace keeps runs like \"...\" together, WhitespaceSplit alone keeps "
      "punctuation inside words, ByteLevel/Metaspace/Split/Digits belong to other models";
  if (j.is_null()) r.refuse(key, "a pre-tokenizer", j, why);
  const std::string t = r.type(j, key, "\"BertPreTokenizer\" or \"Sequence\"", why);
  if (t == "BertPreTokenizer") {
    r.object(j, key, {"type"});
    return;
  }
  r.object(j, key, {"type", "pretokenizers"});
  const json& list = r.at(j, key, "pretokenizers");
  if (!list.is_array()) r.refuse(key + ".pretokenizers", "an array", list);
  if (list.size() == 1) return read_pre_tokenizer(r, list[0], key + ".pretokenizers[0]");
  if (list.size() != 2)
    r.refuse(key + ".pretokenizers", "[WhitespaceSplit, Punctuation]", list, why);
  const std::string k0 = key + ".pretokenizers[0]", k1 = key + ".pretokenizers[1]";
  r.type(list[0], k0, "\"WhitespaceSplit\"", why);
  r.object(list[0], k0, {"type"});
  r.type(list[1], k1, "\"Punctuation\"", why);
  r.object(list[1], k1, {"type", "behavior"});
  const std::string behavior = r.string(list[1], k1, "behavior");
  if (behavior != "Isolated") r.refuse(k1 + ".behavior", "\"Isolated\"", list[1]["behavior"], why);
}

// One {"SpecialToken": {"id", "type_id"}} or {"Sequence": {"id", "type_id"}} piece of a template.
void expect_piece(const Reader& r,
                  const json& piece,
                  const std::string& key,
                  const std::string& kind,
                  const std::string& id,  // "A"/"B" for a Sequence, "" = any special token
                  int64_t type_id,
                  std::string* special_name) {
  if (!piece.is_object() || piece.size() != 1 || !piece.contains(kind))
    r.refuse(key,
             fmt::format("{{\"{}\": ...}}", kind),
             piece,
             "sentzoo encodes [CLS] A [SEP] (B [SEP])");
  const json& p = piece.at(kind);
  const std::string k = key + "." + kind;
  r.object(p, k, {"id", "type_id"});
  const std::string got = r.string(p, k, "id");
  if (!id.empty() && got != id) r.refuse(k + ".id", "\"" + id + "\"", p.at("id"));
  if (r.integer(p, k, "type_id") != type_id)
    r.refuse(k + ".type_id",
             std::to_string(type_id),
             p.at("type_id"),
             "sentzoo's type ids are 0 for [CLS] A [SEP] and 1 for B [SEP]");
  if (special_name) *special_name = got;
}

// The token of a one-token entry of TemplateProcessing's special_tokens, checked against the
// vocabulary.
std::string template_token(const Reader& r,
                           const json& specials,
                           const std::string& name,
                           const Vocab& vocab) {
  const std::string k = "post_processor.special_tokens." + name;
  if (!specials.contains(name)) r.refuse(k, "an entry", std::string("nothing"));
  const json& e = specials.at(name);
  r.object(e, k, {"id", "ids", "tokens"});
  const json &ids = r.at(e, k, "ids"), &tokens = r.at(e, k, "tokens");
  if (!ids.is_array() || ids.size() != 1 || !ids[0].is_number_integer())
    r.refuse(k + ".ids", "one id", ids, "sentzoo's [CLS]/[SEP] are one token each");
  if (!tokens.is_array() || tokens.size() != 1 || !tokens[0].is_string())
    r.refuse(k + ".tokens", "one token", tokens);
  const std::string token = tokens[0];
  if (vocab.find(token) != ids[0].get<int64_t>())
    r.refuse(
        k + ".ids",
        fmt::format("[{}] (the id of \"{}\" in model.vocab)", vocab.find(token), excerpt(token)),
        ids);
  return token;
}

void read_post_processor(const Reader& r, const json& j, const Vocab& vocab, WordPieceSettings& s) {
  const std::string key = "post_processor";
  const char* why = "sentzoo encodes [CLS] A [SEP] and [CLS] A [SEP] B [SEP], type ids 0 then 1";
  if (j.is_null()) r.refuse(key, "TemplateProcessing or BertProcessing", j, why);
  const std::string t = r.type(j, key, "\"TemplateProcessing\" or \"BertProcessing\"", why);
  if (t == "BertProcessing") {  // processors/bert.rs: {"sep": [token, id], "cls": [token, id]}
    r.object(j, key, {"type", "sep", "cls"});
    for (const char* name : {"cls", "sep"}) {
      const json& v = r.at(j, key, name);
      const std::string k = key + "." + name;
      if (!v.is_array() || v.size() != 2 || !v[0].is_string() || !v[1].is_number_integer())
        r.refuse(k, "[token, id]", v);
      const std::string token = v[0];
      if (vocab.find(token) != v[1].get<int64_t>())
        r.refuse(
            k,
            fmt::format("the id of \"{}\" in model.vocab ({})", excerpt(token), vocab.find(token)),
            v);
      (std::string(name) == "cls" ? s.cls_token : s.sep_token) = token;
    }
    return;
  }
  r.object(j, key, {"type", "single", "pair", "special_tokens"});
  const json &single = r.at(j, key, "single"), &pair = r.at(j, key, "pair");
  if (!single.is_array() || single.size() != 3)
    r.refuse(key + ".single", "3 pieces ([CLS] A [SEP])", single, why);
  if (!pair.is_array() || pair.size() != 5)
    r.refuse(key + ".pair", "5 pieces ([CLS] A [SEP] B [SEP])", pair, why);
  std::string cls, sep, cls2, sep2, sep3;
  expect_piece(r, single[0], key + ".single[0]", "SpecialToken", "", 0, &cls);
  expect_piece(r, single[1], key + ".single[1]", "Sequence", "A", 0, nullptr);
  expect_piece(r, single[2], key + ".single[2]", "SpecialToken", "", 0, &sep);
  expect_piece(r, pair[0], key + ".pair[0]", "SpecialToken", cls, 0, &cls2);
  expect_piece(r, pair[1], key + ".pair[1]", "Sequence", "A", 0, nullptr);
  expect_piece(r, pair[2], key + ".pair[2]", "SpecialToken", sep, 0, &sep2);
  expect_piece(r, pair[3], key + ".pair[3]", "Sequence", "B", 1, nullptr);
  expect_piece(r, pair[4], key + ".pair[4]", "SpecialToken", sep, 1, &sep3);
  const json& specials = r.at(j, key, "special_tokens");
  if (!specials.is_object()) r.refuse(key + ".special_tokens", "an object", specials);
  s.cls_token = template_token(r, specials, cls, vocab);
  s.sep_token = template_token(r, specials, sep, vocab);
}

// model.vocab as the token list of ids 0..n-1.
std::vector<std::string> read_vocab(const Reader& r, const json& v) {
  if (!v.is_object() || v.empty()) r.refuse("model.vocab", "a non-empty object", v);
  std::vector<std::string> tokens(v.size());
  std::vector<bool> seen(v.size(), false);
  for (const auto& item : v.items()) {
    const json& id = item.value();
    const std::string k = "model.vocab.\"" + excerpt(item.key()) + "\"";
    if (!id.is_number_integer() || id.get<int64_t>() < 0 ||
        id.get<int64_t>() >= static_cast<int64_t>(v.size()))
      r.refuse(k, fmt::format("an id in [0, {}) (ids must be 0..n-1)", v.size()), id);
    const size_t i = id.get<size_t>();
    if (seen[i])
      r.refuse(k,
               "an id no other token has (ids must be 0..n-1)",
               id,
               fmt::format("\"{}\" has it too", excerpt(tokens[i])));
    seen[i] = true;
    tokens[i] = item.key();
  }
  return tokens;
}

}  // namespace

std::unique_ptr<WordPieceTokenizer> tokenizer_from_json(const json& j, const std::string& file) {
  const Reader r(file);
  r.object(j,
           "",
           {"version",
            "truncation",
            "padding",
            "added_tokens",
            "normalizer",
            "pre_tokenizer",
            "post_processor",
            "decoder",
            "model"});
  if (r.string(j, "", "version") != "1.0") r.refuse("version", "\"1.0\"", j.at("version"));

  // ---- model
  const json& m = r.at(j, "", "model");
  r.type(m,
         "model",
         "\"WordPiece\"",
         "sentzoo reads WordPiece tokenizer.json files; BPE, Unigram and WordLevel models are not "
         "supported, use the model's vocab.txt or SentencePiece .model if it has one");
  r.object(m,
           "model",
           {"type", "unk_token", "continuing_subword_prefix", "max_input_chars_per_word", "vocab"});
  WordPieceSettings s;
  s.unk_token = r.string(m, "model", "unk_token");
  s.max_input_chars_per_word =
      static_cast<size_t>(r.integer(m, "model", "max_input_chars_per_word"));
  Vocab vocab(read_vocab(r, r.at(m, "model", "vocab")),
              r.string(m, "model", "continuing_subword_prefix"));

  // ---- normalizer, pre-tokenizer, post-processor
  read_normalizer(r, r.at(j, "", "normalizer"), "normalizer", s);
  read_pre_tokenizer(r, r.at(j, "", "pre_tokenizer"), "pre_tokenizer");
  read_post_processor(r, r.at(j, "", "post_processor"), vocab, s);

  // ---- added tokens: extracted from the raw text before normalizing (added_vocabulary.rs)
  const json& added = r.at(j, "", "added_tokens");
  if (!added.is_array()) r.refuse("added_tokens", "an array", added);
  s.added_tokens.clear();
  for (size_t i = 0; i < added.size(); ++i) {
    const std::string k = fmt::format("added_tokens[{}]", i);
    const json& a = added[i];
    r.object(a, k, {"id", "content", "single_word", "lstrip", "rstrip", "normalized", "special"});
    const std::string content = r.string(a, k, "content");
    const int64_t id = r.integer(a, k, "id");
    r.boolean(a, k, "special");  // special or not, both are matched the same way
    if (vocab.find(content) != id)
      r.refuse(
          k + ".id",
          vocab.find(content) < 0
              ? fmt::format("a token of model.vocab (\"{}\" is not one)", excerpt(content))
              : fmt::format(
                    "{} (the id of \"{}\" in model.vocab)", vocab.find(content), excerpt(content)),
          a.at("id"),
          "sentzoo reads added tokens that are in the WordPiece vocabulary");
    for (const char* flag : {"single_word", "lstrip", "rstrip", "normalized"})
      if (r.boolean(a, k, flag))
        r.refuse(k + "." + flag,
                 "false",
                 a.at(flag),
                 "sentzoo matches added tokens verbatim in the raw text");
    s.added_tokens.push_back(content);
  }

  // ---- padding: only its pad token is used (see the header); truncation is not applied
  const json& padding = r.at(j, "", "padding");
  if (padding.is_object() && padding.contains("pad_token")) {
    const std::string pad = r.string(padding, "padding", "pad_token");
    if (vocab.find(pad) != r.integer(padding, "padding", "pad_id"))
      r.refuse("padding.pad_id",
               fmt::format("{} (the id of \"{}\" in model.vocab)", vocab.find(pad), excerpt(pad)),
               padding.at("pad_id"));
    s.pad_token = pad;
  } else if (!padding.is_null() && !padding.is_object()) {
    r.refuse("padding", "null or an object", padding);
  }
  const json& truncation = r.at(j, "", "truncation");
  if (!truncation.is_null() && !truncation.is_object())
    r.refuse("truncation", "null or an object", truncation);
  return std::make_unique<WordPieceTokenizer>(std::move(vocab), std::move(s));
}

std::unique_ptr<WordPieceTokenizer> load_tokenizer_json(const std::filesystem::path& path) {
  return tokenizer_from_json(read_json_file(path.string()), path.string());
}

std::string vocab_txt_of(const WordPieceTokenizer& tokenizer) {
  std::string out;
  for (const auto& token : tokenizer.vocab().tokens()) {
    // vocab.txt readers split on '\n' and drop a trailing '\r' (data/vocab.h).
    if (token.find('\n') != std::string::npos || (!token.empty() && token.back() == '\r'))
      throw std::runtime_error(fmt::format(
          "token \"{}\" holds a line break and cannot be written to a vocab.txt", excerpt(token)));
    out += token;
    out += '\n';
  }
  return out;
}

}  // namespace sentzoo
