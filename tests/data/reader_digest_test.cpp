// Every real data file read by read_dataset() equals, example by example, what an independent
// Python parser (tools/reference/gen_data_digests.py: str.split and the csv module) reads:
// compared through an FNV-1a 64 digest of texts and labels. Skipped without SENTZOO_DATA.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "tests/test_util.h"

namespace sentzoo {

namespace {

struct Fnv1a64 {
  uint64_t h = 0xCBF29CE484222325ULL;
  void add(const std::string& s) {
    for (const char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001B3ULL;
    }
  }
  std::string hex() const {
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
    return buf;
  }
};

// The digest layout of gen_data_digests.py.
std::string digest(const Dataset& d) {
  Fnv1a64 f;
  for (const PairExample& p : d.pairs)
    f.add(p.text1 + "\x1f" + p.text2 + "\x1f" + std::to_string(std::llround(p.label * 10000)) +
          "\n");
  for (const TextExample& t : d.texts) f.add(t.text + "\n");
  return f.hex();
}

// Checks every spec of the fixture whose path starts with `prefix` (one test per group keeps
// each under ~0.3 s).
void check_digests(const std::string& prefix) {
  const auto fixture = testing::fixture_dir() / "data" / "real_digests.json";
  std::ifstream in(fixture);
  ASSERT_TRUE(in) << fixture;
  const nlohmann::json j = nlohmann::json::parse(in);
  ASSERT_EQ(j.at("version"), 1) << "---> HINT: re-run tools/reference/gen_data_digests.py";
  int checked = 0;
  for (const auto& [spec, want] : j.at("digests").items()) {
    if (spec.find(":" + prefix) == std::string::npos) continue;
    SCOPED_TRACE(spec);
    const Dataset d = read_dataset(parse_dataset_spec(spec));
    EXPECT_EQ(static_cast<int64_t>(d.size()), want.at("examples").get<int64_t>());
    EXPECT_EQ(digest(d), want.at("fnv1a64").get<std::string>());
    ++checked;
  }
  EXPECT_GE(checked, 8) << prefix;
}

}  // namespace

TEST(RealDataDigests, ChineseSetsMatchAnIndependentPythonParser) {
  SENTZOO_REQUIRE_DATA(root, "zh/LCQMC/dev.txt");
  check_digests("zh/");
}

TEST(RealDataDigests, EnglishSetsMatchAnIndependentPythonParser) {
  SENTZOO_REQUIRE_DATA(root, "en/STS-B/sts-dev.csv");
  check_digests("en/");
}

TEST(RealDataDigests, CorporaMatchAnIndependentPythonParser) {
  SENTZOO_REQUIRE_DATA(root, "corpus/en-gutenberg/austen-emma.txt");
  check_digests("corpus/");
}

}  // namespace sentzoo
