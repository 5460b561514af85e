// CRC-32C against RFC 3720 appendix B.4 (values also given by tensorboard's pure-Python crc32c).
#include "io/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace sentzoo {
namespace {

TEST(Crc32c, MatchesRfc3720TestVectors) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  std::string zeros(32, '\0'), ones(32, '\xFF'), up(32, 0), down(32, 0);
  for (int i = 0; i < 32; ++i) up[i] = static_cast<char>(i), down[i] = static_cast<char>(31 - i);
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
  EXPECT_EQ(crc32c(up), 0x46DD794Eu);
  EXPECT_EQ(crc32c(down), 0x113FDB5Cu);
  EXPECT_EQ(crc32c(""), 0u);
}

TEST(Crc32c, ChainedCallsEqualOneCall) {
  const std::string s = "The quick brown fox jumps over the lazy dog";
  for (size_t cut = 0; cut <= s.size(); ++cut)
    EXPECT_EQ(crc32c(s.data() + cut, s.size() - cut, crc32c(s.data(), cut)), crc32c(s));
}

TEST(Crc32c, MaskRotatesAndAddsTheTensorFlowDelta) {
  EXPECT_EQ(crc32c_masked(0), 0xa282ead8u);
  EXPECT_EQ(crc32c_masked(0x8000u), 0xa282ead8u + 1u);  // bit 15 rotates to bit 0
}

}  // namespace
}  // namespace sentzoo
