// The torchrun environment (dist/dist_env.h).
#include "dist/dist_env.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

namespace sentzoo {

namespace {

constexpr const char* kVariables[] = {
    "RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"};

// The integer value of `name` (a decimal without sign, spaces or trailing text) in [low, high].
int integer(const char* name, const std::string& value, long low, long high) {
  char* end = nullptr;
  errno = 0;
  const long v = value.empty() || value.front() < '0' || value.front() > '9'
                     ? -1
                     : std::strtol(value.c_str(), &end, 10);
  if (v < 0 || errno != 0 || *end != '\0')
    throw std::invalid_argument(
        fmt::format("environment: {} must be a non-negative integer, found '{}'", name, value));
  if (v < low || v > high)
    throw std::invalid_argument(
        fmt::format("environment: {} must be in [{}, {}], found {}", name, low, high, v));
  return static_cast<int>(v);
}

}  // namespace

DistEnv read_dist_env(const std::function<const char*(const char*)>& lookup) {
  auto get = [&](const char* name) -> const char* {
    return lookup ? lookup(name) : std::getenv(name);
  };
  DistEnv env;
  const char* world = get("WORLD_SIZE");
  if (!world) {
    for (const char* name : kVariables)
      if (get(name) && std::string(name).rfind("MASTER_", 0) != 0)
        throw std::invalid_argument(fmt::format(
            "environment: {} is set but WORLD_SIZE is not (a torchrun-style job sets both)", name));
    return env;
  }
  env.world_size = integer("WORLD_SIZE", world, 1, 1 << 20);
  const char* rank = get("RANK");
  if (!rank) throw std::invalid_argument("environment: WORLD_SIZE is set but RANK is not");
  env.rank = integer("RANK", rank, 0, env.world_size - 1);
  const char* local_world = get("LOCAL_WORLD_SIZE");
  env.local_world_size =
      local_world ? integer("LOCAL_WORLD_SIZE", local_world, 1, env.world_size) : env.world_size;
  const char* local_rank = get("LOCAL_RANK");
  env.local_rank = local_rank ? integer("LOCAL_RANK", local_rank, 0, env.local_world_size - 1)
                              : env.rank % env.local_world_size;
  const char* addr = get("MASTER_ADDR");
  const char* port = get("MASTER_PORT");
  if (env.world_size > 1 && (!addr || !port))
    throw std::invalid_argument(fmt::format(
        "environment: WORLD_SIZE is {} but {} is not set (the address of rank 0's store)",
        env.world_size,
        !addr ? "MASTER_ADDR" : "MASTER_PORT"));
  if (addr) {
    if (!*addr) throw std::invalid_argument("environment: MASTER_ADDR is empty");
    env.master_addr = addr;
  }
  if (port) env.master_port = integer("MASTER_PORT", port, 1, 65535);
  if (const char* agent = get("TORCHELASTIC_USE_AGENT_STORE"))
    env.agent_store = std::string(agent) == "True" || std::string(agent) == "1";
  return env;
}

}  // namespace sentzoo
