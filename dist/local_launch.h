#pragma once
// `sentzoo-train --nproc N`: N copies of a command on this machine as one data-parallel job,
// started the way torchrun starts them (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,
// MASTER_ADDR=127.0.0.1, MASTER_PORT set in each one's environment). Rank 0's output goes to
// this process's stderr and to LOG_DIR/rank-0.log, every other rank's to LOG_DIR/rank-K.log.
// When one rank fails (non-zero exit or a signal), the others get SIGTERM, then SIGKILL after
// `grace_seconds`: no rank is left behind waiting for a dead peer. Torch-free.

#include <filesystem>
#include <string>
#include <vector>

namespace sentzoo {

struct LaunchResult {
  int exit_code = 0;     // the first failing rank's code (128 + signal when killed), else 0
  int failed_rank = -1;  // that rank, -1 when all succeeded
  std::string message;   // "rank 1 exited with 3 (log: DIR/rank-1.log)" or ""
};

/// Runs `command` (argv[0] looked up in PATH) `nproc` times as ranks 0..nproc-1 and waits for
/// all. `port`: MASTER_PORT (0: a free port the kernel picks). Throws std::runtime_error when a
/// rank cannot be started or a log cannot be written.
LaunchResult launch_local(int nproc,
                          const std::vector<std::string>& command,
                          const std::filesystem::path& log_dir,
                          int port = 0,
                          double grace_seconds = 10);

/// A TCP port on the loopback interface that is free at the time of asking.
int free_local_port();

}  // namespace sentzoo
