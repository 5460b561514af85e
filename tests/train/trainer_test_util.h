#pragma once
// Shared pieces of the trainer tests: a temporary folder with a character vocabulary and small
// data files, and a tiny single-thread-friendly run config over them.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/config.h"
#include "io/safetensors.h"
#include "train/train_config.h"

namespace sentzoo::testing {

/// A fresh, empty temp folder removed at destruction.
class TempRunDir {
 public:
  explicit TempRunDir(const std::string& tag) {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("sentzoo_trainer_" + tag + "_" + std::to_string(rd()) + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempRunDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Eight graded pairs (0..5), their binary (>= 3) and 3-class versions, triplets, a corpus.
inline const std::vector<std::tuple<std::string, std::string, int>>& toy_pairs() {
  static const std::vector<std::tuple<std::string, std::string, int>> pairs = {
      {"我喜欢吃苹果", "我爱吃苹果", 5},
      {"今天天气很好", "今天天气不错", 4},
      {"他在看书", "他在读书", 4},
      {"猫在睡觉", "狗在跑步", 0},
      {"我要去北京", "我要去上海", 2},
      {"这个很便宜", "那个很贵", 1},
      {"你好吗", "你好", 3},
      {"火车很快", "飞机很慢", 1}};
  return pairs;
}

/// Writes vocab.txt, graded.tsv, binary.tsv, classes.tsv, triplets.jsonl, triplets_noneg.jsonl
/// and corpus.txt into `dir`.
inline void write_toy_data(const std::filesystem::path& dir) {
  std::set<std::string> chars;
  std::string graded, binary, classes, triplets, triplets_noneg, corpus;
  auto add_chars = [&](const std::string& s) {
    for (size_t i = 0; i < s.size();) {
      const unsigned char c = s[i];
      const size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      chars.insert(s.substr(i, n));
      i += n;
    }
  };
  const auto& pairs = toy_pairs();
  for (size_t i = 0; i < pairs.size(); ++i) {
    const auto& [a, b, y] = pairs[i];
    add_chars(a);
    add_chars(b);
    graded += a + "\t" + b + "\t" + std::to_string(y) + "\n";
    binary += a + "\t" + b + "\t" + (y >= 3 ? "1" : "0") + "\n";
    classes += a + "\t" + b + "\t" + std::to_string(y >= 4 ? 2 : y >= 2 ? 1 : 0) + "\n";
    const auto& neg = std::get<1>(pairs[(i + 3) % pairs.size()]);
    triplets += nlohmann::json({{"query", a}, {"pos", b}, {"neg", neg}}).dump() + "\n";
    triplets_noneg += nlohmann::json({{"query", a}, {"pos", b}}).dump() + "\n";
    corpus += a + "，" + b + "。\n";
  }
  add_chars("，");
  add_chars("。");
  std::string vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
  for (const auto& c : chars) vocab += c + "\n";
  write_text(dir / "vocab.txt", vocab);
  write_text(dir / "graded.tsv", graded);
  write_text(dir / "binary.tsv", binary);
  write_text(dir / "classes.tsv", classes);
  write_text(dir / "triplets.jsonl", triplets);
  write_text(dir / "triplets_noneg.jsonl", triplets_noneg);
  write_text(dir / "corpus.txt", corpus);
}

/// A tiny dual-encoder CoSENT run over `dir`'s toy data: no dropout, 8-pair batches.
inline nlohmann::json toy_config(const std::filesystem::path& dir) {
  const std::string d = dir.string() + "/";
  return {{"objective", "dual"},
          {"model",
           {{"preset", "roformer_v2_tiny"},
            {"encoder",
             {{"hidden_size", 32},
              {"num_layers", 1},
              {"num_heads", 2},
              {"intermediate_size", 64},
              {"hidden_dropout", 0.0},
              {"attention_dropout", 0.0}}},
            {"pooling", {{"mode", "mean"}}},
            {"head_dropout", 0.0}}},
          {"tokenizer", {{"vocab", d + "vocab.txt"}, {"max_length", 16}}},
          {"data", {{"train", "tsv:" + d + "graded.tsv"}, {"batch_size", 8}}},
          {"loss", {{"name", "cosent"}}},
          {"optim", {{"lr", 3e-3}, {"weight_decay", 0.0}}},
          {"train",
           {{"max_steps", 4},
            {"seed", 7},
            {"schedule", "constant"},
            {"log_every", 1},
            {"grad_clip", 1.0}}}};
}

inline TrainRunConfig to_config(const nlohmann::json& j) {
  return parse_train_config(j, "test-config");
}

/// All tensors of a safetensors file.
inline std::map<std::string, torch::Tensor> read_tensors(const std::filesystem::path& path) {
  return read_safetensors(path.string());
}

inline std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Restores the intra-op thread count on scope exit.
class ThreadCountGuard {
 public:
  explicit ThreadCountGuard(int threads) : previous_(at::get_num_threads()) {
    at::set_num_threads(threads);
  }
  ~ThreadCountGuard() { at::set_num_threads(previous_); }

 private:
  int previous_;
};

}  // namespace sentzoo::testing
