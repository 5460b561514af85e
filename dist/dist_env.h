#pragma once
// Where this process sits in a data-parallel job: the torchrun environment (RANK, WORLD_SIZE,
// LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT; PyTorch's torch.distributed.run sets
// them, and so does `sentzoo-train --nproc N`). Torch-free.

#include <functional>
#include <string>

namespace sentzoo {

struct DistEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  int local_world_size = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;  // torchrun's default
  // torchrun's agent already serves the store at MASTER_ADDR:MASTER_PORT
  // (TORCHELASTIC_USE_AGENT_STORE=True): rank 0 then connects to it instead of serving one.
  bool agent_store = false;

  bool distributed() const { return world_size > 1; }
};

/// Reads the torchrun variables through `lookup` (std::getenv by default; nullptr: unset). With
/// none of them set, a single process. WORLD_SIZE set means a job: RANK, MASTER_ADDR and
/// MASTER_PORT are then required (LOCAL_RANK defaults to RANK, LOCAL_WORLD_SIZE to WORLD_SIZE).
/// Throws std::invalid_argument naming the variable and its value when one is malformed, out of
/// range (0 <= RANK < WORLD_SIZE, 1 <= MASTER_PORT <= 65535) or set without WORLD_SIZE.
DistEnv read_dist_env(const std::function<const char*(const char*)>& lookup = {});

}  // namespace sentzoo
