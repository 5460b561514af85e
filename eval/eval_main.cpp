// sentzoo-eval: a model (TorchScript export or training folder) + labelled pairs -> metrics JSON
// on stdout (or --json), a one-line summary on stderr, optional per-pair predictions TSV.
// `sentzoo-eval compare ...` measures a dual and a cross encoder side by side (eval/compare.h).
#include <spdlog/spdlog.h>

#include <cstring>
#include <fstream>

#include "core/cli.h"
#include "data/dataset.h"
#include "eval/compare.h"
#include "eval/pair_eval.h"
#include "io/atomic_file.h"

namespace {

std::vector<sentzoo::PairExample> read_pairs_arg(const std::string& text) {
  sentzoo::DatasetSpec spec;
  try {
    spec = sentzoo::parse_dataset_spec(text);
  } catch (const std::invalid_argument& e) {
    throw sentzoo::cli::UsageError(e.what());
  }
  auto data = sentzoo::read_dataset(spec);
  if (data.kind != sentzoo::DatasetKind::kPairs)
    throw sentzoo::cli::UsageError(text +
                                   ": not a labelled pair format (need text1, text2, label)");
  return data.pairs;
}

void write_json(const nlohmann::json& j, const cxxopts::ParseResult& args) {
  if (args.count("json")) {
    sentzoo::write_file_atomic(args["json"].as<std::string>(), j.dump(2) + "\n");
  } else {
    fmt::print("{}\n", j.dump(2));
  }
}

int evaluate(const cxxopts::ParseResult& args) {
  using namespace sentzoo;
  const auto model_path = cli::required<std::string>(args, "model");
  const auto test = read_pairs_arg(cli::required<std::string>(args, "test"));
  std::optional<std::vector<PairExample>> valid;
  if (args.count("valid")) valid = read_pairs_arg(args["valid"].as<std::string>());
  const auto model = PairModel::load(model_path);
  const auto e = evaluate_pairs(model, test, valid, args["batch-size"].as<int64_t>());
  auto j = e.json();
  j["model"] = {{"path", model_path}, {"kind", model.kind()}};
  write_json(j, args);
  if (args.count("predictions"))
    write_predictions(args["predictions"].as<std::string>(), test, e.test);
  spdlog::info("{} ({} encoder)", summary_line(e), model.kind());
  return 0;
}

int compare(const cxxopts::ParseResult& args) {
  using namespace sentzoo;
  CompareOptions o;
  o.dual = cli::required<std::string>(args, "dual");
  o.cross = cli::required<std::string>(args, "cross");
  o.output = cli::required<std::string>(args, "output");
  o.batch_size = args["batch-size"].as<int64_t>();
  o.cross_budget_seconds = args["cross-budget"].as<double>();
  const auto test = read_pairs_arg(cli::required<std::string>(args, "test"));
  const auto valid = read_pairs_arg(cli::required<std::string>(args, "valid"));
  run_compare(o, valid, test, [](const std::string& m) { spdlog::info("{}", m); });
  spdlog::info("report: {}", (o.output / "report.md").string());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "compare") == 0) {
    cxxopts::Options options("sentzoo-eval compare",
                             "Dual vs cross encoder: accuracy and cost side by side");
    options.add_options()(
        "dual", "dual encoder (.pt or training folder)", cxxopts::value<std::string>())(
        "cross", "cross encoder (.pt or training folder)", cxxopts::value<std::string>())(
        "valid", "FMT:PATH pairs for thresholds", cxxopts::value<std::string>())(
        "test", "FMT:PATH pairs to report", cxxopts::value<std::string>())(
        "o,output", "report folder", cxxopts::value<std::string>())(
        "batch-size", "batch size", cxxopts::value<int64_t>()->default_value("64"))(
        "cross-budget",
        "seconds of cross passes timed per retrieval N (the rest is measured cost x N)",
        cxxopts::value<double>()->default_value("20"));
    sentzoo::cli::add_common_options(options);
    return sentzoo::cli::run(argc - 1, argv + 1, options, compare);
  }
  cxxopts::Options options(
      "sentzoo-eval",
      "Evaluate a dual or cross encoder on labelled pairs (also: sentzoo-eval compare --help)");
  options.add_options()("m,model",
                        "TorchScript .pt or training output folder (DIR or DIR/best)",
                        cxxopts::value<std::string>())(
      "test", "FMT:PATH labelled pairs, e.g. tsv:zh/LCQMC/test.txt", cxxopts::value<std::string>())(
      "valid", "FMT:PATH pairs the threshold is tuned on", cxxopts::value<std::string>())(
      "json", "write the metrics JSON here instead of stdout", cxxopts::value<std::string>())(
      "predictions", "TSV: text1, text2, label, score, predicted", cxxopts::value<std::string>())(
      "batch-size", "batch size", cxxopts::value<int64_t>()->default_value("64"));
  sentzoo::cli::add_common_options(options);
  return sentzoo::cli::run(argc, argv, options, evaluate);
}
