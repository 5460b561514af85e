// sentzoo-export: a checkpoint folder -> one TorchScript file that serves the model alone.
#include <spdlog/spdlog.h>

#include "core/cli.h"
#include "eval/export_model.h"

namespace {

int run_export(const cxxopts::ParseResult& args) {
  using namespace sentzoo;
  ExportRequest r;
  r.checkpoint = cli::required<std::string>(args, "checkpoint");
  r.output = cli::required<std::string>(args, "output");
  r.format = args["format"].as<std::string>();
  if (args.count("kind")) r.kind = args["kind"].as<std::string>();
  if (args.count("pooling")) r.pooling = args["pooling"].as<std::string>();
  if (args.count("normalize")) r.normalize = args["normalize"].as<bool>();
  if (args.count("max-length")) r.max_length = args["max-length"].as<int64_t>();
  nlohmann::json meta;
  try {
    meta = export_model(r);
  } catch (const std::invalid_argument& e) {
    throw cli::UsageError(e.what());
  }
  spdlog::info("wrote {}: {} encoder, {}, max_length {}",
               r.output.string(),
               meta["kind"].get<std::string>(),
               meta["architecture"].get<std::string>(),
               meta.value("max_length", int64_t{0}));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("sentzoo-export",
                           "Export a dual or cross encoder to TorchScript (pooling included)");
  options.add_options()("c,checkpoint",
                        "sentzoo training output, sentence-transformers or HF folder",
                        cxxopts::value<std::string>())(
      "o,output", "output .pt file", cxxopts::value<std::string>())(
      "format",
      "torchscript | huggingface (dual encoders: a sentence-transformers folder; see "
      "docs/LAYOUTS.md)",
      cxxopts::value<std::string>()->default_value("torchscript"))(
      "kind", "dual | cross (when the folder does not say)", cxxopts::value<std::string>())(
      "pooling",
      "cls | mean | max | weighted_mean | last_token | first_last_avg",
      cxxopts::value<std::string>())(
      "normalize",
      "L2-normalise the output vectors (--normalize=false to refuse)",
      cxxopts::value<bool>()->implicit_value("true"))(
      "max-length", "tokenizer max length stored in the metadata", cxxopts::value<int64_t>());
  sentzoo::cli::add_common_options(options);
  return sentzoo::cli::run(argc, argv, options, run_export);
}
