#pragma once
// Running a built executable as a child process from a test: exit code and captured stdout.

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "tests/test_util.h"

namespace sentzoo::testing {

struct ProcessResult {
  int code;         // the exit status, -1 when the child did not exit normally
  std::string out;  // everything it wrote to stdout
};

/// Runs a shell command line and captures its stdout.
inline ProcessResult run_shell(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

/// Runs build/<exe> with `args` (a shell string, may hold redirections); stderr is discarded.
inline ProcessResult run_main(const std::string& exe, const std::string& args) {
  return run_shell((binary_dir() / exe).string() + " " + args + " 2>/dev/null");
}

}  // namespace sentzoo::testing
