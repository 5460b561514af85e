#pragma once
// An advisory lock on an output folder (flock(2) on DIR/.sentzoo.lock, which holds the holder's
// PID): two trainers in one folder would delete each other's temporary checkpoints or mix their
// files. The kernel drops the lock when the holder exits, however it exits (SIGKILL included),
// so a stale lock file never blocks a later run.

#include <filesystem>
#include <string>

namespace sentzoo {

class DirectoryLock {
 public:
  /// Creates `dir` if needed and locks it; throws std::runtime_error naming the folder and the
  /// holder's PID when another process (or another DirectoryLock) holds it. `purpose` completes
  /// the message, e.g. "sentzoo-train".
  DirectoryLock(const std::filesystem::path& dir, const std::string& purpose);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace sentzoo
