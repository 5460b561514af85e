// Output-folder lock with flock(2) (io/directory_lock.h).
#include "io/directory_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace sentzoo {

DirectoryLock::DirectoryLock(const std::filesystem::path& dir, const std::string& purpose) {
  std::filesystem::create_directories(dir);
  const std::filesystem::path path = dir / ".sentzoo.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw std::runtime_error(
        fmt::format("{}: cannot open the lock file: {}", path.string(), std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    char buf[32] = {};
    const ssize_t n = ::pread(fd_, buf, sizeof(buf) - 1, 0);
    ::close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK)
      throw std::runtime_error(
          fmt::format("{}: cannot lock: {}", path.string(), std::strerror(error)));
    const std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "unknown";
    throw std::runtime_error(fmt::format(
        "{} is in use by another {} (PID {}); wait for it to finish or choose another folder",
        dir.string(),
        purpose,
        pid.substr(0, pid.find_first_of("\n "))));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  // The PID is a courtesy for the message above: failing to record it does not stop the run.
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] const ssize_t written = ::pwrite(fd_, pid.data(), pid.size(), 0);
  }
}

DirectoryLock::~DirectoryLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock; the file stays (removing it would race)
}

}  // namespace sentzoo
