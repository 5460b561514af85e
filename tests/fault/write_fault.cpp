// A fault-injection shim for the disk-full tests (tests/train/fault_injection_test.cpp), loaded
// with LD_PRELOAD into a sentzoo executable: write(2) and friends fail with ENOSPC ("No space
// left on device") for every file whose path contains SENTZOO_FAULT_PATH, after the first
// SENTZOO_FAULT_AFTER_BYTES bytes written to such files (default 0). Other files are untouched.
// Interposes the libc symbols libstdc++'s file streams and sentzoo's checked writes call.
#include <dlfcn.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

std::atomic<long long> budget_used{0};

// True when `fd` names a file the fault applies to and its byte budget is spent.
bool should_fail(int fd, size_t count) {
  const char* pattern = std::getenv("SENTZOO_FAULT_PATH");
  if (!pattern || !*pattern || fd < 0) return false;
  char link[64];
  char target[4096];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = ::readlink(link, target, sizeof target - 1);
  if (n <= 0) return false;
  target[n] = '\0';
  if (!std::strstr(target, pattern)) return false;
  const char* after = std::getenv("SENTZOO_FAULT_AFTER_BYTES");
  const long long allowed = after ? std::atoll(after) : 0;
  return budget_used.fetch_add(static_cast<long long>(count)) + static_cast<long long>(count) >
         allowed;
}

template <class F>
F next(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t count) {
  static const auto real = next<ssize_t (*)(int, const void*, size_t)>("write");
  if (should_fail(fd, count)) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, buf, count);
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  static const auto real = next<ssize_t (*)(int, const struct iovec*, int)>("writev");
  size_t count = 0;
  for (int i = 0; i < iovcnt; ++i) count += iov[i].iov_len;
  if (should_fail(fd, count)) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, iov, iovcnt);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off_t offset) {
  static const auto real = next<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite64");
  if (should_fail(fd, count)) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, buf, count, offset);
}

}  // extern "C"
