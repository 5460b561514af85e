// The Gloo process group (dist/process_groups.h).
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>

#include "dist/process_groups.h"

namespace sentzoo::detail {

c10::intrusive_ptr<ProcessGroup> make_gloo_group(const c10::intrusive_ptr<c10d::Store>& store,
                                                 const DistEnv& env,
                                                 std::chrono::milliseconds timeout) {
  auto options = c10d::ProcessGroupGloo::Options::create(timeout);
  // The device binds the address this host reaches the store by (loopback for a local job).
  options->devices.push_back(env.master_addr == "127.0.0.1" || env.master_addr == "localhost"
                                 ? c10d::ProcessGroupGloo::createDeviceForInterface("lo")
                                 : c10d::ProcessGroupGloo::createDefaultDevice());
  options->threads = 2;
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, env.rank, env.world_size, options);
}

}  // namespace sentzoo::detail
