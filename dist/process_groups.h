#pragma once
// Private to dist/: the c10d process groups dist/communicator.cpp runs its collectives on, each
// made in its own file because each needs its own headers: Gloo (CPU; gloo's headers,
// backend_gloo.cpp) and NCCL (CUDA; nccl.h and a LibTorch built with CUDA, backend_nccl.cpp).
// dist/CMakeLists.txt compiles the ones this build can have and defines SENTZOO_HAVE_GLOO /
// SENTZOO_HAVE_NCCL accordingly.

#include <chrono>
#include <torch/csrc/distributed/c10d/Store.hpp>

#include "core/compat.h"
#include "dist/dist_env.h"
#include SENTZOO_C10D_GROUP_HEADER

namespace sentzoo::detail {

using ProcessGroup = SENTZOO_C10D_GROUP_BASE;

/// Gloo over TCP (the loopback interface when MASTER_ADDR is local).
c10::intrusive_ptr<ProcessGroup> make_gloo_group(const c10::intrusive_ptr<c10d::Store>& store,
                                                 const DistEnv& env,
                                                 std::chrono::milliseconds timeout);

/// NCCL on this rank's CUDA device.
c10::intrusive_ptr<ProcessGroup> make_nccl_group(const c10::intrusive_ptr<c10d::Store>& store,
                                                 const DistEnv& env,
                                                 std::chrono::milliseconds timeout);

}  // namespace sentzoo::detail
