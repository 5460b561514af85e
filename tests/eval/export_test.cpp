// TorchScript export: the scripted module equals the native one at shapes never seen before
// (every architecture, and every variation of the models' config matrix with every pooling,
// dense + normalize, separate towers and cross heads), fails when a parameter is not consumed,
// survives save + load with its extra files, and refuses files that are not sentzoo exports.

#include "models/export.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "models/encoder_config.h"
#include "models/script.h"
#include "tests/models/config_matrix.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;

EncoderConfig tiny(const std::string& arch) {
  auto c = encoder_preset(arch + "_tiny");
  c.hidden_dropout = 0.3;  // eval mode must switch dropout off in both
  c.attention_dropout = 0.3;
  return c;
}

struct Inputs {
  torch::Tensor ids, mask, seg;
};
// Padded batch (B, T) with ragged lengths; one row with a single token.
Inputs inputs(int64_t B, int64_t T, int64_t vocab, uint64_t seed) {
  torch::manual_seed(seed);
  Inputs in;
  in.ids = torch::randint(1, vocab, {B, T}, torch::kLong);
  in.mask = torch::ones({B, T}, torch::kLong);
  for (int64_t b = 0; b < B; ++b) {
    const int64_t len = b == B - 1 ? 1 : T - (b * 3) % T;
    in.mask.index_put_({b, torch::indexing::Slice(len)}, 0);
  }
  in.ids = in.ids * in.mask;
  in.seg = (torch::arange(T) >= T / 2).to(torch::kLong).expand({B, T}).contiguous() * in.mask;
  return in;
}

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a - b).abs().max().item<double>();
}

torch::Tensor run(torch::jit::Module& m, const Inputs& in, bool with_seg = true) {
  std::vector<torch::jit::IValue> args{in.ids, in.mask};
  if (with_seg) args.push_back(in.seg);
  return m.forward(args).toTensor();
}

TEST(Export, DualEncoderEveryArchitectureAndPooling) {
  for (const std::string arch : {"bert", "roformer", "roformer_v2", "deepnet"}) {
    for (const std::string pool :
         {"cls", "mean", "max", "weighted_mean", "last_token", "first_last_avg"}) {
      torch::manual_seed(7);
      DualEncoderConfig c;
      c.encoder = tiny(arch);
      c.pooling.mode = pool;
      c.pooling.normalize = pool == "mean" || pool == "max";
      c.pooling.dense_dim = pool == "cls" ? 5 : 0;
      DualEncoder model(c);
      model->eval();
      auto jm = script_dual_encoder(*model);
      torch::NoGradGuard no_grad;
      for (auto [B, T] : {std::pair<int64_t, int64_t>{3, 11}, {1, 4}, {5, 23}}) {
        auto in = inputs(B, T, c.encoder.vocab_size, B * 100 + T);
        auto ref = model->forward(in.ids, in.mask, in.seg);
        EXPECT_LE(max_diff(run(jm, in), ref), 1e-5) << arch << " " << pool << " B=" << B;
        auto ref0 = model->forward(in.ids, in.mask);
        EXPECT_LE(max_diff(run(jm, in, false), ref0), 1e-5) << arch << " " << pool;
      }
    }
  }
}

TEST(Export, SeparateTowersExportBothSides) {
  torch::manual_seed(3);
  DualEncoderConfig c;
  c.encoder = tiny("bert");
  c.shared = false;
  DualEncoder model(c);
  model->eval();
  auto jm = script_dual_encoder(*model);
  torch::NoGradGuard no_grad;
  auto in = inputs(2, 9, c.encoder.vocab_size, 1);
  auto side1 = jm.get_method("forward_side1")({in.ids, in.mask}).toTensor();
  EXPECT_LE(max_diff(side1, model->forward(in.ids, in.mask, {}, 1)), 1e-5);
  EXPECT_LE(max_diff(run(jm, in, false), model->forward(in.ids, in.mask, {}, 0)), 1e-5);
}

TEST(Export, CrossEncoderHeads) {
  for (const std::string arch : {"bert", "roformer", "roformer_v2", "deepnet"}) {
    for (int64_t labels : {1, 3}) {
      torch::manual_seed(11);
      CrossEncoderConfig c;
      c.encoder = tiny(arch);
      c.num_labels = labels;
      c.head_input = c.encoder.with_pooler && labels == 1 ? "pooler" : "cls";
      c.zero_segments = arch == "roformer_v2";
      CrossEncoder model(c);
      model->eval();
      auto jm = script_cross_encoder(*model);
      torch::NoGradGuard no_grad;
      auto in = inputs(4, 13, c.encoder.vocab_size, 5);
      EXPECT_LE(max_diff(run(jm, in), model->forward(in.ids, in.mask, in.seg)), 1e-5)
          << arch << " labels=" << labels;
    }
  }
}

// ---- the models' config matrix (tests/models/config_matrix.h) x every pooling and head ----

class ExportMatrix : public ::testing::TestWithParam<testing::Variation> {};

