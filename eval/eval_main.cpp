// sentzoo-eval: a model (TorchScript export or training folder) + labelled pairs -> metrics JSON
// on stdout (or --json), a one-line summary on stderr, optional per-pair predictions TSV.
// `sentzoo-eval compare ...` measures a dual and a cross encoder side by side (eval/compare.h).
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/cli.h"
#include "core/progress.h"
#include "data/dataset.h"
#include "eval/compare.h"
#include "eval/pair_eval.h"
#include "eval/provenance.h"
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

// Progress on stderr: a bar on a terminal, a line every 10 s otherwise, nothing under 3 s.
sentzoo::ProgressMeter stderr_progress() {
  return sentzoo::ProgressMeter({.terminal = ::isatty(::fileno(stderr)) != 0},
                                [](const std::string& s) {
                                  std::fputs(s.c_str(), stderr);
                                  std::fflush(stderr);
                                });
}

int evaluate(const cxxopts::ParseResult& args) {
  using namespace sentzoo;
  const auto model_path = cli::required<std::string>(args, "model");
  const auto test = read_pairs_arg(cli::required<std::string>(args, "test"));
  std::optional<std::vector<PairExample>> valid;
  if (args.count("valid")) valid = read_pairs_arg(args["valid"].as<std::string>());
  const auto precision = cli::parsed_option(args, "precision", parse_inference_precision);
  const auto model = PairModel::load(model_path, precision);
  auto meter = stderr_progress();
  const auto e =
      evaluate_pairs(model, test, valid, args["batch-size"].as<int64_t>(), meter.callback());
  auto j = e.json();
  j["model"] = model_record(model_path, model);
  j["precision"] = to_string(precision);
  write_json(j, args);
  if (args.count("predictions"))
    write_predictions(args["predictions"].as<std::string>(), test, e.test);
  spdlog::info("{} ({} encoder)", summary_line(e), model.kind());
  for (const auto& w : evaluation_warnings(e.test.json)) spdlog::warn("{}", w);
  return 0;
}

// "1000,10000" -> {1000, 10000}.
std::vector<int64_t> parse_sizes(const std::string& text) {
  const sentzoo::cli::UsageError bad(
      "--retrieval-n: expected positive integers separated by "
      "commas, found '" +
      text + "'");
  std::vector<int64_t> out;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    char* end = nullptr;
    const long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < 1) throw bad;
    out.push_back(v);
  }
  if (out.empty()) throw bad;
  return out;
}

int compare(const cxxopts::ParseResult& args) {
  using namespace sentzoo;
  CompareOptions o;
  o.dual = cli::required<std::string>(args, "dual");
  o.cross = cli::required<std::string>(args, "cross");
  o.output = cli::required<std::string>(args, "output");
  o.batch_size = args["batch-size"].as<int64_t>();
  o.cross_budget_seconds = args["cross-budget"].as<double>();
  o.retrieval_n = parse_sizes(args["retrieval-n"].as<std::string>());
  o.repeats = args["repeats"].as<int>();
  if (o.repeats < 1) throw cli::UsageError("--repeats must be >= 1");
  o.test_spec = cli::required<std::string>(args, "test");
  o.valid_spec = cli::required<std::string>(args, "valid");
  const auto test = read_pairs_arg(o.test_spec);
  const auto valid = read_pairs_arg(o.valid_spec);
  auto meter = stderr_progress();
  run_compare(
      o, valid, test, [](const std::string& m) { spdlog::info("{}", m); }, meter.callback());
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
        "valid", "FMT:PATH pairs the thresholds are tuned on", cxxopts::value<std::string>())(
        "test",
        "FMT:PATH pairs to report, any file: tsv:/abs/test.tsv, tsv:./x.tsv, or a path under "
        "$SENTZOO_DATA",
        cxxopts::value<std::string>())("o,output", "report folder", cxxopts::value<std::string>())(
        "batch-size", "batch size", cxxopts::value<int64_t>()->default_value("64"))(
        "cross-budget",
        "seconds of cross passes timed per retrieval N (the rest is measured cost x N)",
        cxxopts::value<double>()->default_value("20"))(
        "retrieval-n",
        "candidate counts N of the retrieval timing, comma-separated",
        cxxopts::value<std::string>()->default_value("1000,10000"))(
        "repeats", "dual query timings per N (median)", cxxopts::value<int>()->default_value("5"));
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
      "batch-size", "batch size", cxxopts::value<int64_t>()->default_value("64"))(
      "precision",
      "fp32, bf16 (autocast over fp32 weights) or bf16-weights (the weights in bf16)",
      cxxopts::value<std::string>()->default_value("fp32"));
  sentzoo::cli::add_common_options(options);
  return sentzoo::cli::run(argc, argv, options, evaluate);
}
