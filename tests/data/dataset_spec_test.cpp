// parse_dataset_spec: FORMAT:PATH[?k=v], JSON objects, format defaults, strict keys, paths.

#include "data/dataset_spec.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace sentzoo {

namespace {

// Sets an environment variable for one scope, restoring the old value.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = std::getenv(name);
    had_ = old != nullptr;
    if (had_) old_ = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (had_) {
      ::setenv(name_, old_.c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  bool had_ = false;
  std::string old_;
};

std::string invalid_message(const std::string& text) {
  try {
    parse_dataset_spec(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(DatasetSpec, FormatDefaultsFillColumnsHeaderDelimiter) {
  const DatasetSpec s = parse_dataset_spec("stsb:en/STS-B/sts-dev.csv");
  EXPECT_EQ(s.format, "stsb");
  EXPECT_EQ(s.path, "en/STS-B/sts-dev.csv");
  EXPECT_EQ(s.columns, (std::vector<Column>{{"", 5}, {"", 6}, {"", 4}}));
  EXPECT_FALSE(s.header);
  const DatasetSpec bq = parse_dataset_spec("bq:zh/BQ/dev.csv");
  EXPECT_TRUE(bq.header);
  EXPECT_EQ(bq.delimiter, ',');
  EXPECT_EQ(bq.columns[0].name, "sentence1");
  EXPECT_EQ(parse_dataset_spec("nli:x").label_map, nli_label_map());
  EXPECT_EQ(nli_label_map().at("contradiction"), 0);  // REFERENCE.md §4.4
  EXPECT_EQ(nli_label_map().at("neutral"), 1);
  EXPECT_EQ(nli_label_map().at("entailment"), 2);
}

TEST(DatasetSpec, QueryKeysOverrideDefaults) {
  const DatasetSpec s = parse_dataset_spec(
      "tsv:a.csv?columns=1,2,3&label_scale=0.2&on_error=skip&delimiter=comma&encoding=latin1");
  EXPECT_EQ(s.columns, (std::vector<Column>{{"", 1}, {"", 2}, {"", 3}}));
  EXPECT_DOUBLE_EQ(s.label_scale, 0.2);
  EXPECT_EQ(s.on_error, "skip");
  EXPECT_EQ(s.delimiter, ',');
  EXPECT_EQ(s.encoding, "latin1");
  const DatasetSpec sick = parse_dataset_spec("sick:x?label=entailment_judgment");
  EXPECT_EQ(sick.columns[2].name, "entailment_judgment");
  EXPECT_EQ(sick.label_map, nli_label_map());  // implied for the word column
  const DatasetSpec m = parse_dataset_spec("tsv:x?label_map=yes:1,no:0&header=true&columns=a,b,c");
  EXPECT_EQ(m.label_map, (std::map<std::string, double>{{"yes", 1}, {"no", 0}}));
  EXPECT_TRUE(m.header);
}

TEST(DatasetSpec, JsonRoundTripIsTheIdentity) {
  for (const char* text : {"stsb:en/STS-B/sts-dev.csv",
                           "sick:x?label=entailment_judgment",
                           "tsv:a?columns=1,2,3&on_error=skip&label_scale=0.2",
                           "text:c.txt",
                           "jsonl:x.jsonl",
                           "bq:zh/BQ/dev.csv"}) {
    const DatasetSpec s = parse_dataset_spec(text);
    const nlohmann::json j = dataset_spec_to_json(s);
    EXPECT_EQ(dataset_spec_from_json(j), s) << j.dump();
    EXPECT_EQ(parse_dataset_spec(j.dump()), s) << j.dump();
  }
}

TEST(DatasetSpec, JsonStartsFromTheFormatDefaults) {
  const DatasetSpec s =
      parse_dataset_spec(R"({"format": "pawsx", "path": "p.tsv", "on_error": "skip"})");
  EXPECT_TRUE(s.header);
  EXPECT_EQ(s.columns[1].name, "sentence2");
  const DatasetSpec c =
      parse_dataset_spec(R"({"path": "a?b.tsv", "columns": [1, "x", 3], "header": true})");
  EXPECT_EQ(c.path, "a?b.tsv");
  EXPECT_EQ(c.columns[1].name, "x");
}

TEST(DatasetSpec, UnknownKeysAndFormatsAreErrorsListingTheValidOnes) {
  EXPECT_EQ(invalid_message(R"({"format": "tsv", "path": "x", "colums": [0, 1, 2]})"),
            "dataset spec: unknown key 'colums' (expected one of: format, path, columns, header, "
            "delimiter, label_map, label_scale, on_error, encoding)");
  EXPECT_NE(invalid_message("tsv:x?lable=2").find("unknown key 'lable' (expected one of: header"),
            std::string::npos);
  const std::string msg = invalid_message("stb:x");
  EXPECT_NE(msg.find("unknown format 'stb' (expected one of: tsv, nli, csv, bq, pawsx, stsb, "
                     "sick, jsonl, text)"),
            std::string::npos)
      << msg;
  EXPECT_NE(invalid_message("just/a/path.tsv").find("expected FORMAT:PATH"), std::string::npos);
  EXPECT_NE(invalid_message("tsv:x?on_error=ignore").find("on_error must be fail or skip"),
            std::string::npos);
  EXPECT_NE(invalid_message("tsv:x?columns=a,b,c").find("header is false"), std::string::npos);
  EXPECT_NE(invalid_message("tsv:x?columns=0,1").find("3 columns"), std::string::npos);
  EXPECT_NE(invalid_message("tsv:x?header=maybe").find("true or false"), std::string::npos);
  EXPECT_NE(invalid_message("tsv:").find("path is empty"), std::string::npos);
}

TEST(DatasetSpec, RelativePathsResolveAgainstSentzooData) {
  {
    ScopedEnv env("SENTZOO_DATA", "/data/root");
    EXPECT_EQ(resolve_data_path("zh/LCQMC/dev.txt"), "/data/root/zh/LCQMC/dev.txt");
    EXPECT_EQ(resolve_data_path("/abs/x.tsv"), "/abs/x.tsv");
    EXPECT_EQ(resolve_data_path("./local.tsv"), "./local.tsv");
    EXPECT_EQ(resolve_data_path("../up.tsv"), "../up.tsv");
  }
  {
    ScopedEnv env("SENTZOO_DATA", nullptr);
    EXPECT_EQ(resolve_data_path("zh/LCQMC/dev.txt"), "zh/LCQMC/dev.txt");
  }
  {
    ScopedEnv env("SENTZOO_DATA", "");
    EXPECT_EQ(resolve_data_path("a.tsv"), "a.tsv");
  }
}

}  // namespace sentzoo

namespace sentzoo {
namespace {

// fuzz/dataset_spec found specs that parse but cannot be stored as JSON (dump() threw a bare
// type_error 316 later, when the run's config.json was written): they are refused up front.
TEST(DatasetSpec, TextThatJsonCannotHoldIsRefused) {
  for (const std::string text : {std::string("bq:zh/\xB1\xB1/dev.csv"),
                                 std::string("tsv:x.tsv?label_map=\xE9t\xE9:1"),
                                 std::string("pawsx:x.tsv?columns=a,\xFF,c"),
                                 std::string("tsv:x.tsv?delimiter=\xA7")}) {
    try {
      parse_dataset_spec(text);
      ADD_FAILURE() << "accepted " << text;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("found byte 0x"), std::string::npos) << e.what();
    }
  }
  // UTF-8 paths, names and words stay fine and survive the JSON round trip.
  const DatasetSpec spec = parse_dataset_spec("tsv:数据/é.tsv?label_map=是:1,否:0");
  EXPECT_EQ(dataset_spec_from_json(nlohmann::json::parse(dataset_spec_to_json(spec).dump())),
            spec);
}

}  // namespace
}  // namespace sentzoo