TEST_P(ExportMatrix, DualEveryPoolingAndCrossHeadsMatchNative) {
  auto enc = testing::varied_config(GetParam());
  enc.hidden_dropout = 0.3;  // eval mode must switch dropout off in both
  enc.attention_dropout = 0.3;
  const std::vector<std::string> pools = {
      "cls", "mean", "max", "weighted_mean", "last_token", "first_last_avg"};
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < pools.size(); ++i) {
    torch::manual_seed(7 + i);
    DualEncoderConfig c;
    c.encoder = enc;
    c.pooling.mode = pools[i];
    c.pooling.dense_dim = i % 2 == 0 ? 5 : 0;  // dense on cls, max, last_token
    c.pooling.dense_activation = i == 4 ? "identity" : "tanh";
    c.pooling.normalize = i % 3 != 2;  // off for max, first_last_avg
    c.shared = i != 3;                 // separate towers for weighted_mean
    DualEncoder model(c);
    model->eval();
    auto jm = script_dual_encoder(*model);
    for (auto [B, T] : {std::pair<int64_t, int64_t>{3, 11}, {2, 6}}) {
      auto in = inputs(B, T, enc.vocab_size, B * 100 + T + i);
      if (enc.type_vocab_size < 2) in.seg.zero_();
      EXPECT_LE(max_diff(run(jm, in), model->forward(in.ids, in.mask, in.seg)), 1e-5)
          << pools[i] << " B=" << B;
      EXPECT_LE(max_diff(run(jm, in, false), model->forward(in.ids, in.mask)), 1e-5) << pools[i];
      if (!c.shared) {
        auto side1 = jm.get_method("forward_side1")({in.ids, in.mask, in.seg}).toTensor();
        EXPECT_LE(max_diff(side1, model->forward(in.ids, in.mask, in.seg, 1)), 1e-5);
      }
    }
  }
  for (const auto& [head, labels, zero_segments] :
       std::vector<std::tuple<std::string, int64_t, bool>>{
           {"pooler", 1, false}, {"cls", 3, true}, {"pooler", 4, true}, {"cls", 1, false}}) {
    if (head == "pooler" && !enc.with_pooler) continue;
    torch::manual_seed(11);
    CrossEncoderConfig c;
    c.encoder = enc;
    c.num_labels = labels;
    c.head_input = head;
    c.zero_segments = zero_segments;
    CrossEncoder model(c);
    model->eval();
    auto jm = script_cross_encoder(*model);
    auto in = inputs(4, 13, enc.vocab_size, 5);
    if (enc.type_vocab_size < 2) in.seg.zero_();
    EXPECT_LE(max_diff(run(jm, in), model->forward(in.ids, in.mask, in.seg)), 1e-5)
        << head << " labels=" << labels;
  }
}

INSTANTIATE_TEST_SUITE_P(Matrix,
                         ExportMatrix,
                         ::testing::ValuesIn(testing::config_variations()),
                         [](const ::testing::TestParamInfo<testing::Variation>& info) {
                           return info.param.name;
                         });

TEST(Export, FailsNamingAParameterTheSourceDoesNotConsume) {
  torch::manual_seed(2);
  DualEncoderConfig c;
  c.encoder = tiny("bert");
  DualEncoder model(c);
  // A parameter the native module would own but no script() fragment reads.
  model->tower->layers[1]->as<TransformerBlock>()->ffn->register_parameter("gate",
                                                                           torch::ones({3}));
  try {
    script_dual_encoder(*model);
    FAIL() << "export consumed every parameter";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("tower.layers.1.ffn.gate"), std::string::npos) << e.what();
  }
  EXPECT_THROW(detail::dual_encoder_source(*model), std::logic_error);
}

TEST(Export, SaveAndLoadKeepsOutputsAndExtraFiles) {
  torch::manual_seed(5);
  DualEncoderConfig c;
  c.encoder = tiny("roformer_v2");
  c.pooling.mode = "mean";
  c.pooling.normalize = true;
  DualEncoder model(c);
  model->eval();
  auto jm = script_dual_encoder(*model);
  const fs::path dir = fs::temp_directory_path() / "sentzoo_export_test";
  fs::create_directories(dir);
  { std::ofstream(dir / "vocab.txt") << "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\n"; }
  ExportFiles files;
  files.metadata = {{"kind", "dual"}, {"pooling", "mean"}, {"max_length", 32}};
  files.config = c.encoder;
  files.tokenizer = dir / "vocab.txt";
  save_torchscript(jm, dir / "m.pt", files);
  auto loaded = load_torchscript(dir / "m.pt");
  EXPECT_EQ(loaded.metadata.at("kind"), "dual");
  EXPECT_EQ(loaded.files.at("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\n");
  EXPECT_EQ(nlohmann::json::parse(loaded.files.at("config.json")).at("architecture"),
            "roformer_v2");
  torch::NoGradGuard no_grad;
  auto in = inputs(3, 17, c.encoder.vocab_size, 9);
  EXPECT_LE(max_diff(run(loaded.module, in), model->forward(in.ids, in.mask, in.seg)), 1e-5);
  // Not an archive, and an archive without metadata.
  std::ofstream(dir / "bad.pt") << "not a zip";
  EXPECT_THROW(load_torchscript(dir / "bad.pt"), std::runtime_error);
  EXPECT_THROW(load_torchscript(dir / "missing.pt"), std::runtime_error);
  jm.save((dir / "plain.pt").string());
  EXPECT_THROW(load_torchscript(dir / "plain.pt"), std::runtime_error);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sentzoo
