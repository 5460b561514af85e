#pragma once
// SentencePiece models through the torch-free sentzoo_spm plugin (TOOLCHAIN.md §2: Debian's
// libsentencepiece carries its own protobuf and crashes a process that links libtorch).
//
// The plugin (libsentzoo_spm.so) is found, in order, at: $SENTZOO_SPM_PLUGIN; next to the
// running executable; the build tree where CMake put it (SENTZOO_SPM_PLUGIN_PATH, compiled in).
// It is opened once per process with dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND).
//
// Template: [CLS] a [SEP] (b [SEP]) where CLS is the piece "[CLS]" if the model has one, else
// its BOS piece (<s>); SEP is "[SEP]", else EOS (</s>); PAD is "[PAD]", else the model's pad id;
// MASK is "[MASK]", else "<mask>"; UNK is the model's unk id. Texts are encoded as
// SentencePieceProcessor::Encode does (the model's own normalizer), ids are the model's.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "data/tokenizer.h"

namespace sentzoo {

/// Trains a SentencePiece model through the plugin; `flags` as spm_train takes them, e.g.
/// "--input=x.txt --model_prefix=/tmp/m --vocab_size=300 --model_type=bpe --byte_fallback=true".
/// Throws std::runtime_error with SentencePiece's message.
void train_sentencepiece(const std::string& flags);

/// The plugin path that will be (or was) loaded, for error messages and --version style reports.
std::filesystem::path sentencepiece_plugin_path();

class SentencePieceTokenizer : public Tokenizer {
 public:
  explicit SentencePieceTokenizer(const std::filesystem::path& model_file);
  ~SentencePieceTokenizer() override;
  SentencePieceTokenizer(const SentencePieceTokenizer&) = delete;
  SentencePieceTokenizer& operator=(const SentencePieceTokenizer&) = delete;

  std::vector<int64_t> tokenize(std::string_view text) const override;
  int64_t vocab_size() const override;
  int64_t token_to_id(std::string_view token) const override;
  std::string id_to_token(int64_t id) const override;
  /// Text of `ids` (SentencePieceProcessor::Decode; special pieces decode to nothing).
  std::string decode(const std::vector<int64_t>& ids) const;

 private:
  void* model_ = nullptr;
};

}  // namespace sentzoo
