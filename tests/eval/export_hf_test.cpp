// --format huggingface: the sentence-transformers folders in tests/fixtures/export (written by
// sentzoo-export, encoded by sentence-transformers 3.0.1 with transformers, roformer 0.4.3 and
// torchscale 0.3.0: tools/reference/gen_export_hf.py) are encoded identically by us, and today's
// writer still produces exactly those folders, for every architecture. With the reference venv
// present, a fresh export is also loaded by the reference packages (check_export_hf.py).

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "data/tokenizer.h"
#include "eval/export_model.h"
#include "io/safetensors.h"
#include "models/hf_weights.h"
#include "models/model_folder.h"
#include "tests/eval/export_test_util.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;

fs::path fixture() { return testing::fixture_dir() / "export" / "st_bert_mean"; }

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

TEST(ExportHuggingFace, SentenceTransformersEncodesLikeUs) {
  const auto expected = read_json(fixture().string() + "_expected.json");
  DualEncoder model = load_sentence_transformer(fixture().string());
  EXPECT_TRUE(model->config.pooling.normalize);
  EXPECT_EQ(model->config.pooling.mode, "mean");
  auto tok = load_tokenizer(fixture() / "vocab.txt");
  torch::NoGradGuard no_grad;
  const auto& sentences = expected["sentences"];
  for (size_t i = 0; i < sentences.size(); ++i) {
    const auto e = tok->encode(sentences[i].get<std::string>(), 32);
    auto ids = torch::tensor(e.ids, torch::kLong).unsqueeze(0);
    auto v = model->forward(ids, torch::ones_like(ids)).squeeze(0);
    auto want = torch::tensor(expected["embeddings"][i].get<std::vector<float>>());
    EXPECT_LE((v - want).abs().max().item<double>(), 1e-5) << sentences[i];
  }
}

TEST(ExportHuggingFace, WriterReproducesTheFixtureAndRefusesWhatStCannotSay) {
  testing::TempDir tmp("exporthf");
  const auto src = tmp.path / "hf";
  fs::create_directories(src);
  fs::copy_file(testing::fixture_dir() / "models" / "bert" / "config.json", src / "config.json");
  fs::copy_file(testing::fixture_dir() / "models" / "bert" / "model.safetensors",
                src / "model.safetensors");
  fs::copy_file(testing::tiny_vocab_path(), src / "vocab.txt");
  ExportRequest r;
  r.checkpoint = src;
  r.output = tmp.path / "st";
  r.format = "huggingface";
  r.pooling = "mean";
  r.normalize = true;
  r.max_length = 32;
  export_model(r);
  for (const char* f : {"modules.json",
                        "1_Pooling/config.json",
                        "sentence_bert_config.json",
                        "tokenizer_config.json",
                        "config.json"})
    EXPECT_EQ(read_json(r.output / f), read_json(fixture() / f)) << f;
  EXPECT_TRUE(fs::is_directory(r.output / "2_Normalize"));
  const auto got = read_safetensors((r.output / "model.safetensors").string());
  const auto want = read_safetensors((fixture() / "model.safetensors").string());
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [name, t] : want) EXPECT_TRUE(torch::equal(got.at(name), t)) << name;
  // first_last_avg has no sentence-transformers equivalent; cross encoders are not written.
  r.output = tmp.path / "st2";
  r.pooling = "first_last_avg";
  EXPECT_THROW(export_model(r), std::invalid_argument);
  r.pooling = "mean";
  r.kind = "cross";
  EXPECT_ANY_THROW(export_model(r));
}

// ---- every architecture: mean -> Dense(48 -> 5, tanh) -> Normalize ----

// A sentzoo best/ folder: the tiny reference model of tests/fixtures/models/<arch> with the
// Dense layer of its expected.safetensors.
DualEncoder save_source(const std::string& arch, const fs::path& dir) {
  const auto model_dir = (testing::fixture_dir() / "models" / arch).string();
  const auto e = read_safetensors(model_dir + "/expected.safetensors");
  DualEncoderConfig c;
  c.encoder = load_hf_encoder(model_dir)->config;
  c.pooling.mode = "mean";
  c.pooling.dense_dim = 5;
  c.pooling.normalize = true;
  DualEncoder m(c);
  m->tower = m->replace_module("tower", load_hf_encoder(model_dir));
  {
    torch::NoGradGuard no_grad;
    m->dense->weight.copy_(e.at("dual.dense.weight"));
    m->dense->bias.copy_(e.at("dual.dense.bias"));
  }
  m->eval();
  const nlohmann::json info = {{"kind", "dual"},
                               {"pooling", c.pooling},
                               {"shared_towers", true},
                               {"lowercase", true},
                               {"max_length", 32}};
  save_trained_model(dir, *m->tower, *m, info, testing::tiny_vocab_path());
  return m;
}

