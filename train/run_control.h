#pragma once
// Process-level pieces of an exact, interruptible run: the global CPU RNG state, the stop
// request from SIGINT/SIGTERM, and deterministic per-step draws that need no saved state.

#include <torch/types.h>

#include <cstdint>

namespace sentzoo {

/// The default CPU generator's state (dropout and init draw from it); restores exactly.
torch::Tensor cpu_rng_state();
void set_cpu_rng_state(const torch::Tensor& state);

/// Installs SIGINT/SIGTERM handlers that only record the signal: the trainer finishes the
/// current step, writes a checkpoint and exits with 128 + signal (130 / 143).
void install_stop_handlers();
/// 0 while no stop was requested, else the signal number.
int stop_requested();
/// For tests: pretend a signal arrived (0 clears).
void request_stop(int signal_number);

/// A seed for draw number `index` of stream `stream` under the run seed: a stateless
/// SplitMix64 mix, so a resumed run draws exactly what the uninterrupted one drew.
uint64_t derived_seed(uint64_t run_seed, uint64_t stream, uint64_t index);

}  // namespace sentzoo
