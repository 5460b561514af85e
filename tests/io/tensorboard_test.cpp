// TensorBoard event files: our records equal, byte for byte, the file tensorboard 2.16.2 writes
// for the same events (tests/fixtures/eval/scalars.tfevents, tools/reference/gen_eval_fixtures.py).
#include "io/tensorboard.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "io/crc32c.h"
#include "tests/test_util.h"

namespace sentzoo {
namespace {

std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(TensorBoard, RecordsEqualTensorBoardsOwnWriter) {
  const auto dir = testing::fixture_dir() / "eval";
  std::ifstream in(dir / "metrics.json");
  const auto spec = nlohmann::json::parse(in).at("tensorboard_scalars");
  std::string ours = detail::tfrecord(detail::tb_file_version_event(spec.at("wall_time0")));
  for (const auto& s : spec.at("scalars"))
    ours += detail::tfrecord(detail::tb_scalar_event(s.at("tag").get<std::string>(),
                                                     s.at("value").get<float>(),
                                                     s.at("step").get<int64_t>(),
                                                     s.at("wall_time").get<double>()));
  EXPECT_EQ(ours, read_bytes(dir / "scalars.tfevents"))
      << "---> HINT: re-run tools/reference/gen_eval_fixtures.py";
}

TEST(TensorBoard, FramingChecksumsVerify) {
  const std::string payload = detail::tb_scalar_event("loss", 0.5f, 7, 12.5);
  const std::string r = detail::tfrecord(payload);
  ASSERT_EQ(r.size(), 8 + 4 + payload.size() + 4);
  uint64_t len;
  uint32_t len_crc, data_crc;
  std::memcpy(&len, r.data(), 8);
  std::memcpy(&len_crc, r.data() + 8, 4);
  std::memcpy(&data_crc, r.data() + 12 + payload.size(), 4);
  EXPECT_EQ(len, payload.size());
  EXPECT_EQ(len_crc, crc32c_masked(crc32c(r.data(), 8)));
  EXPECT_EQ(data_crc, crc32c_masked(crc32c(payload)));
}

TEST(TensorBoard, WriterCreatesAnEventFileThatGrowsPerScalar) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sentzoo_tb_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  TensorBoardWriter w(dir);
  EXPECT_NE(w.path().filename().string().find("events.out.tfevents."), std::string::npos);
  const auto before = std::filesystem::file_size(w.path());
  w.add_scalar("train/loss", 0.25, 1, /*wall_time=*/100.0);
  // Flushed per record: the file already holds exactly this record.
  EXPECT_EQ(std::filesystem::file_size(w.path()) - before,
            detail::tfrecord(detail::tb_scalar_event("train/loss", 0.25f, 1, 100.0)).size());
  TensorBoardWriter w2(dir);
  EXPECT_NE(w.path(), w2.path());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sentzoo
