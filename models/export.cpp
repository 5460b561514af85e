// TorchScript export by generated source (TOOLCHAIN.md §5 route B): assembly, compile, save and
// load only. The source itself is written by each module beside its native forward
// (DualEncoderImpl::script, CrossEncoderImpl::script and what they call; models/script.h), with
// the same ATen ops in the same order, so fp32 outputs agree to rounding.

#include "models/export.h"
#include "core/json_text.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "data/tokenizer_json.h"
#include "io/atomic_file.h"
#include "models/export_metadata.h"
#include "models/script.h"

namespace sentzoo {

namespace fs = std::filesystem;

namespace {

// Compiles the fragments the modules wrote (models/script.h); source() fails when a parameter
// of the model was not consumed.
torch::jit::Module compile(const std::string& name, const ScriptWriter& s) {
  const std::string src = s.source();
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  torch::jit::Module jm(name, cu, /*shouldMangle=*/true);
  for (const auto& [param, tensor] : s.parameters()) jm.register_parameter(param, tensor, false);
  for (const auto& [buffer, tensor] : s.constants()) jm.register_buffer(buffer, tensor);
  jm.define(src);
  jm.eval();
  return jm;
}

}  // namespace

namespace detail {
std::string dual_encoder_source(DualEncoderImpl& model) {
  ScriptWriter s(model);
  model.script(s);
  return s.source();
}
std::string cross_encoder_source(CrossEncoderImpl& model) {
  ScriptWriter s(model);
  model.script(s);
  return s.source();
}
}  // namespace detail

torch::jit::Module script_dual_encoder(DualEncoderImpl& model) {
  ScriptWriter s(model);
  model.script(s);
  return compile("SentzooDualEncoder", s);
}

torch::jit::Module script_cross_encoder(CrossEncoderImpl& model) {
  ScriptWriter s(model);
  model.script(s);
  return compile("SentzooCrossEncoder", s);
}

void save_torchscript(torch::jit::Module& module, const fs::path& path, const ExportFiles& files) {
  torch::jit::ExtraFilesMap extra;
  extra["metadata.json"] = files.metadata.dump(2);
  extra["config.json"] = files.config.dump(2);
  if (!files.tokenizer.empty()) {
    std::ifstream in(files.tokenizer, std::ios::binary);
    if (!in) throw std::runtime_error(fmt::format("{}: cannot open", files.tokenizer.string()));
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const bool spm = files.tokenizer.extension() == ".model";
    if (bytes.str().empty())  // an empty extra file reads back as absent: nothing could load it
      throw std::runtime_error(
          fmt::format("{}: empty tokenizer file; the export needs a vocabulary",
                      files.tokenizer.string()));
    if (tokenizer_kind(files.tokenizer) == "tokenizer_json") {
      // The tokenizer.json itself (what sentzoo reads back) and its vocabulary as vocab.txt, for
      // consumers that read vocab.txt only (examples/consumer).
      extra["tokenizer.json"] = bytes.str();
      extra["vocab.txt"] = vocab_txt_of(*load_tokenizer_json(files.tokenizer));
    } else {
      extra[spm ? "sentencepiece.model" : "vocab.txt"] = bytes.str();
    }
  }
  if (!path.parent_path().empty()) fs::create_directories(path.parent_path());
  // Serialised in memory (LibTorch's file writer can throw from its destructor on a full disk),
  // then written checked.
  std::ostringstream archive;
  module.save(archive, extra);
  write_file_atomic(path, std::move(archive).str());
}

LoadedTorchScript load_torchscript(const fs::path& path) {
  if (!fs::is_regular_file(path))
    throw std::runtime_error(fmt::format("{}: no such file", path.string()));
  torch::jit::ExtraFilesMap extra{{"metadata.json", ""},
                                  {"config.json", ""},
                                  {"vocab.txt", ""},
                                  {"sentencepiece.model", ""},
                                  {"tokenizer.json", ""}};
  LoadedTorchScript out;
  try {
    out.module = torch::jit::load(path.string(), torch::kCPU, extra);
  } catch (const c10::Error& e) {
    throw std::runtime_error(fmt::format(
        "{}: not a TorchScript archive ({})", path.string(), e.what_without_backtrace()));
  }
  out.module.eval();
  out.files.insert(extra.begin(), extra.end());
  if (out.files["metadata.json"].empty())
    throw std::runtime_error(
        fmt::format("{}: TorchScript archive without metadata.json (not written by sentzoo-export)",
                    path.string()));
  out.metadata = parse_export_metadata(out.files["metadata.json"], path.string());
  return out;
}

}  // namespace sentzoo
