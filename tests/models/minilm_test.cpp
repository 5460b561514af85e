// Real pretrained weights: sentence-transformers/all-MiniLM-L6-v2 (scripts/fetch_models.sh)
// through the HF loader, fed the HF tokenizer's ids stored by tools/reference/gen_model_minilm.py.
// Skipped visibly when the model folder or SENTZOO_DATA is absent.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "data/dataset.h"
#include "data/dataset_spec.h"
#include "data/tokenizer.h"
#include "io/safetensors.h"
#include "metrics/metrics.h"
#include "models/dual_encoder.h"
#include "models/hf_weights.h"
#include "models/pooling.h"
#include "tests/test_util.h"

namespace sentzoo {
namespace {

std::filesystem::path model_dir() {
  const char* env = std::getenv("SENTZOO_MODELS");
  const char* home = std::getenv("HOME");
  std::filesystem::path root =
      env && *env ? env : std::filesystem::path(home ? home : "") / ".cache/sentzoo/models";
  return root / "all-MiniLM-L6-v2";
}

#define SENTZOO_REQUIRE_MINILM()                                           \
  if (!std::filesystem::exists(model_dir() / "model.safetensors"))         \
  GTEST_SKIP() << "all-MiniLM-L6-v2 not found at " << model_dir().string() \
               << " (run scripts/fetch_models.sh or set SENTZOO_MODELS)"

struct Fixture {
  TensorMap t;
  std::map<std::string, std::string> meta;
  std::vector<torch::Tensor> ids;  // one (T) int64 tensor per sentence
};

Fixture load_fixture() {
  const auto path = (testing::fixture_dir() / "models" / "minilm_stsb_test.safetensors").string();
  Fixture f{read_safetensors(path), read_safetensors_metadata(path), {}};
  EXPECT_EQ(f.meta["version"], "1") << "---> HINT: re-run tools/reference/gen_model_minilm.py";
  auto flat = f.t["ids"].to(torch::kLong);
  auto off = f.t["offsets"];
  for (int64_t i = 0; i + 1 < off.size(0); ++i)
    f.ids.push_back(flat.slice(0, off[i].item<int64_t>(), off[i + 1].item<int64_t>()));
  return f;
}

// Sentence vectors of sentences [begin, end) through the folder's own modules (modules.json:
// Transformer, Pooling(mean), Normalize), in length-sorted batches to limit padding.
torch::Tensor encode(DualEncoder& model,
                     const std::vector<torch::Tensor>& ids,
                     size_t begin,
                     size_t end) {
  std::vector<size_t> order(end - begin);
  std::iota(order.begin(), order.end(), begin);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return ids[a].size(0) < ids[b].size(0);
  });
  auto out = torch::zeros({static_cast<int64_t>(end - begin), model->config.encoder.hidden_size});
  torch::NoGradGuard no_grad;
  for (size_t s = 0; s < order.size(); s += 64) {
    const size_t e = std::min(order.size(), s + 64);
    int64_t T = 0;
    for (size_t i = s; i < e; ++i) T = std::max(T, ids[order[i]].size(0));
    auto batch = torch::zeros({static_cast<int64_t>(e - s), T}, torch::kLong);
    auto mask = torch::zeros_like(batch);
    for (size_t i = s; i < e; ++i) {
      const auto n = ids[order[i]].size(0);
      batch[i - s].slice(0, 0, n).copy_(ids[order[i]]);
      mask[i - s].slice(0, 0, n).fill_(1);
    }
    auto v = model->forward(batch, mask);
    for (size_t i = s; i < e; ++i) out[order[i] - begin] = v[i - s];
  }
  return out;
}

TEST(MiniLM, EmbeddingsMatchSentenceTransformersEncode) {
  SENTZOO_REQUIRE_MINILM();
  SENTZOO_REQUIRE_DATA(data, "en/STS-B/sts-test.csv");
  auto f = load_fixture();
  auto enc = load_sentence_transformer(model_dir().string());
  enc->eval();
  EXPECT_EQ(enc->config.pooling.mode, "mean");
  EXPECT_TRUE(enc->config.pooling.normalize);
  // The first 128 of the stored sentences keep this under ~2 s; the slow test checks all pairs.
  const int64_t n = std::min<int64_t>(128, std::stoll(f.meta["n_emb"]));
  auto got = encode(enc, f.ids, 0, n);
  auto want = f.t["embeddings_f16"].slice(0, 0, n).to(torch::kFloat);
  auto cos = torch::nn::functional::cosine_similarity(
      got, want, torch::nn::functional::CosineSimilarityFuncOptions().dim(1));
  EXPECT_GE(cos.min().item<double>(), 0.99999) << "worst sentence " << cos.argmin().item<int64_t>();
  RecordProperty("min_cosine", std::to_string(cos.min().item<double>()));
}

