#pragma once
// Tiny in-process models saved as training output folders (models/model_folder.h) for the
// export / eval / encode tests, a small labelled TSV, and running the mains as processes.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/build_info.h"
#include "models/model_folder.h"
#include "tests/process_util.h"
#include "tests/test_util.h"

namespace sentzoo::testing {

inline std::filesystem::path tiny_vocab_path() {
  return fixture_dir() / "tokenizer" / "tiny_vocab.txt";
}

/// A fresh temp folder, removed by the destructor.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& tag) {
    path =
        std::filesystem::temp_directory_path() / ("sz_" + tag + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

/// Saves a tiny untrained dual (or cross) encoder of `arch` as DIR/best; a dual with
/// shared_towers false gets two independently initialised towers.
inline void save_tiny_model(const std::filesystem::path& dir,
                            const std::string& kind,
                            const std::string& arch = "bert",
                            const std::string& pooling = "mean",
                            int64_t num_labels = 1,
                            bool shared_towers = true) {
  torch::manual_seed(17);
  nlohmann::json info = {{"kind", kind},
                         {"architecture", arch},
                         {"lowercase", true},
                         {"max_length", 16},
                         {"tokenizer", "wordpiece"},
                         {"sentzoo_version", SENTZOO_VERSION}};
  auto enc = encoder_preset(arch + "_tiny");
  if (kind == "dual") {
    DualEncoderConfig c;
    c.encoder = enc;
    c.pooling.mode = pooling;
    c.pooling.normalize = true;
    c.shared = shared_towers;
    DualEncoder m(c);
    info["pooling"] = c.pooling;
    info["shared_towers"] = shared_towers;
    save_trained_model(dir / "best", *m->tower, *m, info, tiny_vocab_path());
  } else {
    CrossEncoderConfig c;
    c.encoder = enc;
    c.num_labels = num_labels;
    c.head_input = enc.with_pooler ? "pooler" : "cls";
    CrossEncoder m(c);
    info["num_labels"] = c.num_labels;
    info["head_input"] = c.head_input;
    info["zero_segments"] = c.zero_segments;
    save_trained_model(dir / "best", *m->encoder, *m, info, tiny_vocab_path());
  }
}

/// Eight labelled pairs over the tiny vocabulary.
inline void write_pairs(const std::filesystem::path& path, bool graded = false) {
  std::ofstream out(path);
  const char* rows[][2] = {{"hello world", "hello world"},
                           {"the cat", "a b"},
                           {"run running", "runs"},
                           {"cafe", "café naive"},
                           {"中文", "文字"},
                           {"x", "the world"},
                           {"hello", "hellos"},
                           {"unaffable", "a"}};
  for (int i = 0; i < 8; ++i)
    out << rows[i][0] << "\t" << rows[i][1] << "\t" << (graded ? i * 0.6 : double(i % 2)) << "\n";
}

}  // namespace sentzoo::testing
