// Every file in $SENTZOO_DATA parses with the counts of /work/shared/data/README.md (pairs and
// label counts) or, for the corpora, `wc -l` minus `LC_ALL=C grep -c -P '^[ \t\r\v\f]*$'`.
// Skipped visibly when SENTZOO_DATA is unset.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <tuple>

#include "data/dataset.h"
#include "tests/test_util.h"

namespace sentzoo {

namespace {

struct RealFile {
  std::string spec;                        // FORMAT:PATH[?...], PATH relative to $SENTZOO_DATA
  std::string file;                        // PATH alone, for the existence check
  int64_t lines;                           // README: lines incl. header
  int64_t examples;                        // README: pairs / documents
  std::map<double, int64_t> label_counts;  // README: e.g. {{1, 4402}}; empty = not checked
  double min_label = 0, max_label = 0;     // range check when min < max
};

// Reads each file and checks lines, examples, label counts and range; a missing file is
// listed and the test skips after checking the others.
void check_files(const std::vector<RealFile>& files) {
  if (testing::data_root().empty()) GTEST_SKIP() << "SENTZOO_DATA is not set: real-data test";
  std::string missing;
  for (const RealFile& f : files) {
    SCOPED_TRACE(f.spec);
    const auto path = testing::data_root() / f.file;
    if (!std::filesystem::exists(path)) {
      missing += " " + path.string();
      continue;
    }
    const Dataset d = read_dataset(parse_dataset_spec(f.spec));
    EXPECT_EQ(d.report.lines, f.lines) << describe(d.report);
    EXPECT_EQ(static_cast<int64_t>(d.size()), f.examples) << describe(d.report);
    EXPECT_EQ(d.report.skipped, 0);
    std::map<double, int64_t> counts;
    for (const PairExample& p : d.pairs) {
      if (!f.label_counts.empty() && f.label_counts.count(p.label)) ++counts[p.label];
      if (f.min_label < f.max_label) {
        EXPECT_GE(p.label, f.min_label) << path << ":" << p.line;
        EXPECT_LE(p.label, f.max_label) << path << ":" << p.line;
      }
      // BOMs are gone from every field; texts are never empty in these sets
      EXPECT_NE(p.text1.rfind("\xEF\xBB\xBF", 0), 0u) << path << ":" << p.line;
      EXPECT_FALSE(p.text1.empty() || p.text2.empty()) << path << ":" << p.line;
    }
    EXPECT_EQ(counts, f.label_counts);
  }
  if (!missing.empty()) GTEST_SKIP() << "real-data files missing:" << missing;
}

}  // namespace

// Pair sets: README §1 and §2 (E/N/C -> 2/1/0).
TEST(RealData, PairSetsParseWithTheReadmeCounts) {
  check_files(
      {RealFile{"tsv:zh/LCQMC/dev.txt", "zh/LCQMC/dev.txt", 8802, 8802, {{1, 4402}, {0, 4400}}},
       RealFile{"bq:zh/BQ/dev.csv", "zh/BQ/dev.csv", 10001, 10000, {{1, 5000}, {0, 5000}}},
       RealFile{"bq:zh/BQ/test.csv", "zh/BQ/test.csv", 10001, 10000, {{1, 5000}, {0, 5000}}},
       RealFile{"tsv:zh/ATEC/ATEC.valid.data",
                "zh/ATEC/ATEC.valid.data",
                20000,
                20000,
                {{1, 3688}, {0, 20000 - 3688}}},
       RealFile{"tsv:zh/ATEC/ATEC.test.data",
                "zh/ATEC/ATEC.test.data",
                20000,
                20000,
                {{1, 3610}, {0, 20000 - 3610}}},
       RealFile{"tsv:zh/ATEC/atec_nlp_sim_train.csv?columns=1,2,3",
                "zh/ATEC/atec_nlp_sim_train.csv",
                39346,
                39346,
                {{1, 8549}, {0, 39346 - 8549}}},
       RealFile{"tsv:zh/AFQMC/train.txt",
                "zh/AFQMC/train.txt",
                34334,
                34334,
                {{1, 10573}, {0, 34334 - 10573}}},
       RealFile{
           "tsv:zh/AFQMC/dev.txt", "zh/AFQMC/dev.txt", 4316, 4316, {{1, 1338}, {0, 4316 - 1338}}},
       RealFile{
           "pawsx:zh/PAWSX/dev_2k.tsv", "zh/PAWSX/dev_2k.tsv", 2001, 2000, {{1, 853}, {0, 1147}}},
       RealFile{"tsv:zh/STS-B/STS-B.train.data", "zh/STS-B/STS-B.train.data", 5231, 5231, {}, 0, 5},
       RealFile{"tsv:zh/STS-B/STS-B.valid.data", "zh/STS-B/STS-B.valid.data", 1458, 1458, {}, 0, 5},
       RealFile{"tsv:zh/STS-B/STS-B.test.data", "zh/STS-B/STS-B.test.data", 1361, 1361, {}, 0, 5},
       RealFile{"nli:zh/NLI/Chinese-SNLI/dev.txt",
                "zh/NLI/Chinese-SNLI/dev.txt",
                9314,
                9314,
                {{2, 3162}, {1, 3053}, {0, 3099}}},
       RealFile{"nli:zh/NLI/Chinese-SNLI/test.txt",
                "zh/NLI/Chinese-SNLI/test.txt",
                9176,
                9176,
                {{2, 3146}, {1, 3000}, {0, 3030}}},
       RealFile{"nli:zh/NLI/Chinese-MNLI/dev.txt",
                "zh/NLI/Chinese-MNLI/dev.txt",
                12241,
                12241,
                {{2, 4277}, {1, 3926}, {0, 4038}}},
       RealFile{"nli:zh/NLI/OCNLI/dev.txt",
                "zh/NLI/OCNLI/dev.txt",
                2950,
                2950,
                {{2, 947}, {1, 1103}, {0, 900}}},
       RealFile{"stsb:en/STS-B/sts-train.csv", "en/STS-B/sts-train.csv", 5749, 5749, {}, 0, 5},
       RealFile{"stsb:en/STS-B/sts-dev.csv", "en/STS-B/sts-dev.csv", 1500, 1500, {}, 0, 5},
       RealFile{"stsb:en/STS-B/sts-test.csv", "en/STS-B/sts-test.csv", 1379, 1379, {}, 0, 5},
       RealFile{"sick:en/SICK/SICK_train.txt", "en/SICK/SICK_train.txt", 4501, 4500, {}, 1, 5},
       RealFile{"sick:en/SICK/SICK_test_annotated.txt",
                "en/SICK/SICK_test_annotated.txt",
                4928,
                4927,
                {},
                1,
                5},
       RealFile{"sick:en/SICK/SICK_train.txt?label=entailment_judgment",
                "en/SICK/SICK_train.txt",
                4501,
                4500,
                {{2, 1299}, {1, 2536}, {0, 665}}},
       RealFile{"sick:en/SICK/SICK_trial.txt?label=entailment_judgment",
                "en/SICK/SICK_trial.txt",
                501,
                500,
                {{2, 144}, {1, 282}, {0, 74}}},
       RealFile{"sick:en/SICK/SICK_test_annotated.txt?label=entailment_judgment",
                "en/SICK/SICK_test_annotated.txt",
                4928,
                4927,
                {{2, 1414}, {1, 2793}, {0, 720}}}});
}

// Corpora: README §3 line counts; documents = lines - whitespace-only lines.
TEST(RealData, CorporaParseWithTheReadmeLineCounts) {
  check_files({RealFile{"text:corpus/zh-classical-novels/sanguo_yanyi.txt",
                        "corpus/zh-classical-novels/sanguo_yanyi.txt",
                        3612,
                        3612 - 2046,
                        {}},
               RealFile{"text:corpus/zh-classical-novels/shuihu_zhuan.txt",
                        "corpus/zh-classical-novels/shuihu_zhuan.txt",
                        14038,
                        14038 - 7214,
                        {}},
               RealFile{"text:corpus/zh-classical-novels/hongloumeng.txt",
                        "corpus/zh-classical-novels/hongloumeng.txt",
                        5591,
                        5591 - 2937,
                        {}},
               RealFile{"text:corpus/zh-classical-novels/xiyouji.txt",
                        "corpus/zh-classical-novels/xiyouji.txt",
                        6622,
                        6622 - 3311,
                        {}},
               RealFile{"text:corpus/en-gutenberg/austen-emma.txt",
                        "corpus/en-gutenberg/austen-emma.txt",
                        17078,
                        17078 - 2599,
                        {}},
               RealFile{"text:corpus/en-gutenberg/austen-persuasion.txt",
                        "corpus/en-gutenberg/austen-persuasion.txt",
                        8741,
                        8741 - 1178,
                        {}},
               RealFile{"text:corpus/en-gutenberg/austen-sense.txt",
                        "corpus/en-gutenberg/austen-sense.txt",
                        15055,
                        15055 - 2081,
                        {}},
               RealFile{"text:corpus/en-gutenberg/blake-poems.txt",
                        "corpus/en-gutenberg/blake-poems.txt",
                        1704,
                        1704 - 409,
                        {}},
               RealFile{"text:corpus/en-gutenberg/blake-songs.txt",
                        "corpus/en-gutenberg/blake-songs.txt",
                        1759,
                        1759 - 529,
                        {}},
               RealFile{"text:corpus/en-gutenberg/chesterton-brown.txt",
                        "corpus/en-gutenberg/chesterton-brown.txt",
                        8101,
                        8101 - 1349,
                        {}},
               RealFile{"text:corpus/en-gutenberg/chesterton-thursday.txt",
                        "corpus/en-gutenberg/chesterton-thursday.txt",
                        7119,
                        7119 - 1406,
                        {}},
               RealFile{"text:corpus/en-gutenberg/milton-paradise.txt",
                        "corpus/en-gutenberg/milton-paradise.txt",
                        10955,
                        10955 - 126,
                        {}},
               RealFile{"text:corpus/en-gutenberg/shakespeare-hamlet.txt",
                        "corpus/en-gutenberg/shakespeare-hamlet.txt",
                        5302,
                        5302 - 1045,
                        {}},
               RealFile{"text:corpus/en-gutenberg/shakespeare-macbeth.txt",
                        "corpus/en-gutenberg/shakespeare-macbeth.txt",
                        3667,
                        3667 - 788,
                        {}},
               RealFile{"text:corpus/en-gutenberg/whitman-leaves.txt",
                        "corpus/en-gutenberg/whitman-leaves.txt",
                        17713,
                        17713 - 3340,
                        {}},
               RealFile{"text:corpus/en-gutenberg/chesterton-ball.txt?encoding=latin1",
                        "corpus/en-gutenberg/chesterton-ball.txt",
                        9628,
                        9628 - 1689,
                        {}},
               RealFile{"text:corpus/en-gutenberg/shakespeare-caesar.txt?encoding=latin1",
                        "corpus/en-gutenberg/shakespeare-caesar.txt",
                        3904,
                        3904 - 838,
                        {}}});
}

TEST(RealDataOddities, LatinOneCorpusFailsWithPathLineOrSkipsAndCounts) {
  SENTZOO_REQUIRE_DATA(path, "corpus/en-gutenberg/chesterton-ball.txt");
  try {
    read_dataset(parse_dataset_spec("text:corpus/en-gutenberg/chesterton-ball.txt"));
    FAIL() << "expected invalid UTF-8";
  } catch (const std::runtime_error& e) {
    // `LC_ALL=C grep -n -P '[\x80-\xff]'` lists lines 4711 and 5300
    EXPECT_EQ(std::string(e.what()).rfind(path.string() + ":4711: expected valid UTF-8", 0), 0u)
        << e.what();
  }
  const Dataset d = read_dataset(
      parse_dataset_spec("text:corpus/en-gutenberg/chesterton-ball.txt?on_error=skip"));
  EXPECT_EQ(d.report.skipped, 2);
  EXPECT_EQ(static_cast<int64_t>(d.texts.size()), 9628 - 1689 - 2);
  ASSERT_EQ(d.report.skip_samples.size(), 2u);
  EXPECT_EQ(d.report.skip_samples[1].rfind("line 5300: expected valid UTF-8", 0), 0u);
  const Dataset latin = read_dataset(
      parse_dataset_spec("text:corpus/en-gutenberg/shakespeare-caesar.txt?encoding=latin1"));
  bool found = false;
  for (const TextExample& t : latin.texts)
    found |= t.line == 500 && t.text.find("C\xC3\xA6sar") != std::string::npos;  // "Cæsar"
  EXPECT_TRUE(found);
}

TEST(RealDataOddities, EnglishStsbKeepsQuotesAndNineFieldRows) {
  SENTZOO_REQUIRE_DATA(path, "en/STS-B/sts-train.csv");
  const Dataset d = read_dataset(parse_dataset_spec("stsb:en/STS-B/sts-train.csv"));
  int64_t quoted = 0, control = 0;
  for (const PairExample& p : d.pairs) {
    quoted += p.text1.find('"') != std::string::npos || p.text2.find('"') != std::string::npos;
    control +=
        p.text1.find('\x12') != std::string::npos || p.text2.find('\x12') != std::string::npos;
  }
  EXPECT_GT(quoted, 0);
  EXPECT_EQ(control, 1);  // README: one U+0012 (MSRpar id 0698), kept for the tokenizer
}

TEST(RealDataOddities, BqQuotedCommasAndBackspacesSurvive) {
  SENTZOO_REQUIRE_DATA(path, "zh/BQ/dev.csv");
  // README §1.2 (and Python's csv module): 34 dev / 25 test rows have a comma inside a quoted
  // field; U+0008 occurs 16 / 8 times
  for (const auto& [file, commas, backspaces] :
       {std::tuple{"zh/BQ/dev.csv", 34, 16}, std::tuple{"zh/BQ/test.csv", 25, 8}}) {
    const Dataset d = read_dataset(parse_dataset_spec(std::string("bq:") + file));
    int with_comma = 0, with_bs = 0;
    for (const PairExample& p : d.pairs) {
      with_comma +=
          p.text1.find(',') != std::string::npos || p.text2.find(',') != std::string::npos;
      with_bs +=
          p.text1.find('\x08') != std::string::npos || p.text2.find('\x08') != std::string::npos;
    }
    EXPECT_EQ(with_comma, commas) << file;
    EXPECT_EQ(with_bs, backspaces) << file;
  }
}

}  // namespace sentzoo