// Sentence vectors of `model` for the expected file's sentences (our tokenizer, one at a time).
torch::Tensor encode(DualEncoderImpl& model, const fs::path& vocab, const nlohmann::json& sents) {
  auto tok = load_tokenizer(vocab);
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> rows;
  for (const auto& s : sents) {
    const auto ids = torch::tensor(tok->encode(s.get<std::string>(), 32).ids, torch::kLong);
    rows.push_back(model.forward(ids.unsqueeze(0), torch::ones_like(ids).unsqueeze(0)).squeeze(0));
  }
  return torch::stack(rows);
}

std::string file_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every file under `a` equals its twin under `b` (JSON as JSON, safetensors tensor by tensor).
void expect_same_folder(const fs::path& a, const fs::path& b) {
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(b)) {
    if (!entry.is_regular_file()) continue;
    const auto rel = fs::relative(entry.path(), b);
    ++files;
    ASSERT_TRUE(fs::exists(a / rel)) << rel << " not written";
    if (rel.extension() == ".json") {
      EXPECT_EQ(read_json(a / rel), read_json(entry.path())) << rel;
    } else if (rel.extension() == ".safetensors") {
      const auto got = read_safetensors((a / rel).string());
      const auto want = read_safetensors(entry.path().string());
      ASSERT_EQ(got.size(), want.size()) << rel;
      for (const auto& [name, t] : want) EXPECT_TRUE(torch::equal(got.at(name), t)) << rel << name;
    } else {
      EXPECT_EQ(file_text(a / rel), file_text(entry.path())) << rel;
    }
  }
  size_t written = 0;
  for (const auto& entry : fs::recursive_directory_iterator(a)) written += entry.is_regular_file();
  EXPECT_EQ(written, files) << "files written vs committed in " << b;
}

// The reference venv's Python (tools/reference/setup_env.sh: SENTZOO_REF_VENV, else .venv-ref
// in the source tree), if it has sentence-transformers, roformer and torchscale's import.
std::string reference_python() {
  const char* env = std::getenv("SENTZOO_REF_VENV");
  const std::string py =
      (env && *env ? fs::path(env) : fs::path(SENTZOO_TEST_SOURCE_DIR) / ".venv-ref") / "bin" /
      "python";
  const std::string probe = py +
                            " -c 'import sentence_transformers, roformer, torchscale' > "
                            "/dev/null 2>&1";
  return fs::exists(py) && std::system(probe.c_str()) == 0 ? py : "";
}

class ExportEveryArchitecture : public ::testing::TestWithParam<std::string> {};

TEST_P(ExportEveryArchitecture, WritesTheCommittedFolderThatTheReferenceEncodesLikeUs) {
  const auto arch = GetParam();
  const auto committed = testing::fixture_dir() / "export" / ("st_" + arch + "_dense");
  testing::TempDir tmp("exporthf_" + arch);
  DualEncoder source = save_source(arch, tmp.path / "best");
  ExportRequest r;
  r.checkpoint = tmp.path;
  r.format = "huggingface";
  // SENTZOO_EXPORT_FIXTURE_DIR: write the folders there (tools/reference/gen_export_hf.py).
  const char* regen = std::getenv("SENTZOO_EXPORT_FIXTURE_DIR");
  r.output = regen && *regen ? fs::path(regen) / committed.filename() : tmp.path / "st";
  if (regen && *regen) fs::remove_all(r.output);
  export_model(r);
  if (regen && *regen) GTEST_SKIP() << "wrote " << r.output << " (SENTZOO_EXPORT_FIXTURE_DIR)";
  ASSERT_TRUE(fs::exists(committed))
      << committed << "\n---> HINT: run tools/reference/gen_export_hf.py";
  expect_same_folder(r.output, committed);
  // The reference packages' embeddings of the committed folder = ours, native and reloaded.
  const auto expected = read_json(committed.string() + "_expected.json");
  std::vector<torch::Tensor> rows;
  for (const auto& row : expected["embeddings"])
    rows.push_back(torch::tensor(row.get<std::vector<float>>()));
  const auto reference = torch::stack(rows);
  const auto ours = encode(*source, testing::tiny_vocab_path(), expected["sentences"]);
  EXPECT_LE((ours - reference).abs().max().item<double>(), 1e-5) << "sentzoo vs reference";
  DualEncoder reloaded = load_sentence_transformer(committed.string());
  EXPECT_EQ(reloaded->config.pooling.dense_dim, 5);
  EXPECT_TRUE(reloaded->config.pooling.normalize);
  const auto again = encode(*reloaded, committed / "vocab.txt", expected["sentences"]);
  EXPECT_LE((again - reference).abs().max().item<double>(), 1e-5) << "reloaded vs reference";
}

