// Atomic file and directory replacement with POSIX primitives: mkstemp/mkdtemp in the target's
// directory, fsync of data and of the directory entries, rename / renameat2(RENAME_EXCHANGE).
#include "io/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>  // renameat2, RENAME_EXCHANGE (glibc >= 2.28, _GNU_SOURCE)
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace sentzoo {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& path, const char* what) {
  throw std::runtime_error(
      fmt::format("{}: {} failed: {}", path.string(), what, std::strerror(errno)));
}

// "out/ckpt/" and "out/./ckpt" name "out/ckpt": temporaries must be siblings, not children.
fs::path clean(const fs::path& path) {
  fs::path p = path.lexically_normal();
  if (p.filename().empty() && p.has_parent_path()) p = p.parent_path();
  if (p.empty() || p == "." || p == "..")
    throw std::invalid_argument(fmt::format("atomic write: '{}' names no file", path.string()));
  return p;
}

fs::path parent_of(const fs::path& path) {
  const fs::path parent = path.parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

// fsync a file or directory by path (Linux allows fsync on a read-only descriptor).
void sync_path(const fs::path& path, bool directory) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
  if (fd < 0) fail(path, "open for fsync");
  if (::fsync(fd) != 0) {
    const int e = errno;
    ::close(fd);
    errno = e;
    fail(path, "fsync");
  }
  ::close(fd);
}

void sync_tree(const fs::path& dir) {
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_symlink()) continue;
    if (entry.is_regular_file() || entry.is_directory())
      sync_path(entry.path(), entry.is_directory());
  }
  sync_path(dir, /*directory=*/true);
}

// Temporary sibling name "<name>.<tag>-XXXXXX", created as a file or a directory.
fs::path make_temp(const fs::path& target, const char* tag, bool directory) {
  std::string pattern =
      (parent_of(target) / (target.filename().string() + "." + tag + "-XXXXXX")).string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (directory) {
    if (!::mkdtemp(buf.data())) fail(pattern, "mkdtemp");
  } else {
    const int fd = ::mkstemp(buf.data());
    if (fd < 0) fail(pattern, "mkstemp");
    ::close(fd);
  }
  return fs::path(buf.data());
}

void remove_quietly(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

// The process umask, read without changing it (umask(2) can only set; /proc is thread-safe).
mode_t current_umask() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "Umask:") {
      std::string octal;
      status >> octal;
      return static_cast<mode_t>(std::stoul(octal, nullptr, 8));
    }
    status.ignore(1 << 20, '\n');
  }
  return 022;
}

// mkstemp/mkdtemp create 0600/0700; give the result the mode the target has, or a fresh file's.
void set_mode(const fs::path& tmp, const fs::path& target, bool directory) {
  struct stat st {};
  const mode_t mode = ::stat(target.c_str(), &st) == 0
                          ? (st.st_mode & 07777)
                          : ((directory ? 0777 : 0666) & ~current_umask());
  if (::chmod(tmp.c_str(), mode) != 0) fail(tmp, "chmod");
}

void call(const detail::AtomicStageHook& hook, std::string_view stage) {
  if (hook) hook(stage);
}

}  // namespace

void write_file_checked(const fs::path& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) fail(path, "open for writing");
  const auto fail_closing = [&](const char* what) {
    const int e = errno;
    ::close(fd);
    errno = e;
    fail(path, what);
  };
  size_t done = 0;
  while (done < bytes.size()) {
    const size_t chunk = std::min<size_t>(bytes.size() - done, size_t{1} << 30);
    const ssize_t n = ::write(fd, bytes.data() + done, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      fail_closing("write");
    }
    done += static_cast<size_t>(n);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail_closing("fstat");
  // Devices, FIFOs and sockets have nothing to make durable (fsync would fail with EINVAL).
  if (S_ISREG(st.st_mode) && ::fsync(fd) != 0) fail_closing("fsync");
  if (::close(fd) != 0) fail(path, "close");  // NFS and some FUSE file systems report here
}

namespace {

// Where a write to `path` lands: symlinks followed (a dangling one names the file to create).
fs::path follow_symlinks(fs::path path) {
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(path, ec))) return path;
    const fs::path target = fs::read_symlink(path);
    path = target.is_absolute() ? target : parent_of(path) / target;
  }
  errno = ELOOP;
  fail(path, "following symlinks");
}

enum class OutputKind { kReplaceable, kInPlace };

// Regular files and missing paths are replaced by rename; devices, FIFOs and sockets must keep
// their inode (renaming over /dev/null as root would destroy it), so they are written in place.
OutputKind output_kind(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return OutputKind::kReplaceable;
    fail(path, "stat");
  }
  if (S_ISREG(st.st_mode)) return OutputKind::kReplaceable;
  if (S_ISDIR(st.st_mode))
    throw std::runtime_error(
        fmt::format("{}: expected a file to write, found a directory", path.string()));
  return OutputKind::kInPlace;
}

