// Local multi-process launch (dist/local_launch.h).
#include "dist/local_launch.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace sentzoo {

namespace fs = std::filesystem;

int free_local_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error(fmt::format("socket: {}", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  const int saved = errno;
  close(fd);
  if (!ok) throw std::runtime_error(fmt::format("finding a free port: {}", std::strerror(saved)));
  return ntohs(addr.sin_port);
}

namespace {

struct Child {
  pid_t pid = -1;
  int output = -1;  // rank 0: read end of its stdout+stderr pipe
  bool running = false;
  int code = 0;
};

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

// Copies whatever rank 0 wrote to stderr and its log (non-blocking read end); false at the end
// of its output.
bool pump(int from, int log_fd) {
  char buffer[65536];
  while (true) {
    const ssize_t n = read(from, buffer, sizeof buffer);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    if (write(STDERR_FILENO, buffer, static_cast<size_t>(n)) < 0) {
      // stderr gone (closed pipe): the log still gets everything
    }
    if (write(log_fd, buffer, static_cast<size_t>(n)) != n)
      throw std::runtime_error(
          fmt::format("writing rank 0's log failed: {}", std::strerror(errno)));
  }
}

}  // namespace

LaunchResult launch_local(int nproc,
                          const std::vector<std::string>& command,
                          const fs::path& log_dir,
                          int port,
                          double grace_seconds) {
  if (nproc < 1) throw std::invalid_argument(fmt::format("--nproc must be >= 1, found {}", nproc));
  if (command.empty()) throw std::invalid_argument("launch_local: empty command");
  fs::create_directories(log_dir);
  if (port == 0) port = free_local_port();
  std::vector<Child> children(nproc);
  std::vector<int> logs(nproc, -1);
  for (int rank = 0; rank < nproc; ++rank) {
    const auto log = log_dir / fmt::format("rank-{}.log", rank);
    logs[rank] = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (logs[rank] < 0)
      throw std::runtime_error(
          fmt::format("{}: cannot write: {}", log.string(), std::strerror(errno)));
  }
  std::vector<char*> argv;
  for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (int rank = 0; rank < nproc; ++rank) {
    int pipe_fds[2] = {-1, -1};
    if (rank == 0 && pipe2(pipe_fds, O_CLOEXEC) != 0)
      throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
    if (pid == 0) {
      const int out = rank == 0 ? pipe_fds[1] : logs[rank];
      dup2(out, STDOUT_FILENO);
      dup2(out, STDERR_FILENO);
      setenv("RANK", std::to_string(rank).c_str(), 1);
      setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
      setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      setenv("MASTER_ADDR", "127.0.0.1", 1);
      setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
      execvp(argv[0], argv.data());
      dprintf(STDERR_FILENO, "cannot start %s: %s\n", argv[0], std::strerror(errno));
      _exit(127);
    }
    children[rank].pid = pid;
    children[rank].running = true;
    if (rank == 0) {
      close(pipe_fds[1]);
      children[0].output = pipe_fds[0];
      fcntl(children[0].output, F_SETFL, O_NONBLOCK);
    }
  }

  LaunchResult result;
  int running = nproc;
  std::chrono::steady_clock::time_point kill_at{};
  bool terminating = false;
  while (running > 0) {
    pollfd p{children[0].output, POLLIN, 0};
    poll(&p, children[0].output >= 0 ? 1 : 0, 100);
    if (children[0].output >= 0 && !pump(children[0].output, logs[0])) {
      close(children[0].output);
      children[0].output = -1;
    }
    for (int rank = 0; rank < nproc; ++rank) {
      Child& c = children[rank];
      int status = 0;
      if (!c.running || waitpid(c.pid, &status, WNOHANG) != c.pid) continue;
      c.running = false;
      c.code = exit_code_of(status);
      --running;
      if (c.code != 0 && result.failed_rank < 0) {
        result.exit_code = c.code;
        result.failed_rank = rank;
        result.message = fmt::format("rank {} {} (log: {}); stopping the other ranks",
                                     rank,
                                     WIFSIGNALED(status)
                                         ? fmt::format("was killed by signal {}", WTERMSIG(status))
                                         : fmt::format("exited with {}", c.code),
                                     (log_dir / fmt::format("rank-{}.log", rank)).string());
        for (auto& other : children)
          if (other.running) kill(other.pid, SIGTERM);
        terminating = true;
        kill_at = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(grace_seconds * 1000));
      }
    }
    if (terminating && std::chrono::steady_clock::now() >= kill_at) {
      for (auto& other : children)
        if (other.running) kill(other.pid, SIGKILL);
      terminating = false;
    }
  }
  if (children[0].output >= 0) {
    fcntl(children[0].output, F_SETFL, 0);  // blocking: everything rank 0 left in the pipe
    while (pump(children[0].output, logs[0])) {
    }
    close(children[0].output);
  }
  for (int fd : logs)
    if (close(fd) != 0)
      throw std::runtime_error(fmt::format("closing a rank log failed: {}", std::strerror(errno)));
  return result;
}

}  // namespace sentzoo