// The ids the fixture fed the model are exactly what sentzoo's own tokenizer (the model folder's
// vocab.txt, lowercase as its tokenizer_config.json says) gives for the STS-B test file read
// through the stsb reader: so the end-to-end path text -> ids -> embedding matches too.
TEST(MiniLM, OurTokenizerGivesTheIdsTheModelWasCheckedWith) {
  SENTZOO_REQUIRE_MINILM();
  SENTZOO_REQUIRE_DATA(data, "en/STS-B/sts-test.csv");
  const auto f = load_fixture();
  const auto tokenizer = load_tokenizer(model_dir() / "vocab.txt", TokenizerOptions{});
  const auto pairs = read_dataset(parse_dataset_spec("stsb:" + data.string())).pairs;
  ASSERT_EQ(pairs.size() * 2, f.ids.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    for (int side = 0; side < 2; ++side) {
      const auto& want = f.ids[2 * i + side];
      const auto got =
          tokenizer->encode(side == 0 ? pairs[i].text1 : pairs[i].text2, /*max_length=*/256).ids;
      ASSERT_TRUE(torch::equal(torch::tensor(got, torch::kLong), want))
          << "sentence " << 2 * i + side << " of " << data.string();
    }
  }
}

// Encodes all 2758 sentences (about 15 s of CPU): opt-in with SENTZOO_SLOW_TESTS=1.
TEST(MiniLM, ZeroShotStsbTestSpearmanMatches) {
  SENTZOO_REQUIRE_MINILM();
  if (!std::getenv("SENTZOO_SLOW_TESTS"))
    GTEST_SKIP() << "slow test (encodes 2758 sentences): set SENTZOO_SLOW_TESTS=1 to run";
  SENTZOO_REQUIRE_DATA(data, "en/STS-B/sts-test.csv");
  auto f = load_fixture();
  // Gold scores from the data (column 5 of the tab-separated file), checked against the fixture.
  std::ifstream in(data);
  std::vector<double> gold;
  for (std::string line; std::getline(in, line);) {
    std::stringstream ss(line);
    std::string field;
    for (int i = 0; i < 5; ++i) std::getline(ss, field, '\t');
    gold.push_back(std::stod(field));
  }
  ASSERT_EQ(static_cast<int64_t>(gold.size()) * 2, static_cast<int64_t>(f.ids.size())) << data;
  auto enc = load_sentence_transformer(model_dir().string());
  enc->eval();
  EXPECT_EQ(enc->config.pooling.mode, "mean");
  EXPECT_TRUE(enc->config.pooling.normalize);
  auto emb = encode(enc, f.ids, 0, f.ids.size());
  const int64_t n = std::stoll(f.meta["n_emb"]);
  auto all = torch::nn::functional::cosine_similarity(
      emb.slice(0, 0, n),
      f.t["embeddings_f16"].to(torch::kFloat),
      torch::nn::functional::CosineSimilarityFuncOptions().dim(1));
  EXPECT_GE(all.min().item<double>(), 0.99999);
  auto cos = (emb.slice(0, 0, c10::nullopt, 2) * emb.slice(0, 1, c10::nullopt, 2)).sum(1);
  EXPECT_LE((cos - f.t["pair_cosine"]).abs().max().item<double>(), 1e-5);
  std::vector<double> c(cos.data_ptr<float>(), cos.data_ptr<float>() + cos.numel());
  const double rho = spearman(c, gold);
  EXPECT_NEAR(rho, std::stod(f.meta["spearman"]), 1e-4);
  RecordProperty("spearman", std::to_string(rho));
  RecordProperty("max_pair_cos_diff",
                 std::to_string((cos - f.t["pair_cosine"]).abs().max().item<double>()));
  RecordProperty("min_cosine_512", std::to_string(all.min().item<double>()));
  EXPECT_NEAR(rho, 0.8203, 5e-4);  // sentence-transformers' published STS-B test figure (82.03)
}

}  // namespace
}  // namespace sentzoo
