// RNG state, stop signals and derived seeds (train/run_control.h).
#include "train/run_control.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/Generator.h>

#include <atomic>
#include <csignal>
#include <mutex>

namespace sentzoo {

torch::Tensor cpu_rng_state() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

void set_cpu_rng_state(const torch::Tensor& state) {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

namespace {
std::atomic<int> g_stop_signal{0};
// Records the first signal; a second one gets the default action (a second Ctrl-C ends the
// process at once). Both calls are async-signal-safe.
extern "C" void record_stop_signal(int signal_number) {
  g_stop_signal.store(signal_number);
  std::signal(signal_number, SIG_DFL);
}
}  // namespace

void install_stop_handlers() {
  struct sigaction action = {};
  action.sa_handler = record_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int stop_requested() { return g_stop_signal.load(); }

void request_stop(int signal_number) { g_stop_signal.store(signal_number); }

uint64_t derived_seed(uint64_t run_seed, uint64_t stream, uint64_t index) {
  // SplitMix64 finaliser over a combination of the three inputs.
  auto mix = [](uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  return mix(mix(mix(run_seed) ^ stream) ^ index);
}

}  // namespace sentzoo
