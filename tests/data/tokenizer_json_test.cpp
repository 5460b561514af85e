// tokenizer.json files read as Hugging Face tokenizers reads them (tests/fixtures/tokenizer/json,
// made by tools/reference/gen_tokenizer_json_fixtures.py): ids, type ids and tokens of every case
// for files with BertTokenizerFast's and with non-default settings, the folder rule (the
// tokenizer.json wins), and MiniLM's shipped tokenizer.json against its vocab.txt.
#include "data/tokenizer_json.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tests/data/tokenizer_test_util.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;

fs::path json_fixture(const std::string& name) {
  return testing::fixture_dir() / "tokenizer" / "json" / (name + ".json");
}

fs::path minilm_dir() {
  const char* env = std::getenv("SENTZOO_MODELS");
  const char* home = std::getenv("HOME");
  const fs::path root = env && *env ? env : fs::path(home ? home : "") / ".cache/sentzoo/models";
  return root / "all-MiniLM-L6-v2";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fresh folder under the temp dir, removed at scope exit.
struct TempFolder {
  fs::path path =
      fs::temp_directory_path() / ("sz_tokjson_" + std::to_string(getpid()) + "_" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  TempFolder() { fs::create_directories(path); }
  ~TempFolder() { fs::remove_all(path); }
};

TEST(TokenizerJson, EveryCaseMatchesHuggingFaceTokenizers) {
  const auto cases = testing::load_tokenizer_fixture("json/cases.json");
  const auto texts = cases["texts"].get<std::vector<std::string>>();
  size_t checked = 0;
  for (const auto& [name, c] : cases["files"].items()) {
    const auto tok = load_tokenizer(json_fixture(name));  // through the factory, by extension
    ASSERT_EQ(c["ids"].size(), texts.size()) << name;
    for (size_t i = 0; i < texts.size(); ++i) {
      const std::string &text = texts[i], &other = texts[(i + 1) % texts.size()];
      const Encoding single = tok->encode(text);
      const Encoding pair = tok->encode_pair(text, other);
      EXPECT_EQ(single.ids, c["ids"][i].get<std::vector<int64_t>>()) << name << " '" << text << "'";
      EXPECT_EQ(single.type_ids, c["types"][i].get<std::vector<int64_t>>()) << name;
      EXPECT_EQ(tok->ids_to_tokens(single.ids), c["tokens"][i].get<std::vector<std::string>>())
          << name << " '" << text << "'";
      EXPECT_EQ(pair.ids, c["pair"][i].get<std::vector<int64_t>>())
          << name << " '" << text << "' / '" << other << "'";
      EXPECT_EQ(pair.type_ids, c["pair_types"][i].get<std::vector<int64_t>>()) << name;
      ++checked;
    }
  }
  EXPECT_EQ(cases["files"].size(), 6u);
  EXPECT_GE(checked, 6u * 200);
}

TEST(TokenizerJson, NonDefaultSettingsAreReadFromTheFile) {
  const auto custom = load_tokenizer_json(json_fixture("tiny_custom"));
  const WordPieceSettings& s = custom->settings();
  EXPECT_EQ(custom->vocab().continuation_prefix(), "@@");
  EXPECT_EQ(s.unk_token, "<unk>");
  EXPECT_EQ(s.max_input_chars_per_word, 8u);
  EXPECT_EQ(s.cls_token, "<s>");
  EXPECT_EQ(s.sep_token, "</s>");
  EXPECT_TRUE(s.lowercase);
  EXPECT_FALSE(s.clean_text || s.strip_accents || s.handle_chinese_chars);
  EXPECT_EQ(custom->special().cls, custom->token_to_id("<s>"));
  EXPECT_EQ(custom->special().unk, custom->token_to_id("<unk>"));
  const auto strip = load_tokenizer_json(json_fixture("tiny_cased_strip_nocjk"))->settings();
  EXPECT_TRUE(strip.clean_text && strip.strip_accents);
  EXPECT_FALSE(strip.lowercase || strip.handle_chinese_chars);
  const auto none = load_tokenizer_json(json_fixture("tiny_no_normalizer"))->settings();
  EXPECT_FALSE(none.clean_text || none.strip_accents || none.lowercase ||
               none.handle_chinese_chars);
  // padding.pad_token names the padding id; the truncation section is not applied.
  const auto uncased = load_tokenizer_json(json_fixture("tiny_bert_uncased"));
  EXPECT_EQ(uncased->special().pad, uncased->token_to_id("[PAD]"));
  EXPECT_EQ(uncased->encode("hello hello hello hello hello hello hello hello").ids.size(), 10u);
}

TEST(TokenizerJson, VocabTxtOfTheFileTokenizesTheSame) {
  // An export writes vocab.txt from the tokenizer.json; read back with the same settings it must
  // give the same ids (the vocab map is 0..n-1, so no line is lost or reordered).
  const auto cases = testing::load_tokenizer_fixture("json/cases.json");
  for (const char* name : {"tiny_bert_uncased", "tiny_custom"}) {
    const auto tok = load_tokenizer_json(json_fixture(name));
    const std::string txt = vocab_txt_of(*tok);
    std::vector<std::string> lines;
    std::stringstream in(txt);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    ASSERT_EQ(static_cast<int64_t>(lines.size()), tok->vocab_size()) << name;
    const WordPieceTokenizer back(Vocab(lines, tok->vocab().continuation_prefix()),
                                  tok->settings());
    const auto& want = cases["files"][name]["ids"];
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_EQ(back.encode(cases["texts"][i].get<std::string>()).ids,
                want[i].get<std::vector<int64_t>>());
  }
  EXPECT_THROW(vocab_txt_of(WordPieceTokenizer(Vocab({"[CLS]", "a\nb"}))), std::runtime_error);
}

TEST(TokenizerJson, FolderPrefersTokenizerJsonUnlessItHasASentencePieceModel) {
  const TempFolder dir;
  fs::copy_file(json_fixture("tiny_custom"), dir.path / "tokenizer.json");
  std::ofstream(dir.path / "vocab.txt") << "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n";
  EXPECT_EQ(find_tokenizer_file(dir.path), dir.path / "tokenizer.json");
  const auto tok = load_tokenizer(dir.path);
  EXPECT_EQ(tok->special().cls, tok->token_to_id("<s>"));  // the vocab.txt has no "<s>"
  EXPECT_GE(tok->special().cls, 0);
  EXPECT_EQ(tokenizer_kind(dir.path / "tokenizer.json"), "tokenizer_json");
  EXPECT_EQ(tokenizer_file_name("tokenizer_json"), "tokenizer.json");
  std::ofstream(dir.path / "spiece.model") << "x";
  EXPECT_EQ(find_tokenizer_file(dir.path), dir.path / "vocab.txt");
  fs::remove(dir.path / "vocab.txt");
  EXPECT_EQ(find_tokenizer_file(dir.path), dir.path / "spiece.model");
  fs::remove(dir.path / "spiece.model");
  fs::remove(dir.path / "tokenizer.json");
  const std::string e = testing::error_of([&] { load_tokenizer(dir.path); });
  EXPECT_NE(e.find("expected tokenizer.json, vocab.txt or a SentencePiece .model"),
            std::string::npos)
      << e;
}

TEST(TokenizerJson, MiniLMTokenizerJsonEqualsItsVocabTxt) {
  const fs::path dir = minilm_dir();
  if (!fs::exists(dir / "tokenizer.json") || !fs::exists(dir / "vocab.txt"))
    GTEST_SKIP() << "all-MiniLM-L6-v2 tokenizer.json/vocab.txt not found at " << dir.string()
                 << " (run scripts/fetch_models.sh or set SENTZOO_MODELS)";
  EXPECT_EQ(find_tokenizer_file(dir), dir / "tokenizer.json");
  const auto from_json = load_tokenizer_json(dir / "tokenizer.json");
  const WordPieceTokenizer from_txt(dir / "vocab.txt");  // tokenizer_config: do_lower_case true
  EXPECT_EQ(vocab_txt_of(*from_json), read_file(dir / "vocab.txt"));
  EXPECT_EQ(from_json->special().cls, from_txt.special().cls);
  EXPECT_EQ(from_json->special().sep, from_txt.special().sep);
  EXPECT_EQ(from_json->special().pad, from_txt.special().pad);
  EXPECT_EQ(from_json->special().unk, from_txt.special().unk);
  // Every text of both fixture sets; the real data sets are compared row by row in
  // tokenizer_golden_test.cpp.
  const auto rules = testing::load_tokenizer_fixture("rules.json");
  const auto cases = testing::load_tokenizer_fixture("json/cases.json");
  std::vector<std::string> texts;
  for (const auto& c : rules["cases"]) texts.push_back(c["text"]);
  for (const auto& c : rules["random"]) texts.push_back(c["text"]);
  for (const auto& t : cases["texts"]) texts.push_back(t);
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::string& b = texts[(i + 1) % texts.size()];
    EXPECT_EQ(from_json->encode_pair(texts[i], b).ids, from_txt.encode_pair(texts[i], b).ids)
        << "'" << texts[i] << "'";
  }
  EXPECT_GE(texts.size(), 1000u);
}

}  // namespace
}  // namespace sentzoo
