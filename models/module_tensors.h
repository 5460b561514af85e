#pragma once
// A module's parameters and buffers as a name -> tensor map (what model.safetensors and
// heads.safetensors hold), and back: the one place that checks names and shapes both ways.

#include <torch/torch.h>

#include <functional>
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

/// How a checkpoint layout names a module's parameters (Hugging Face, torchscale, ...).
struct ParameterNaming {
  std::string layout;  // for the error: "SOURCE: weights do not match LAYOUT"
  /// The file's name for the module parameter `key`; "" when the layout has no such tensor
  /// (the parameter is zeroed: e.g. torchscale's missing segment table).
  std::function<std::string(const std::string& key)> file_name;
  /// File names that no parameter loads and that are not an error (a head not requested, a
  /// buffer the module recomputes).
  std::function<bool(const std::string& file_name)> ignored;
};

/// Copies each parameter of `module` from `tensors` under its file name (cast to the
/// parameter's dtype). Throws one std::runtime_error listing every missing tensor (with the
/// expected shape), shape or dtype mismatch (file vs model) and unused file tensor.
void load_parameters_by_name(torch::nn::Module& module,
                             const std::map<std::string, torch::Tensor>& tensors,
                             const ParameterNaming& naming,
                             const std::string& source);

}  // namespace sentzoo
