// ScriptWriter (models/script.h): TorchScript source fragments and the weights they name.

#include "models/script.h"

#include <fmt/format.h>

#include <limits>
#include <stdexcept>

namespace sentzoo {

ScriptWriter::ScriptWriter(const torch::nn::Module& root) {
  for (const auto& p : root.named_parameters(/*recurse=*/true)) {
    names_[p.value().unsafeGetTensorImpl()] = p.key();
    tensors_[p.key()] = p.value();
  }
}

std::string ScriptWriter::safe(std::string name) {
  for (auto& c : name)
    if (c == '.') c = '_';
  return name;
}

std::string ScriptWriter::weight(const torch::Tensor& parameter) {
  auto it = parameter.defined() ? names_.find(parameter.unsafeGetTensorImpl()) : names_.end();
  if (it == names_.end())
    throw std::logic_error("export: a fragment names a tensor that is no parameter of the model");
  consumed_.insert(it->second);
  return "self." + safe(it->second);
}

std::string ScriptWriter::optional_weight(const torch::Tensor& parameter) {
  return parameter.defined() ? weight(parameter) : "None";
}

std::string ScriptWriter::constant(const std::string& name, const torch::Tensor& value) {
  auto it = constants_.find(safe(name));
  if (it == constants_.end())
    constants_[safe(name)] = value.detach().contiguous().clone();
  else if (!torch::equal(it->second, value))
    throw std::logic_error("export: constant '" + name + "' defined twice with other values");
  return "self." + safe(name);
}

void ScriptWriter::unused(const torch::nn::Module& module) {
  for (const auto& p : module.parameters(/*recurse=*/true)) {
    auto it = names_.find(p.unsafeGetTensorImpl());
    if (it != names_.end()) declared_unused_.insert(it->second);
  }
}

void ScriptWriter::define(const std::string& name, const std::string& source) {
  for (const auto& [have, src] : helpers_) {
    if (have != name) continue;
    if (src != source)
      throw std::logic_error("export: TorchScript method '" + name +
                             "' defined twice, differently");
    return;
  }
  helpers_.emplace_back(name, source);
}

void ScriptWriter::begin(const std::string& def_line) {
  if (is_open_) throw std::logic_error("export: begin() inside an open method");
  open_ = "\n" + def_line + "\n";
  is_open_ = true;
}

void ScriptWriter::line(const std::string& statement) {
  if (!is_open_) throw std::logic_error("export: line() outside a method");
  open_ += "    " + statement + "\n";
}

void ScriptWriter::end() {
  if (!is_open_) throw std::logic_error("export: end() without begin()");
  methods_.push_back(open_);
  is_open_ = false;
}

std::string ScriptWriter::source() const {
  if (is_open_) throw std::logic_error("export: a method was not closed");
  std::vector<std::string> dropped;
  for (const auto& [name, t] : tensors_)
    if (!consumed_.count(name) && !declared_unused_.count(name)) dropped.push_back(name);
  if (!dropped.empty())
    throw std::logic_error(fmt::format(
        "export: the generated TorchScript does not consume parameter(s) {} of the model (a "
        "module's script() and its forward() disagree)",
        fmt::join(dropped, ", ")));
  std::string out;
  for (const auto& [name, src] : helpers_) out += src;
  for (const auto& m : methods_) out += m;
  return out;
}

std::map<std::string, torch::Tensor> ScriptWriter::parameters() const {
  std::map<std::string, torch::Tensor> out;
  for (const auto& name : consumed_)
    out[safe(name)] = tensors_.at(name).detach().to(torch::kFloat).contiguous().clone();
  return out;
}

std::string ScriptWriter::lit(double v) {
  std::string s = fmt::format("{:.17g}", v);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

std::string ScriptWriter::lowest() { return lit(std::numeric_limits<float>::lowest()); }

}  // namespace sentzoo
