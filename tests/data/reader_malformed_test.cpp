// Each error class of read_dataset(): the message names path:line and what was expected and
// found; under on_error=skip the same records are skipped, counted and sampled.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "data/dataset.h"

namespace sentzoo {

namespace {

namespace fs = std::filesystem;

// Writes `bytes` to a fresh temporary file and returns its absolute path.
std::string temp_file(const std::string& name, const std::string& bytes) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::temp_directory_path() /
                       ("sentzoo_reader_" + std::to_string(::getpid()) + "_" + info->name());
  fs::create_directories(dir);
  const fs::path path = dir / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path.string();
}

// The message of the std::runtime_error that reading `spec` throws ("" when none).
std::string read_error(const std::string& spec) {
  try {
    read_dataset(parse_dataset_spec(spec));
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ReadDatasetErrors, WrongFieldCountNamesPathLineAndCounts) {
  const std::string path = temp_file("x.tsv", "a\tb\t1\nonly\ttwo\n");
  EXPECT_EQ(read_error("tsv:" + path), path + ":2: expected 3 tab-separated fields, found 2");
  const std::string stsb = temp_file("s.csv", "g\tf\ty\ti\t1.0\ts1\n");
  EXPECT_EQ(read_error("stsb:" + stsb),
            stsb + ":1: expected at least 7 tab-separated fields, found 6");
  const std::string bq = temp_file("b.csv", "sentence1,sentence2,label\na,b,1\nc,d,e,0\n");
  EXPECT_EQ(read_error("bq:" + bq), bq + ":3: expected 3 comma-separated fields, found 4");
}

TEST(ReadDatasetErrors, BadLabelNamesTheValue) {
  const std::string path = temp_file("x.tsv", "a\tb\t1\nc\td\tneutral\n");
  const std::string msg = read_error("tsv:" + path);
  EXPECT_EQ(msg.rfind(path + ":2: expected a numeric label, found 'neutral'", 0), 0u) << msg;
  const std::string nli = temp_file("n.tsv", "a\tb\tentailment\nc\td\t-\n");
  EXPECT_EQ(
      read_error("nli:" + nli),
      nli + ":2: expected a label in label_map (contradiction, entailment, neutral), found '-'");
}

TEST(ReadDatasetErrors, InvalidUtf8NamesTheByte) {
  const std::string path = temp_file("l1.txt", "fine\nBruneti\xE8re\n");
  const std::string msg = read_error("text:" + path);
  EXPECT_EQ(msg.rfind(path + ":2: expected valid UTF-8, found byte 0xE8 at byte 8", 0), 0u) << msg;
  const std::string tsv = temp_file("x.tsv", "a\tC\xE6sar\t1\n");
  EXPECT_NE(read_error("tsv:" + tsv).find(":1: expected valid UTF-8"), std::string::npos);
  // the latin1 encoding reads it
  const Dataset d = read_dataset(parse_dataset_spec("text:" + path + "?encoding=latin1"));
  ASSERT_EQ(d.texts.size(), 2u);
  EXPECT_EQ(d.texts[1].text, "Bruneti\xC3\xA8re");
}

TEST(ReadDatasetErrors, BadJsonAndMissingKeys) {
  const std::string path = temp_file("x.jsonl",
                                     "{\"text1\": \"a\", \"text2\": \"b\", \"label\": 1}\n"
                                     "{\"text1\": \"a\"\n"
                                     "[1, 2]\n"
                                     "{\"text1\": \"a\", \"label\": 1}\n"
                                     "{\"query\": \"q\", \"pos\": \"p\"}\n");
  const std::string msg = read_error("jsonl:" + path);
  EXPECT_EQ(msg.rfind(path + ":2: expected a JSON object, found invalid JSON", 0), 0u) << msg;
  const Dataset d = read_dataset(parse_dataset_spec("jsonl:" + path + "?on_error=skip"));
  EXPECT_EQ(d.pairs.size(), 1u);
  EXPECT_EQ(d.report.skipped, 4);
  ASSERT_EQ(d.report.skip_samples.size(), 4u);
  EXPECT_EQ(d.report.skip_samples[1], "line 3: expected a JSON object, found array");
  EXPECT_EQ(d.report.skip_samples[2], "line 4: expected a key 'text2', found none");
  EXPECT_EQ(d.report.skip_samples[3].rfind("line 5: expected a pair object", 0), 0u);
}

TEST(ReadDatasetErrors, UnterminatedCsvQuote) {
  const std::string path = temp_file("q.csv", "a,\"b,1\n");
  EXPECT_EQ(read_error("csv:" + path),
            path + ":1: expected a closing '\"', found the end of the file");
}

TEST(ReadDatasetErrors, MissingFileNamesTheResolvedPath) {
  const std::string msg = read_error("tsv:/nonexistent/sentzoo/x.tsv");
  EXPECT_EQ(msg.rfind("/nonexistent/sentzoo/x.tsv: no such data file", 0), 0u) << msg;
  // a relative path names both the spec path and the data root it was resolved against
  const char* old = std::getenv("SENTZOO_DATA");
  const std::string saved = old ? old : "";
  ::setenv("SENTZOO_DATA", "/nonexistent/root", 1);
  const std::string rel = read_error("tsv:zh/x.tsv");
  old ? ::setenv("SENTZOO_DATA", saved.c_str(), 1) : ::unsetenv("SENTZOO_DATA");
  EXPECT_EQ(rel,
            "/nonexistent/root/zh/x.tsv: no such data file (spec path 'zh/x.tsv' under "
            "$SENTZOO_DATA=/nonexistent/root)");
}

TEST(ReadDatasetErrors, MissingHeaderColumnListsTheHeader) {
  const std::string path = temp_file("h.tsv", "id\ts1\ts2\tlabel\n1\ta\tb\t1\n");
  EXPECT_EQ(
      read_error("pawsx:" + path),
      path + ":1: expected a column named 'sentence1' in the header, found id, s1, s2, label");
  EXPECT_EQ(read_dataset(parse_dataset_spec("pawsx:" + path + "?columns=s1,s2,label")).size(), 1u);
}

TEST(ReadDatasetErrors, SkipPolicyCountsEveryBadRecordAndKeepsTheRest) {
  std::string text;
  int bad = 0;
  for (int i = 1; i <= 30; ++i) {
    if (i % 3 == 0) {
      text += "broken line " + std::to_string(i) + "\n";  // 1 field
      ++bad;
    } else if (i % 7 == 0) {
      text += "a\tb\tx" + std::to_string(i) + "\n";  // bad label
      ++bad;
    } else {
      text += "a\tb\t" + std::to_string(i) + "\n";
    }
  }
  const std::string path = temp_file("skip.tsv", text);
  const Dataset d = read_dataset(parse_dataset_spec("tsv:" + path + "?on_error=skip"));
  EXPECT_EQ(d.report.skipped, bad);
  EXPECT_EQ(static_cast<int>(d.pairs.size()), 30 - bad);
  EXPECT_EQ(d.report.lines, 30);
  EXPECT_EQ(d.report.skip_samples.size(), ReadReport::kMaxSkipSamples);
  EXPECT_EQ(d.report.skip_samples[0], "line 3: expected 3 tab-separated fields, found 1");
  for (const PairExample& p : d.pairs) EXPECT_EQ(p.label, static_cast<double>(p.line));
  EXPECT_NE(describe(d.report).find(std::to_string(bad) + " skipped"), std::string::npos);
}

// Issue #14: a CR-only file (classic Mac line endings) was read as one record; a CR inside a
// line of an LF file is refused; a label that label_scale pushes to infinity is refused.
TEST(ReadDatasetErrors, CarriageReturnOnlyFilesAreSplitIntoTheirLines) {
  const std::string stsb =
      temp_file("cr.csv", "g\tf\t2012\t1\t5.0\ta b\tc d\rg\tf\t2012\t2\t1.5\te f\tg h\r");
  const Dataset data = read_dataset(parse_dataset_spec("stsb:" + stsb));
  ASSERT_EQ(data.pairs.size(), 2u);
  EXPECT_EQ(data.pairs[1].text1, "e f");
  EXPECT_EQ(data.pairs[1].line, 2);
  EXPECT_DOUBLE_EQ(data.pairs[1].label, 1.5);
  const std::string text = temp_file("cr.txt", "one\rtwo\rthree");
  EXPECT_EQ(read_dataset(parse_dataset_spec("text:" + text)).texts.size(), 3u);
}

TEST(ReadDatasetErrors, ALoneCarriageReturnInAnLfFileNamesItsLine) {
  const std::string path = temp_file("mixed.tsv", "a\tb\t1\nc\rd\te\t0\n");
  EXPECT_EQ(read_error("tsv:" + path).rfind(path + ":2: expected LF or CRLF line endings", 0), 0u)
      << read_error("tsv:" + path);
  // CRLF files are unchanged.
  const std::string crlf = temp_file("crlf.tsv", "a\tb\t1\r\nc\td\t0\r\n");
  EXPECT_EQ(read_dataset(parse_dataset_spec("tsv:" + crlf)).pairs.size(), 2u);
}

TEST(ReadDatasetErrors, ALabelScaledToInfinityIsRefused) {
  const std::string path = temp_file("big.tsv", "a\tb\t1e300\n");
  const std::string msg = read_error("tsv:" + path + "?label_scale=1e300");
  EXPECT_EQ(msg.rfind(path + ":1: expected a label that stays finite", 0), 0u) << msg;
  EXPECT_THROW(parse_dataset_spec("tsv:x.tsv?label_scale=0"), std::invalid_argument);
}

}  // namespace sentzoo

namespace sentzoo {
namespace {

// fuzz/readers: a JSON number beyond double ("1e400") made nlohmann throw out_of_range.406, which
// read_jsonl did not catch: a bare library message without path:line, even under on_error=skip.
TEST(ReadDatasetErrors, JsonNumberOverflowIsABadRecord) {
  const std::string path = temp_file(
      "x.jsonl", "{\"text1\": \"a\", \"text2\": \"b\", \"label\": 1e400}\n"
                 "{\"text1\": \"c\", \"text2\": \"d\", \"label\": 1}\n");
  const std::string error = read_error("jsonl:" + path);
  EXPECT_EQ(error.rfind(path + ":1: expected a JSON object, found invalid JSON", 0), 0u) << error;
  const Dataset skipped = read_dataset(parse_dataset_spec("jsonl:" + path + "?on_error=skip"));
  ASSERT_EQ(skipped.pairs.size(), 1u);
  EXPECT_EQ(skipped.pairs[0].line, 2);
  EXPECT_EQ(skipped.report.skipped, 1);
}

}  // namespace
}  // namespace sentzoo
