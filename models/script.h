#pragma once
// TorchScript source written beside the native forward it mirrors. Each module that the export
// covers has a `script(...)` member next to `forward` (norm, feed_forward, embeddings, rotary,
// attention, the block and the encoder, pooling, dual_encoder, cross_encoder) that emits the same
// ATen ops in the same order, so a change to one is a change in the same file. ScriptWriter
// collects those fragments and the weights they name; models/export.cpp compiles the result.
//
// A weight is named by the tensor itself (s.weight(fc1->weight)), resolved against the module
// being exported. source() fails, naming the parameter, when a parameter of that module was
// neither consumed by a fragment nor declared unused (s.unused(*mlm)): an export can never drop
// a weight silently. No jit headers here.

#include <torch/torch.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace sentzoo {

class ScriptWriter {
 public:
  /// Every parameter of `root` (named by its path in root) may be referred to.
  explicit ScriptWriter(const torch::nn::Module& root);

  // ---- weights ----
  /// "self.<name>" for a parameter of root; marks it consumed. Throws std::logic_error for a
  /// tensor that is not one.
  std::string weight(const torch::Tensor& parameter);
  /// weight(parameter), or "None" for an undefined tensor (a bias-free layer).
  std::string optional_weight(const torch::Tensor& parameter);
  /// "self.<name>" for a constant tensor (registered as a buffer); the same name with another
  /// value is a std::logic_error.
  std::string constant(const std::string& name, const torch::Tensor& value);
  /// Declares the parameters of `module` not read by the exported forward (as the native
  /// forward does not read them: an MLM head, a pooler whose output is unused).
  void unused(const torch::nn::Module& module);

  // ---- code ----
  /// Adds a method once (`source` is its whole "def ..."); the same name with other source is a
  /// std::logic_error.
  void define(const std::string& name, const std::string& source);
  /// Opens a method with its "def ...:" line; line() appends statements until end().
  void begin(const std::string& def_line);
  void line(const std::string& statement);
  void end();

  /// The whole source: defined helpers, then the methods in order. Throws std::logic_error
  /// naming every parameter neither consumed nor declared unused.
  std::string source() const;
  /// The consumed parameters under their TorchScript names (fp32, contiguous copies).
  std::map<std::string, torch::Tensor> parameters() const;
  const std::map<std::string, torch::Tensor>& constants() const { return constants_; }

  /// A float literal TorchScript reads as float (never as int), full precision.
  static std::string lit(double v);
  /// The lowest finite float as a literal (HF's finfo.min for padded keys).
  static std::string lowest();

 private:
  static std::string safe(std::string name);
  std::map<const void*, std::string> names_;  // TensorImpl* -> path in root
  std::map<std::string, torch::Tensor> tensors_;
  std::set<std::string> consumed_, declared_unused_;
  std::map<std::string, torch::Tensor> constants_;
  std::vector<std::pair<std::string, std::string>> helpers_;
  std::vector<std::string> methods_;
  std::string open_;  // the method being written
  bool is_open_ = false;
};

}  // namespace sentzoo
