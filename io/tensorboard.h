#pragma once
// TensorBoard scalar logging without the protobuf library: hand-encoded
// Event{wall_time, step, summary{value{tag, simple_value}}} records (tensorboard
// compat/proto/event.proto, summary.proto) in TFRecord framing with masked CRC-32C.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace sentzoo {

/// Appends scalars to a new event file `<log_dir>/events.out.tfevents.<secs>.<host>.<pid>.<n>`
/// (created with the directory); each record is flushed so TensorBoard sees it while training.
class TensorBoardWriter {
 public:
  explicit TensorBoardWriter(const std::filesystem::path& log_dir);
  /// One scalar at `step`, stamped with the current time.
  void add_scalar(const std::string& tag, double value, int64_t step);
  /// One scalar with an explicit wall time (seconds since the epoch).
  void add_scalar(const std::string& tag, double value, int64_t step, double wall_time);
  const std::filesystem::path& path() const { return path_; }

 private:
  void write_record_(const std::string& payload);
  std::filesystem::path path_;
  std::ofstream out_;
};

/// Seconds since the epoch, microsecond resolution (what Python's time.time() gives).
double wall_time_now();

namespace detail {
/// Serialized Event{wall_time, file_version: "brain.Event:2"}: the first record of a file.
std::string tb_file_version_event(double wall_time);
/// Serialized Event{wall_time, step, summary{value{tag, simple_value}}}; zero wall_time/step are
/// omitted as proto3 serializers do, simple_value (a oneof member) is always written.
std::string tb_scalar_event(std::string_view tag, float value, int64_t step, double wall_time);
/// TFRecord framing: u64 length, masked crc32c(length), payload, masked crc32c(payload).
std::string tfrecord(std::string_view payload);
}  // namespace detail

}  // namespace sentzoo
