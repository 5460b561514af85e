// Protobuf wire format by hand (developers.google.com/protocol-buffers/docs/encoding): a key is
// (field << 3 | wire type) as a varint; types used: 0 varint, 1 fixed64, 2 bytes, 5 fixed32.
#include "io/tensorboard.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "io/crc32c.h"

namespace sentzoo {

namespace {

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

template <class T>
void put_fixed(std::string& out, T v) {  // little-endian host (x86-64, aarch64)
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  out.append(bytes, sizeof(T));
}

void put_key(std::string& out, int field, int wire_type) {
  put_varint(out, static_cast<uint64_t>(field << 3 | wire_type));
}

void put_bytes(std::string& out, int field, std::string_view bytes) {
  put_key(out, field, 2);
  put_varint(out, bytes.size());
  out.append(bytes);
}

// Event fields (event.proto): 1 wall_time double, 2 step int64, 3 file_version, 5 summary.
std::string event_header(double wall_time, int64_t step) {
  std::string e;
  if (wall_time != 0) put_key(e, 1, 1), put_fixed(e, wall_time);
  if (step != 0) put_key(e, 2, 0), put_varint(e, static_cast<uint64_t>(step));  // two's complement
  return e;
}

}  // namespace

std::string detail::tb_file_version_event(double wall_time) {
  std::string e = event_header(wall_time, 0);
  put_bytes(e, 3, "brain.Event:2");
  return e;
}

std::string detail::tb_scalar_event(std::string_view tag,
                                    float value,
                                    int64_t step,
                                    double wall_time) {
  std::string v;  // Summary.Value: 1 tag, 2 simple_value (float)
  put_bytes(v, 1, tag);
  put_key(v, 2, 5);
  put_fixed(v, value);
  std::string summary;  // Summary: 1 repeated Value
  put_bytes(summary, 1, v);
  std::string e = event_header(wall_time, step);
  put_bytes(e, 5, summary);
  return e;
}

std::string detail::tfrecord(std::string_view payload) {
  std::string out;
  put_fixed(out, static_cast<uint64_t>(payload.size()));
  put_fixed(out, crc32c_masked(crc32c(out.data(), 8)));
  out.append(payload);
  put_fixed(out, crc32c_masked(crc32c(payload)));
  return out;
}

double wall_time_now() {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return static_cast<double>(us.count()) / 1e6;
}

TensorBoardWriter::TensorBoardWriter(const std::filesystem::path& log_dir) {
  std::filesystem::create_directories(log_dir);
  static std::atomic<int> counter{0};  // two writers in one process get distinct files
  char host[256] = "localhost";
  ::gethostname(host, sizeof(host) - 1);
  const double now = wall_time_now();
  path_ = log_dir / fmt::format("events.out.tfevents.{}.{}.{}.{}",
                                static_cast<int64_t>(now),
                                host,
                                ::getpid(),
                                counter++);
  out_.open(path_, std::ios::binary | std::ios::trunc);
  if (!out_) throw std::runtime_error(fmt::format("{}: cannot create event file", path_.string()));
  write_record_(detail::tb_file_version_event(now));
}

void TensorBoardWriter::add_scalar(const std::string& tag, double value, int64_t step) {
  add_scalar(tag, value, step, wall_time_now());
}

void TensorBoardWriter::add_scalar(const std::string& tag,
                                   double value,
                                   int64_t step,
                                   double wall_time) {
  write_record_(detail::tb_scalar_event(tag, static_cast<float>(value), step, wall_time));
}

void TensorBoardWriter::write_record_(const std::string& payload) {
  const std::string record = detail::tfrecord(payload);
  out_.write(record.data(), static_cast<std::streamsize>(record.size()));
  out_.flush();
  if (!out_) throw std::runtime_error(fmt::format("{}: write failed", path_.string()));
}

}  // namespace sentzoo