std::string read_and_remove(const fs::path& tmp) {
  std::ifstream in(tmp, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const bool ok = !in.bad();
  remove_quietly(tmp);
  if (!ok) throw std::runtime_error(fmt::format("{}: read back failed", tmp.string()));
  return bytes;
}

}  // namespace

void detail::write_file_atomic(const fs::path& target,
                               const std::function<void(const fs::path&)>& write,
                               const AtomicStageHook& hook) {
  // The kind first, through every link (stat): /dev/stdout -> /proc/self/fd/1 -> "pipe:[N]" is
  // a FIFO to open by its name, not a path to follow by hand.
  const fs::path named = clean(target);
  if (output_kind(named) == OutputKind::kInPlace) {
    // The writer still writes a regular file (it may seek); its bytes are then copied in.
    const fs::path tmp = make_temp(fs::temp_directory_path() / "sentzoo-output", "tmp", false);
    try {
      write(tmp);
    } catch (...) {
      remove_quietly(tmp);
      throw;
    }
    write_file_checked(named, read_and_remove(tmp));
    return;
  }
  const fs::path path = follow_symlinks(named);  // a link stays; the file it names is replaced
  const fs::path tmp = make_temp(path, "tmp", /*directory=*/false);
  try {
    write(tmp);
    set_mode(tmp, path, /*directory=*/false);
    call(hook, "written");
    sync_path(tmp, /*directory=*/false);
    call(hook, "synced");
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail(path, "rename");
  } catch (...) {
    remove_quietly(tmp);
    throw;
  }
  call(hook, "renamed");
  sync_path(parent_of(path), /*directory=*/true);  // make the new directory entry durable
}

void write_file_atomic(const fs::path& path, const std::function<void(const fs::path&)>& write) {
  detail::write_file_atomic(path, write, nullptr);
}

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  write_file_atomic(path, [&](const fs::path& tmp) { write_file_checked(tmp, bytes); });
}

void detail::write_directory_atomic(const fs::path& target,
                                    const std::function<void(const fs::path&)>& fill,
                                    const AtomicStageHook& hook,
                                    bool allow_exchange) {
  const fs::path dir = follow_symlinks(clean(target));  // replace the linked directory
  if (fs::exists(dir) && !fs::is_directory(dir))
    throw std::runtime_error(fmt::format("{}: exists and is not a directory", dir.string()));
  const fs::path tmp = make_temp(dir, "tmp", /*directory=*/true);
  try {
    fill(tmp);
    set_mode(tmp, dir, /*directory=*/true);
    call(hook, "written");
    sync_tree(tmp);
    call(hook, "synced");
  } catch (...) {
    remove_quietly(tmp);
    throw;
  }
  const fs::path parent = parent_of(dir);
  if (!fs::exists(dir)) {
    if (::rename(tmp.c_str(), dir.c_str()) != 0) {
      const int e = errno;
      remove_quietly(tmp);
      errno = e;
      fail(dir, "rename");
    }
  } else if (allow_exchange &&
             ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) == 0) {
    // One atomic step: `dir` is the new copy, `tmp` now holds the old one.
    sync_path(parent, /*directory=*/true);
    call(hook, "renamed");
    remove_quietly(tmp);
    return;
  } else {
    if (allow_exchange && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
      const int e = errno;
      remove_quietly(tmp);
      errno = e;
      fail(dir, "renameat2(RENAME_EXCHANGE)");
    }
    // Fallback: move the old copy aside (kept whole), put the new one in place, then delete.
    const fs::path old = make_temp(dir, "old", /*directory=*/true);
    ::rmdir(old.c_str());
    if (::rename(dir.c_str(), old.c_str()) != 0) {
      const int e = errno;
      remove_quietly(tmp);
      errno = e;
      fail(dir, "rename to .old");
    }
    try {
      call(hook, "moved_aside");
    } catch (...) {
      ::rename(old.c_str(), dir.c_str());  // a failure here restores the old copy
      remove_quietly(tmp);
      throw;
    }
    if (::rename(tmp.c_str(), dir.c_str()) != 0) {
      const int e = errno;
      ::rename(old.c_str(), dir.c_str());
      remove_quietly(tmp);
      errno = e;
      fail(dir, "rename");
    }
    sync_path(parent, /*directory=*/true);
    call(hook, "renamed");
    remove_quietly(old);
    return;
  }
  sync_path(parent, /*directory=*/true);
  call(hook, "renamed");
}

void write_directory_atomic(const fs::path& dir, const std::function<void(const fs::path&)>& fill) {
  detail::write_directory_atomic(dir, fill, nullptr);
}

}  // namespace sentzoo
