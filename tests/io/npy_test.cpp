// .npy: our bytes equal numpy.save's (committed fixture from numpy 1.26.4), and read back.
#include "io/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "tests/test_util.h"

namespace sentzoo {
namespace {

std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(Npy, BytesEqualNumpySave) {
  // tests/fixtures/eval/small.npy = numpy.save of (arange(15).reshape(3, 5) - 7) / 3 as float32
  // with [0,0] = -0.0 and [2,4] = 1e-30 (tools/reference/gen_eval_fixtures.py).
  const auto dir = testing::fixture_dir() / "eval";
  std::vector<float> a(15);
  for (int i = 0; i < 15; ++i) a[i] = (static_cast<float>(i) - 7.0f) / 3.0f;
  a[0] = -0.0f;
  a[14] = 1e-30f;
  EXPECT_EQ(npy_bytes(a.data(), {3, 5}), read_bytes(dir / "small.npy"))
      << "---> HINT: re-run tools/reference/gen_eval_fixtures.py";
  const NpyArray back = read_npy(dir / "small.npy");
  EXPECT_EQ(back.shape, (std::vector<int64_t>{3, 5}));
  for (int i = 0; i < 15; ++i) EXPECT_EQ(std::memcmp(&back.data[i], &a[i], 4), 0) << i;
}

TEST(Npy, HeaderIsAlignedTo64ForManyShapes) {
  for (int64_t rows : {0, 1, 7, 1000, 123456789}) {
    for (int64_t cols : {1, 768}) {
      const std::string b = detail::npy_header({rows, cols});
      const size_t hlen = static_cast<unsigned char>(b[8]) | static_cast<unsigned char>(b[9]) << 8;
      EXPECT_EQ((10 + hlen) % 64, 0u) << rows << "x" << cols;
      EXPECT_EQ(b.back(), '\n');
    }
  }
}

TEST(Npy, WriteThenReadRoundTrips) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sentzoo_npy_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  NpyArray a{{4, 3}, {}};
  for (int i = 0; i < 12; ++i) a.data.push_back(std::sin(static_cast<float>(i)));
  write_npy(dir / "x.npy", a);
  const NpyArray b = read_npy(dir / "x.npy");
  EXPECT_EQ(b.shape, a.shape);
  EXPECT_EQ(b.data, a.data);
  NpyArray v{{5}, {1, 2, 3, 4, 5}};  // 1-D: shape repr "(5,)"
  write_npy(dir / "v.npy", v);
  EXPECT_EQ(read_npy(dir / "v.npy").shape, v.shape);
  std::filesystem::remove_all(dir);
}

TEST(Npy, RejectsOtherDtypesAndTruncation) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sentzoo_npy_bad_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string b = npy_bytes(std::vector<float>(6, 1.0f).data(), {2, 3});
  std::ofstream(dir / "short.npy", std::ios::binary) << b.substr(0, b.size() - 1);
  EXPECT_THROW(read_npy(dir / "short.npy"), std::runtime_error);
  std::string f8 = b;
  f8.replace(f8.find("<f4"), 3, "<f8");
  std::ofstream(dir / "f8.npy", std::ios::binary) << f8;
  try {
    read_npy(dir / "f8.npy");
    ADD_FAILURE() << "expected a throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'<f8'"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sentzoo
