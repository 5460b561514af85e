#pragma once
// A module's parameters and buffers as a name -> tensor map (what model.safetensors and
// heads.safetensors hold), and back: the one place that checks names and shapes both ways.

#include <torch/torch.h>

#include <map>
#include <string>

namespace sentzoo {

/// Parameters and buffers of `module` by name, as CPU tensors (what model.safetensors holds).
std::map<std::string, torch::Tensor> module_tensors(const torch::nn::Module& module);
/// Copies `tensors` into `module`; every parameter and buffer must be present with its shape,
/// and every tensor must be used (one error lists all problems).
void load_module_tensors(torch::nn::Module& module,
                         const std::map<std::string, torch::Tensor>& tensors,
                         const std::string& source);

}  // namespace sentzoo
