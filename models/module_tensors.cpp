// Named tensors of a module, out and back in (models/module_tensors.h).
#include "models/module_tensors.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <vector>

namespace sentzoo {

std::map<std::string, torch::Tensor> module_tensors(const torch::nn::Module& module) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : module.named_parameters())
    out[p.key()] = p.value().detach().cpu().contiguous();
  for (const auto& b : module.named_buffers()) out[b.key()] = b.value().detach().cpu().contiguous();
  return out;
}

void load_module_tensors(torch::nn::Module& module,
                         const std::map<std::string, torch::Tensor>& tensors,
                         const std::string& source) {
  std::vector<std::string> problems;
  std::set<std::string> used;
  torch::NoGradGuard no_grad;
  auto assign = [&](const std::string& name, torch::Tensor target) {
    const auto it = tensors.find(name);
    if (it == tensors.end()) {
      problems.push_back("missing " + name);
    } else if (it->second.sizes() != target.sizes()) {
      problems.push_back(fmt::format("shape of {}: expected {}, found {}",
                                     name,
                                     fmt::join(target.sizes(), "x"),
                                     fmt::join(it->second.sizes(), "x")));
    } else if (it->second.is_floating_point() != target.is_floating_point()) {
      // Same size, other kind (an F32 tensor relabelled I32): converting would load garbage.
      problems.push_back(fmt::format("dtype of {}: expected {}, found {}",
                                     name,
                                     c10::toString(target.scalar_type()),
                                     c10::toString(it->second.scalar_type())));
    } else {
      target.copy_(it->second);
      used.insert(name);
    }
  };
  for (const auto& p : module.named_parameters()) assign(p.key(), p.value());
  for (const auto& b : module.named_buffers()) assign(b.key(), b.value());
  for (const auto& item : tensors) {
    if (!used.count(item.first) &&
        !std::any_of(problems.begin(), problems.end(), [&](const std::string& p) {
          return p.find(item.first) != std::string::npos;
        })) {
      problems.push_back("unused " + item.first);
    }
  }
  if (!problems.empty()) {
    throw std::runtime_error(
        fmt::format("{}: weights do not fit the model: {}", source, fmt::join(problems, "; ")));
  }
}

}  // namespace sentzoo
