// sentzoo-encode: a TorchScript export (or training folder) + one sentence per line -> N x D
// float32 .npy in input order.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "core/cli.h"
#include "core/progress.h"
#include "eval/pair_model.h"
#include "io/npy.h"

namespace {

int encode(const cxxopts::ParseResult& args) {
  using namespace sentzoo;
  const auto model_path = cli::required<std::string>(args, "model");
  const auto input = cli::required<std::string>(args, "input");
  const auto output = cli::required<std::string>(args, "output");
  const auto batch = args["batch-size"].as<int64_t>();
  if (batch < 1) throw cli::UsageError("--batch-size must be >= 1");
  const int side = args["side"].as<int>();
  if (side != 0 && side != 1) throw cli::UsageError("--side must be 0 or 1");
  std::ifstream in(input);
  if (!in) throw std::runtime_error(input + ": cannot open");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  const auto precision = cli::parsed_option(args, "precision", parse_inference_precision);
  const auto model = PairModel::load(model_path, precision);
  if (side == 1 && !model.separate_towers())
    spdlog::info("--side 1: this model shares one tower, so both sides give the same vectors");
  // Progress on stderr: a bar on a terminal, a line every 10 s otherwise, nothing under 3 s.
  ProgressMeter meter({.terminal = ::isatty(::fileno(stderr)) != 0}, [](const std::string& s) {
    std::fputs(s.c_str(), stderr);
    std::fflush(stderr);
  });
  auto emb = model.encode(
      lines,
      batch,
      [&](int64_t done, int64_t total) { meter.update("encoding texts", done, total); },
      side);
  emb = emb.contiguous();
  const int64_t dim = emb.dim() == 2 ? emb.size(1) : 0;
  write_npy(output, emb.data_ptr<float>(), {static_cast<int64_t>(lines.size()), dim});
  spdlog::info("wrote {}: {} x {} float32", output, lines.size(), dim);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("sentzoo-encode", "Sentences (one per line) -> embeddings .npy");
  options.add_options()("m,model",
                        "TorchScript .pt from sentzoo-export (or a training folder)",
                        cxxopts::value<std::string>())(
      "i,input", "text file, one sentence per line", cxxopts::value<std::string>())(
      "o,output", "output .npy (float32, N x D)", cxxopts::value<std::string>())(
      "batch-size", "sentences per batch", cxxopts::value<int64_t>()->default_value("64"))(
      "side",
      "0: the first text of a pair / queries, 1: the second / documents (separate towers)",
      cxxopts::value<int>()->default_value("0"))(
      "precision",
      "fp32, bf16 (autocast over fp32 weights) or bf16-weights (the weights in bf16)",
      cxxopts::value<std::string>()->default_value("fp32"));
  sentzoo::cli::add_common_options(options);
  return sentzoo::cli::run(argc, argv, options, encode);
}
