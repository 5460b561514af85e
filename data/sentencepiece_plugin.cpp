// The sentzoo_spm plugin: SentencePiece behind a C interface (data/sentencepiece_plugin.h).
// Built as a MODULE that links only sentencepiece; never linked into a torch process.
#include "data/sentencepiece_plugin.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstring>
#include <exception>
#include <string>
#include <vector>

// Not declared in Debian's 0.1.97 headers, exported by libsentencepiece.so.0.
namespace sentencepiece::logging {
void SetMinLogLevel(int v);
}

namespace {

int fail(const std::string& message, char* err, size_t err_size) {
  if (err && err_size > 0) {
    std::strncpy(err, message.c_str(), err_size - 1);
    err[err_size - 1] = '\0';
  }
  return -1;
}

int copy_out(const std::string& s, char* out, size_t capacity) {
  if (s.size() <= capacity && out) std::memcpy(out, s.data(), s.size());
  return static_cast<int>(s.size());
}

sentencepiece::SentencePieceProcessor* sp(void* model) {
  return static_cast<sentencepiece::SentencePieceProcessor*>(model);
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) void* szspm_load(const char* model_path,
                                                        char* err,
                                                        size_t err_size) {
  try {
    sentencepiece::logging::SetMinLogLevel(3);  // no log lines under DEEPBIND (see szspm_train)
    auto* p = new sentencepiece::SentencePieceProcessor();
    const auto status = p->Load(model_path);
    if (!status.ok()) {
      delete p;
      fail(std::string(model_path) + ": " + status.ToString(), err, err_size);
      return nullptr;
    }
    return p;
  } catch (const std::exception& e) {
    fail(e.what(), err, err_size);
    return nullptr;
  }
}

__attribute__((visibility("default"))) void szspm_free(void* model) { delete sp(model); }

__attribute__((visibility("default"))) int szspm_encode(void* model,
                                                        const char* text,
                                                        size_t text_size,
                                                        int32_t* ids,
                                                        size_t capacity,
                                                        char* err,
                                                        size_t err_size) {
  std::vector<int> out;
  const auto status = sp(model)->Encode(std::string_view(text, text_size), &out);
  if (!status.ok()) return fail(status.ToString(), err, err_size);
  if (out.size() <= capacity && ids)
    for (size_t i = 0; i < out.size(); ++i) ids[i] = out[i];
  return static_cast<int>(out.size());
}

__attribute__((visibility("default"))) int szspm_decode(void* model,
                                                        const int32_t* ids,
                                                        size_t n,
                                                        char* out,
                                                        size_t capacity,
                                                        char* err,
                                                        size_t err_size) {
  std::vector<int> in(ids, ids + n);
  std::string text;
  const auto status = sp(model)->Decode(in, &text);
  if (!status.ok()) return fail(status.ToString(), err, err_size);
  return copy_out(text, out, capacity);
}

__attribute__((visibility("default"))) int szspm_piece_to_id(void* model,
                                                             const char* piece,
                                                             size_t piece_size) {
  const std::string p(piece, piece_size);
  const int id = sp(model)->PieceToId(p);
  // PieceToId answers unk_id for an unknown piece; only the unk piece itself maps there.
  return id == sp(model)->unk_id() && sp(model)->IdToPiece(id) != p ? -1 : id;
}

__attribute__((visibility("default"))) int szspm_id_to_piece(void* model,
                                                             int32_t id,
                                                             char* out,
                                                             size_t capacity) {
  if (id < 0 || id >= sp(model)->GetPieceSize()) return -1;
  return copy_out(sp(model)->IdToPiece(id), out, capacity);
}

__attribute__((visibility("default"))) int szspm_vocab_size(void* model) {
  return sp(model)->GetPieceSize();
}

__attribute__((visibility("default"))) int szspm_special_id(void* model, int which) {
  switch (which) {
    case 0:
      return sp(model)->unk_id();
    case 1:
      return sp(model)->bos_id();
    case 2:
      return sp(model)->eos_id();
    case 3:
      return sp(model)->pad_id();
    default:
      return -1;
  }
}

__attribute__((visibility("default"))) int szspm_train(const char* flags,
                                                       char* err,
                                                       size_t err_size) {
  try {
    // Under RTLD_DEEPBIND the library's std::cerr binds to libstdc++'s own, uninitialised copy
    // when the host executable holds a copy relocation of it (any binary using std::cerr/cout):
    // writing a log line there crashes, so the trainer must print nothing (errors come back as
    // status strings). --minloglevel alone leaves one INFO line (TOOLCHAIN.md §2).
    sentencepiece::logging::SetMinLogLevel(3);
    const auto status = sentencepiece::SentencePieceTrainer::Train(flags);
    return status.ok() ? 0 : fail(status.ToString(), err, err_size);
  } catch (const std::exception& e) {
    return fail(e.what(), err, err_size);
  }
}

}  // extern "C"
