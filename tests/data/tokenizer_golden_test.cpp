// Every sentence of the real data sets, tokenized as Hugging Face BertTokenizerFast does
// (tests/fixtures/tokenizer/<set>.json: one FNV-1a hash per row, made by
// tools/reference/gen_tokenizer_fixtures.py), from the vocab.txt and from tokenizer.json files
// that Hugging Face tokenizers tokenizes to the same hashes (tokenizer/json/sets.json, checked by
// tools/reference/gen_tokenizer_json_fixtures.py). Needs SENTZOO_DATA; skips visibly without it.
// The rows are read by a small local parser, as the fixture script reads them (data README).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "data/tokenizer_json.h"
#include "data/wordpiece.h"
#include "tests/data/tokenizer_test_util.h"

namespace sentzoo {
namespace {

using testing::fnv1a64_hex;
using testing::join_ids;

struct Row {
  int64_t line;
  std::string a, b;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (const char c : s) {
    if (c == sep)
      out.emplace_back();
    else
      out.back().push_back(c);
  }
  return out;
}

// Quote-aware CSV fields of one line ("" is an escaped quote).
std::vector<std::string> csv_fields(const std::string& s) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted && c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
      out.back().push_back('"');
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back().push_back(c);
    }
  }
  return out;
}

std::vector<Row> read_rows(const std::filesystem::path& path, const std::string& format) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  std::vector<std::string> lines = split(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::vector<Row> rows;
  for (size_t i = 0; i < lines.size(); ++i) {
    const int64_t line = static_cast<int64_t>(i) + 1;
    if (format == "csv_header") {
      if (i == 0) continue;
      const auto f = csv_fields(lines[i]);
      rows.push_back({line, f.at(0), f.at(1)});
    } else if (format == "stsb_en") {
      const auto f = split(lines[i], '\t');
      rows.push_back({line, f.at(5), f.at(6)});
    } else if (format == "tsv3") {
      const auto f = split(lines[i], '\t');
      rows.push_back({line, f.at(0), f.at(1)});
    } else if (format == "tsv_id_header") {
      if (i == 0) continue;
      const auto f = split(lines[i], '\t');
      rows.push_back({line, f.at(1), f.at(2)});
    }
  }
  return rows;
}

std::string row_key(const Tokenizer& tok, const Row& r) {
  const Encoding p = tok.encode_pair(r.a, r.b);
  return join_ids(tok.encode(r.a).ids) + ";" + join_ids(tok.encode(r.b).ids) + ";" +
         join_ids(p.ids) + ";" + join_ids(p.type_ids);
}

std::string truncation_key(const Tokenizer& tok, const Row& r) {
  std::string key;
  for (const int64_t max_length : {16, 32}) {
    for (const Truncation t :
         {Truncation::kLongestFirst, Truncation::kOnlyFirst, Truncation::kOnlySecond}) {
      try {
        const Encoding e = tok.encode_pair(r.a, r.b, max_length, t);
        key += join_ids(e.ids) + "|" + join_ids(e.type_ids) + ";";
      } catch (const std::invalid_argument&) {
        key += "error;";
      }
    }
  }
  return key + join_ids(tok.encode(r.a, 16).ids);
}

// Compares every row of `path` (the data file of `fixture`) with the fixture's hashes.
void expect_rows_match(const Tokenizer& tok,
                       const nlohmann::json& fixture,
                       const std::filesystem::path& path) {
  const auto rows = read_rows(path, fixture["format"]);
  const auto& hashes = fixture["hashes"];
  const auto& truncation = fixture["truncation_hashes"];
  ASSERT_EQ(rows.size(), hashes.size()) << path;
  size_t mismatches = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const bool ok =
        fnv1a64_hex(row_key(tok, rows[i])) == hashes[i] &&
        (i >= truncation.size() || fnv1a64_hex(truncation_key(tok, rows[i])) == truncation[i]);
    if (!ok && ++mismatches <= 5)
      ADD_FAILURE() << path.string() << ":" << rows[i].line << ": ids differ from HF for '"
                    << rows[i].a << "' / '" << rows[i].b << "': ours " << row_key(tok, rows[i]);
  }
  EXPECT_EQ(mismatches, 0u) << "of " << rows.size() << " rows";
  for (const auto& s : fixture["samples"]) {  // readable full lists
    const Row& r =
        rows.at(std::find_if(rows.begin(),
                             rows.end(),
                             [&](const Row& x) { return x.line == s["line"].get<int64_t>(); }) -
                rows.begin());
    EXPECT_EQ(tok.encode(r.a).ids, s["a"].get<std::vector<int64_t>>()) << r.line;
    EXPECT_EQ(tok.encode(r.b).ids, s["b"].get<std::vector<int64_t>>()) << r.line;
    EXPECT_EQ(tok.encode_pair(r.a, r.b).ids, s["pair"].get<std::vector<int64_t>>()) << r.line;
    EXPECT_EQ(tok.encode_pair(r.a, r.b).type_ids, s["pair_types"].get<std::vector<int64_t>>());
  }
}

// "fixture:REL" (committed) or "models:REL" ($SENTZOO_MODELS, default ~/.cache/sentzoo/models).
std::filesystem::path tokenizer_json_path(const std::string& where) {
  const std::string rel = where.substr(where.find(':') + 1);
  if (where.rfind("fixture:", 0) == 0) return testing::fixture_dir() / rel;
  const char* env = std::getenv("SENTZOO_MODELS");
  const char* home = std::getenv("HOME");
  return (env && *env ? std::filesystem::path(env)
                      : std::filesystem::path(home ? home : "") / ".cache/sentzoo/models") /
         rel;
}

class TokenizerGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(TokenizerGolden, EveryRowMatchesHuggingFace) {
  const auto fixture = testing::load_tokenizer_fixture(GetParam() + ".json");
  SENTZOO_REQUIRE_DATA(path, fixture["file"].get<std::string>());
  const auto vocab = testing::data_root() / fixture["vocab"].get<std::string>();
  TokenizerOptions options;
  options.lowercase = fixture["lowercase"];
  expect_rows_match(WordPieceTokenizer(vocab, options), fixture, path);
}

TEST_P(TokenizerGolden, EveryRowMatchesHuggingFaceFromTokenizerJson) {
  const auto fixture = testing::load_tokenizer_fixture(GetParam() + ".json");
  SENTZOO_REQUIRE_DATA(path, fixture["file"].get<std::string>());
  const auto sets = testing::load_tokenizer_fixture("json/sets.json");
  int used = 0;
  for (const auto& entry : sets["tokenizers"]) {
    if (!entry["sets"].contains(GetParam())) continue;
    const auto file = tokenizer_json_path(entry["tokenizer_json"]);
    if (!std::filesystem::exists(file))
      GTEST_SKIP() << file.string() << " not found (run scripts/fetch_models.sh or set "
                   << "SENTZOO_MODELS)";
    expect_rows_match(*load_tokenizer_json(file), fixture, path);
    ++used;
  }
  EXPECT_EQ(used, 1) << GetParam() << " has no tokenizer.json in json/sets.json";
}

INSTANTIATE_TEST_SUITE_P(DataSets,
                         TokenizerGolden,
                         ::testing::Values("en_stsb_train",
                                           "en_stsb_dev",
                                           "en_stsb_test",
                                           "zh_stsb_train",
                                           "zh_stsb_valid",
                                           "zh_stsb_test",
                                           "lcqmc_dev",
                                           "bq_dev",
                                           "pawsx_dev",
                                           "afqmc_dev"));

}  // namespace
}  // namespace sentzoo