TEST_P(ExportEveryArchitecture, ReferencePackagesLoadAFreshExport) {
  const auto arch = GetParam();
  const auto py = reference_python();
  if (py.empty())
    GTEST_SKIP() << "no reference venv (SENTZOO_REF_VENV or .venv-ref, made by "
                    "tools/reference/setup_env.sh, with "
                    "sentence-transformers, roformer, torchscale): the live Python round trip "
                    "is not checked; the committed fixture still is";
  testing::TempDir tmp("exporthfpy_" + arch);
  DualEncoder source = save_source(arch, tmp.path / "best");
  ExportRequest r;
  r.checkpoint = tmp.path;
  r.output = tmp.path / "st";
  r.format = "huggingface";
  export_model(r);
  const nlohmann::json sentences = {"hello world", "the cat runs", "中文字", "a b c d e f g"};
  const auto ours = encode(*source, testing::tiny_vocab_path(), sentences);
  nlohmann::json kase = {{"sentences", sentences}, {"embeddings", nlohmann::json::array()}};
  for (int64_t i = 0; i < ours.size(0); ++i) {
    auto row = ours[i].contiguous();
    kase["embeddings"].push_back(
        std::vector<float>(row.data_ptr<float>(), row.data_ptr<float>() + row.numel()));
  }
  std::ofstream(tmp.path / "case.json") << kase.dump();
  const std::string cmd =
      py + " " +
      (fs::path(SENTZOO_TEST_SOURCE_DIR) / "tools" / "reference" / "check_export_hf.py").string() +
      " " + r.output.string() + " " + (tmp.path / "case.json").string();
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

INSTANTIATE_TEST_SUITE_P(Archs,
                         ExportEveryArchitecture,
                         ::testing::Values("bert", "roformer", "roformer_v2", "deepnet"));

TEST(ExportHuggingFace, RefusesWhatTheLayoutsCannotSay) {
  testing::TempDir tmp("exporthfbad");
  // A custom encoder has no Hugging Face layout; Adam-constant DeepNet no torchscale one.
  auto c = bert_tiny();
  c.architecture = Architecture::kCustom;
  c.norm_position = NormPosition::kPre;
  DualEncoderConfig dc;
  dc.encoder = c;
  DualEncoder m(dc);
  const auto msg = testing::error_of([&] {
    save_sentence_transformer(
        *m, tmp.path / "out", nlohmann::json::object(), testing::tiny_vocab_path());
  });
  EXPECT_NE(msg.find("a custom encoder has no Hugging Face layout"), std::string::npos) << msg;
  dc.encoder = deepnet_tiny();
  dc.encoder.deepnorm_constants = DeepNormConstants::kAdam;
  DualEncoder adam(dc);
  const auto msg2 = testing::error_of([&] {
    save_sentence_transformer(
        *adam, tmp.path / "out", nlohmann::json::object(), testing::tiny_vocab_path());
  });
  EXPECT_NE(msg2.find("deepnorm_constants 'adam' cannot be expressed"), std::string::npos) << msg2;
  EXPECT_FALSE(fs::exists(tmp.path / "out"));
}

}  // namespace
}  // namespace sentzoo
