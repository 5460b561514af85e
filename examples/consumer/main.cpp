// A serving program that knows nothing of sentzoo: it loads a file written by sentzoo-export with
// plain LibTorch (torch::jit::load), reads the metadata stored inside, and runs a batch of token
// ids through it. Build it alone: cmake -S examples/consumer -B build-consumer
// -DCMAKE_PREFIX_PATH=<libtorch> && cmake --build build-consumer.
//
// Usage: sentzoo-example-consumer MODEL.pt IDS [, IDS ...]
//   e.g. sentzoo-example-consumer model.pt 101 2769 4263 102 , 101 872 102
// Rows separated by "," are padded with 0 (attention_mask marks the real tokens). Prints
// metadata.json to stderr and one output row per line (9 significant digits) to stdout.

#include <torch/script.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: " << argv[0] << " MODEL.pt IDS [, IDS ...]\n";
    return 2;
  }
  std::vector<std::vector<int64_t>> rows(1);
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == ",") {
      rows.emplace_back();
      continue;
    }
    try {
      rows.back().push_back(std::stoll(a));
    } catch (const std::exception&) {
      std::cerr << "not a token id: '" << a << "'\n";
      return 2;
    }
  }
  size_t T = 1;
  for (const auto& r : rows) T = std::max(T, r.size());
  const auto B = static_cast<int64_t>(rows.size());
  auto ids = torch::zeros({B, static_cast<int64_t>(T)}, torch::kLong);
  auto mask = torch::zeros({B, static_cast<int64_t>(T)}, torch::kLong);
  for (int64_t b = 0; b < B; ++b)
    for (size_t t = 0; t < rows[b].size(); ++t) {
      ids[b][static_cast<int64_t>(t)] = rows[b][t];
      mask[b][static_cast<int64_t>(t)] = 1;
    }
  torch::jit::ExtraFilesMap extra{{"metadata.json", ""}, {"vocab.txt", ""}};
  torch::jit::Module module;
  try {
    module = torch::jit::load(argv[1], torch::kCPU, extra);
  } catch (const c10::Error& e) {
    std::cerr << argv[1] << ": cannot load: " << e.what_without_backtrace() << "\n";
    return 1;
  }
  module.eval();
  std::cerr << "metadata.json: " << extra["metadata.json"] << "\n";
  torch::NoGradGuard no_grad;
  auto out = module.forward({ids, mask}).toTensor().to(torch::kFloat).contiguous();
  if (out.dim() == 1) out = out.unsqueeze(1);
  for (int64_t b = 0; b < out.size(0); ++b) {
    for (int64_t d = 0; d < out.size(1); ++d)
      std::printf("%s%.9g", d ? " " : "", out[b][d].item<float>());
    std::printf("\n");
  }
  return 0;
}
