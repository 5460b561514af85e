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

void load_parameters_by_name(torch::nn::Module& module,
                             const std::map<std::string, torch::Tensor>& tensors,
                             const ParameterNaming& naming,
                             const std::string& source) {
  std::set<std::string> used;
  std::vector<std::string> missing, mismatched, unused;
  torch::NoGradGuard no_grad;
  for (auto& item : module.named_parameters()) {
    const std::string name = naming.file_name(item.key());
    if (name.empty()) {
      item.value().zero_();
      continue;
    }
    const auto it = tensors.find(name);
    if (it == tensors.end()) {
      missing.push_back(
          fmt::format("{} (expected {})", name, fmt::join(item.value().sizes(), "x")));
      continue;
    }
    used.insert(name);
    // Same size, other kind (an F32 tensor relabelled I32) would load garbage.
    if (it->second.sizes() != item.value().sizes() || !it->second.is_floating_point()) {
      mismatched.push_back(fmt::format("{} (file {} {}, model {})",
                                       name,
                                       fmt::join(it->second.sizes(), "x"),
                                       c10::toString(it->second.scalar_type()),
                                       fmt::join(item.value().sizes(), "x")));
      continue;
    }
    item.value().copy_(it->second.to(item.value().scalar_type()));
  }
  for (const auto& [name, tensor] : tensors)
    if (!used.count(name) && !(naming.ignored && naming.ignored(name))) unused.push_back(name);
  if (missing.empty() && mismatched.empty() && unused.empty()) return;
  std::string msg = fmt::format("{}: weights do not match {}", source, naming.layout);
  if (!missing.empty())
    msg += fmt::format("\n  missing ({}): {}", missing.size(), fmt::join(missing, ", "));
  if (!mismatched.empty())
    msg +=
        fmt::format("\n  shape mismatch ({}): {}", mismatched.size(), fmt::join(mismatched, ", "));
  if (!unused.empty())
    msg += fmt::format("\n  unused ({}): {}", unused.size(), fmt::join(unused, ", "));
  throw std::runtime_error(msg);
}

}  // namespace sentzoo
