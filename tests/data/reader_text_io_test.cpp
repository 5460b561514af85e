// Pure helpers of data/text_io.h: UTF-8 validation against a brute-force decoder, BOM stripping,
// Latin-1 decoding, line and CSV splitting.

#include <gtest/gtest.h>

#include <random>

#include "data/text_io.h"

namespace sentzoo::detail {

namespace {

// Independent reference: decode with the RFC 3629 table (Table 3-7 of the Unicode standard).
bool reference_valid_utf8(const std::string& s) {
  size_t i = 0;
  auto in = [&](size_t k, int lo, int hi) {
    return k < s.size() && static_cast<unsigned char>(s[k]) >= lo &&
           static_cast<unsigned char>(s[k]) <= hi;
  };
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c <= 0x7F) {
      i += 1;
    } else if (c >= 0xC2 && c <= 0xDF && in(i + 1, 0x80, 0xBF)) {
      i += 2;
    } else if (c == 0xE0 && in(i + 1, 0xA0, 0xBF) && in(i + 2, 0x80, 0xBF)) {
      i += 3;
    } else if (((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) && in(i + 1, 0x80, 0xBF) &&
               in(i + 2, 0x80, 0xBF)) {
      i += 3;
    } else if (c == 0xED && in(i + 1, 0x80, 0x9F) && in(i + 2, 0x80, 0xBF)) {
      i += 3;
    } else if (c == 0xF0 && in(i + 1, 0x90, 0xBF) && in(i + 2, 0x80, 0xBF) &&
               in(i + 3, 0x80, 0xBF)) {
      i += 4;
    } else if (c >= 0xF1 && c <= 0xF3 && in(i + 1, 0x80, 0xBF) && in(i + 2, 0x80, 0xBF) &&
               in(i + 3, 0x80, 0xBF)) {
      i += 4;
    } else if (c == 0xF4 && in(i + 1, 0x80, 0x8F) && in(i + 2, 0x80, 0xBF) &&
               in(i + 3, 0x80, 0xBF)) {
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST(TextIo, Utf8ValidationMatchesTheUnicodeTableOnRandomBytes) {
  std::mt19937_64 rng(7);
  // bytes biased towards lead/continuation values so that valid multi-byte runs occur
  const unsigned char alphabet[] = {'a',  ' ',  0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
                                    0xC2, 0xDF, 0xE0, 0xE4, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
  int valid = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string s;
    const int len = static_cast<int>(rng() % 12);
    for (int k = 0; k < len; ++k)
      s.push_back(static_cast<char>(alphabet[rng() % sizeof(alphabet)]));
    const bool want = reference_valid_utf8(s);
    valid += want;
    EXPECT_EQ(invalid_utf8_offset(s) == std::string_view::npos, want) << testing::PrintToString(s);
  }
  EXPECT_GT(valid, 1000);  // the sample exercises both outcomes
}

TEST(TextIo, Utf8ValidationPointsAtTheFirstBadByte) {
  EXPECT_EQ(invalid_utf8_offset("abc"), std::string_view::npos);
  EXPECT_EQ(invalid_utf8_offset("\xE4\xB8\xAD\xE6\x96\x87"), std::string_view::npos);  // 中文
  EXPECT_EQ(invalid_utf8_offset("Bruneti\xE8re"), 7u);                                 // Latin-1 è
  EXPECT_EQ(invalid_utf8_offset("0123456789ab\xC3"), 12u);  // truncated after the fast path
  EXPECT_EQ(invalid_utf8_offset("\xED\xA0\x80"), 0u);       // surrogate U+D800
  EXPECT_EQ(invalid_utf8_offset("\xF4\x90\x80\x80"), 0u);   // > U+10FFFF
}

TEST(TextIo, StripsLeadingByteOrderMarksOnly) {
  EXPECT_EQ(strip_bom("\xEF\xBB\xBF"
                      "abc"),
            "abc");
  EXPECT_EQ(strip_bom("\xEF\xBB\xBF\xEF\xBB\xBF"
                      "x"),
            "x");  // ATEC csv line 1: file + field BOM
  EXPECT_EQ(strip_bom("a\xEF\xBB\xBF"), "a\xEF\xBB\xBF");
  EXPECT_EQ(strip_bom(""), "");
}

TEST(TextIo, Latin1DecodesEveryByteToItsCodePoint) {
  EXPECT_EQ(latin1_to_utf8("C\xE6sar"), "C\xC3\xA6sar");  // æ = U+00E6
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  const std::string utf8 = latin1_to_utf8(all);
  EXPECT_EQ(invalid_utf8_offset(utf8), std::string_view::npos);
  EXPECT_EQ(utf8.size(), 128u + 2u * 128u);
}

TEST(TextIo, LineCursorDropsCrAndCountsLines) {
  LineCursor cursor("a\r\nb\n\nc");
  std::vector<std::string> lines;
  std::string_view line;
  while (cursor.next(line)) lines.emplace_back(line);
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(cursor.line_number(), 4);
}

TEST(TextIo, SplitFieldsKeepsEmptyFieldsAndQuotes) {
  const auto f = split_fields("a\t\"b\t\tc\"", '\t');
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[1], "\"b");
  EXPECT_EQ(f[2], "");
  EXPECT_EQ(f[3], "c\"");
}

TEST(TextIo, CsvFollowsRfc4180Quoting) {
  const std::string text = "a,\"b, \"\"q\"\"\",c\r\n\"multi\nline\",'x,\n";
  CsvRecord r = parse_csv_record(text, 0, ',');
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.fields, (std::vector<std::string>{"a", "b, \"q\"", "c"}));
  EXPECT_EQ(r.lines, 1);
  r = parse_csv_record(text, r.end, ',');
  EXPECT_EQ(r.fields, (std::vector<std::string>{"multi\nline", "'x", ""}));
  EXPECT_EQ(r.lines, 2);
  EXPECT_EQ(r.end, text.size());
}

TEST(TextIo, CsvReportsUnterminatedQuotesAndTextAfterQuotes) {
  EXPECT_NE(parse_csv_record("\"abc,d\n", 0, ',').error.find("closing"), std::string::npos);
  EXPECT_NE(parse_csv_record("\"ab\"c,d\n", 0, ',').error.find("after a closing quote"),
            std::string::npos);
}

TEST(TextIo, ParsesFiniteNumbersOnly) {
  double v = 0;
  EXPECT_TRUE(parse_number(" 4.25\r", v));
  EXPECT_EQ(v, 4.25);
  EXPECT_TRUE(parse_number("+1", v));
  EXPECT_EQ(v, 1.0);
  for (const char* bad : {"", "1x", "nan", "inf", "neutral", "1 2"})
    EXPECT_FALSE(parse_number(bad, v)) << bad;
}

}  // namespace sentzoo::detail
