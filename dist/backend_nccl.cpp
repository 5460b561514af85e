// The NCCL process group (dist/process_groups.h). Compiled only against a LibTorch built with
// CUDA and NCCL (USE_C10D_NCCL; dist/CMakeLists.txt), or by scripts/check_nccl_compile.sh.
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>

#include "dist/process_groups.h"

namespace sentzoo::detail {

c10::intrusive_ptr<ProcessGroup> make_nccl_group(const c10::intrusive_ptr<c10d::Store>& store,
                                                 const DistEnv& env,
                                                 std::chrono::milliseconds timeout) {
  auto options = c10d::ProcessGroupNCCL::Options::create();
  options->timeout = timeout;
  return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, env.rank, env.world_size, options);
}

}  // namespace sentzoo::detail
