// Every format on a hand-written miniature (tests/fixtures/data/README.md): expected texts and
// labels are read off the fixture bytes.

#include <gtest/gtest.h>

#include "data/dataset.h"
#include "tests/test_util.h"

namespace sentzoo {

namespace {

Dataset read_fixture(const std::string& spec_text) {
  // absolute path: independent of $SENTZOO_DATA
  const size_t colon = spec_text.find(':');
  const std::string spec = spec_text.substr(0, colon + 1) +
                           (testing::fixture_dir() / "data").string() + "/" +
                           spec_text.substr(colon + 1);
  return read_dataset(parse_dataset_spec(spec));
}

}  // namespace

TEST(ReadDataset, TsvStripsBomsKeepsControlsAndQuotes) {
  const Dataset d = read_fixture("tsv:basic.tsv");
  ASSERT_EQ(d.kind, DatasetKind::kPairs);
  ASSERT_EQ(d.pairs.size(), 4u);
  EXPECT_EQ(d.pairs[0].text1, "\xe4\xbd\xa0\xe5\xa5\xbd");  // file BOM gone
  EXPECT_EQ(d.pairs[0].label, 1.0);
  EXPECT_EQ(d.pairs[1].text1, "BOM field");  // field BOM gone
  EXPECT_EQ(d.pairs[1].text2,
            "b\x08"
            "ell");                         // control character kept, CR dropped
  EXPECT_EQ(d.pairs[2].text1, "\"quoted");  // tabs split, quotes mean nothing
  EXPECT_EQ(d.pairs[2].text2, "stays\"");
  EXPECT_EQ(d.pairs[3].text2, "no newline");
  EXPECT_EQ(d.pairs[3].line, 5);
  EXPECT_EQ(d.report.lines, 5);
  EXPECT_EQ(d.report.blank, 1);
  EXPECT_EQ(d.report.examples, 4);
  EXPECT_EQ(d.report.skipped, 0);
  EXPECT_EQ(pair_labels(d.pairs), (std::vector<double>{1, 0, 0, 1}));
}

TEST(ReadDataset, TsvSelectsColumnsByIndex) {
  const Dataset d = read_fixture("tsv:atec_like.csv?columns=1,2,3");
  ASSERT_EQ(d.pairs.size(), 3u);
  EXPECT_EQ(d.pairs[0].text1, "a1");  // second BOM at the field start is stripped too
  EXPECT_EQ(d.pairs[0].text2, "b1");
  EXPECT_EQ(d.pairs[0].label, 1.0);
  EXPECT_EQ(d.pairs[2].text1, "a3");
  EXPECT_EQ(d.pairs[2].label, 0.0);
  // the default 3 columns do not fit a 4-column file
  EXPECT_THROW(read_fixture("tsv:atec_like.csv"), std::runtime_error);
}

TEST(ReadDataset, BqIsQuoteAwareCsvWithHeader) {
  const Dataset d = read_fixture("bq:bq_like.csv");
  ASSERT_EQ(d.pairs.size(), 3u);
  EXPECT_EQ(d.pairs[0].text1, "\xe6\x88\x91");
  EXPECT_EQ(d.pairs[1].text1, "a, b");
  EXPECT_EQ(d.pairs[1].text2, "say \"hi\"");
  EXPECT_EQ(d.pairs[1].line, 3);
  EXPECT_EQ(d.pairs[2].text1, "'x");
  EXPECT_EQ(d.report.lines, 4);
}

TEST(ReadDataset, StsbTakesScoreAndSentencesFromSevenOrNineFields) {
  const Dataset d = read_fixture("stsb:stsb_like.csv");
  ASSERT_EQ(d.pairs.size(), 2u);
  EXPECT_EQ(d.pairs[0].text1, "A plane is taking off.");
  EXPECT_EQ(d.pairs[0].label, 5.0);
  EXPECT_EQ(d.pairs[1].text1, "He said \"no\".");
  EXPECT_EQ(d.pairs[1].text2, "\"Yes,\" she said");
  EXPECT_EQ(d.pairs[1].label, 0.25);
  EXPECT_DOUBLE_EQ(read_fixture("stsb:stsb_like.csv?label_scale=0.2").pairs[0].label, 1.0);
}

TEST(ReadDataset, SickReadsRelatednessOrMappedEntailment) {
  const Dataset r = read_fixture("sick:sick_like.txt");
  ASSERT_EQ(r.pairs.size(), 3u);
  EXPECT_EQ(r.pairs[0].text1, "A kid plays");
  EXPECT_EQ(r.pairs[0].label, 4.5);
  EXPECT_EQ(r.pairs[2].label, 2.0);
  const Dataset e = read_fixture("sick:sick_like.txt?label=entailment_judgment");
  ASSERT_EQ(e.pairs.size(), 3u);
  EXPECT_EQ(e.pairs[0].label, 2.0);  // ENTAILMENT
  EXPECT_EQ(e.pairs[1].label, 0.0);  // CONTRADICTION
  EXPECT_EQ(e.pairs[2].label, 1.0);  // NEUTRAL
}

TEST(ReadDataset, PawsxAndNliFormats) {
  const Dataset p = read_fixture("pawsx:pawsx_like.tsv");
  ASSERT_EQ(p.pairs.size(), 2u);
  EXPECT_EQ(p.pairs[0].text1, "NS");
  EXPECT_EQ(p.pairs[1].label, 1.0);
  const Dataset n = read_fixture("nli:nli_like.tsv");
  ASSERT_EQ(n.pairs.size(), 3u);
  EXPECT_EQ(n.pairs[0].label, 2.0);  // entailment
  EXPECT_EQ(n.pairs[1].label, 1.0);  // neutral
  EXPECT_EQ(n.pairs[2].label, 0.0);  // contradiction
  const Dataset custom =
      read_fixture("tsv:nli_like.tsv?label_map=entailment:1,neutral:0,contradiction:0");
  EXPECT_EQ(custom.pairs[0].label, 1.0);
  EXPECT_EQ(custom.pairs[1].label, 0.0);
}

TEST(ReadDataset, JsonlPairsAndTriplets) {
  const Dataset p = read_fixture("jsonl:pairs.jsonl");
  ASSERT_EQ(p.kind, DatasetKind::kPairs);
  ASSERT_EQ(p.pairs.size(), 2u);
  EXPECT_EQ(p.pairs[0].text2, "b");
  EXPECT_EQ(p.pairs[0].label, 1.0);
  EXPECT_EQ(p.pairs[1].label, 0.5);
  EXPECT_EQ(p.pairs[1].line, 3);
  EXPECT_EQ(p.report.blank, 1);
  const Dataset t = read_fixture("jsonl:triplets.jsonl");
  ASSERT_EQ(t.kind, DatasetKind::kTriplets);
  ASSERT_EQ(t.triplets.size(), 2u);
  EXPECT_EQ(t.triplets[0].negative, "n1");
  EXPECT_EQ(t.triplets[1].positive, "p2");
  EXPECT_EQ(t.triplets[1].negative, "");
  EXPECT_EQ(t.size(), 2u);
}

TEST(ReadDataset, TextCorpusSkipsBlankLinesAndKeepsIndentation) {
  const Dataset d = read_fixture("text:corpus_crlf.txt");
  ASSERT_EQ(d.kind, DatasetKind::kTexts);
  ASSERT_EQ(d.texts.size(), 3u);
  EXPECT_EQ(d.texts[0].text, "\xe7\xac\xac\xe4\xb8\x80\xe5\x9b\x9e");
  EXPECT_EQ(d.texts[1].text, "  indented line");
  EXPECT_EQ(d.texts[1].line, 4);
  EXPECT_EQ(d.texts[2].text, "last");
  EXPECT_EQ(d.report.blank, 2);
  EXPECT_EQ(d.report.lines, 5);
}

}  // namespace sentzoo
