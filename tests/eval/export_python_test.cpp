// A sentzoo export loaded by Python's torch.jit.load (Debian's python3-torch through
// /usr/bin/python3, tools/reference/check_export_python.py) gives the native outputs at a shape
// never used before. Skipped, visibly, when that Python has no torch.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "models/export.h"
#include "tests/eval/export_test_util.h"

namespace sentzoo {
namespace {

bool python_has_torch() {
  static const bool ok = std::system("/usr/bin/python3 -c 'import torch' > /dev/null 2>&1") == 0;
  return ok;
}

nlohmann::json rows(const torch::Tensor& t) {
  nlohmann::json j = nlohmann::json::array();
  auto c = t.to(torch::kDouble).contiguous();
  for (int64_t i = 0; i < c.size(0); ++i) {
    auto r = c[i];
    j.push_back(std::vector<double>(r.data_ptr<double>(), r.data_ptr<double>() + r.numel()));
  }
  return j;
}

TEST(ExportPython, TorchJitLoadGivesTheNativeOutputs) {
  if (!python_has_torch())
    GTEST_SKIP() << "/usr/bin/python3 cannot import torch (apt-get install python3-torch): "
                    "Python torch.jit.load round trip not checked";
  testing::TempDir tmp("exportpy");
  torch::manual_seed(23);
  DualEncoderConfig c;
  c.encoder = encoder_preset("roformer_tiny");
  c.pooling.mode = "first_last_avg";
  c.pooling.normalize = true;
  DualEncoder model(c);
  model->eval();
  auto jm = script_dual_encoder(*model);
  save_torchscript(jm, tmp.path / "m.pt", {{{"kind", "dual"}}, c.encoder, {}});
  auto ids = torch::randint(1, c.encoder.vocab_size, {3, 9}, torch::kLong);
  auto mask = torch::ones({3, 9}, torch::kLong);
  mask.index_put_({1, torch::indexing::Slice(4)}, 0);
  mask.index_put_({2, torch::indexing::Slice(7)}, 0);
  ids = ids * mask;
  torch::NoGradGuard no_grad;
  nlohmann::json kase = {{"input_ids", rows(ids)},
                         {"attention_mask", rows(mask)},
                         {"expected", rows(model->forward(ids, mask))},
                         {"tol", 1e-5}};
  std::ofstream(tmp.path / "case.json") << kase.dump();
  const std::string cmd = "/usr/bin/python3 " +
                          (std::filesystem::path(SENTZOO_TEST_SOURCE_DIR) / "tools" / "reference" /
                           "check_export_python.py")
                              .string() +
                          " " + (tmp.path / "m.pt").string() + " " +
                          (tmp.path / "case.json").string();
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

}  // namespace
}  // namespace sentzoo
