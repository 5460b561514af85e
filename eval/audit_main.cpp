// sentzoo-audit: which classes of a softmax output layer can never be the argmax (REFERENCE.md
// §11, blog 9046). Prints one line per unargmaxable class (index TAB token-or-index) on stdout,
// the summary on stderr.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/cli.h"
#include "core/progress.h"
#include "eval/output_layer.h"
#include "io/atomic_file.h"
#include "metrics/argmaxability.h"

namespace {

int audit(const cxxopts::ParseResult& args) {
  using namespace sentzoo;
  const bool from_model = args.count("model") > 0, from_file = args.count("weights") > 0;
  if (from_model == from_file)
    throw cli::UsageError("give either --model DIR or --weights FILE --weight NAME");
  if (from_model && (args.count("weight") || args.count("bias") || args.count("vocab")))
    throw cli::UsageError("--weight, --bias and --vocab go with --weights, not --model");
  ArgmaxabilityOptions options;
  options.patience = args["patience"].as<int64_t>();
  options.box = args["box"].as<double>();
  options.exact = !args.count("no-exact");
  if (options.patience < 0) throw cli::UsageError("--patience must be >= 0");
  if (!(options.box > 0)) throw cli::UsageError("--box must be > 0");

  const auto layer = from_model ? output_layer_from_folder(args["model"].as<std::string>())
                                : output_layer_from_safetensors(
                                      args["weights"].as<std::string>(),
                                      cli::required<std::string>(args, "weight"),
                                      args.count("bias") ? args["bias"].as<std::string>() : "",
                                      args.count("vocab") ? args["vocab"].as<std::string>() : "");
  spdlog::info("auditing the {}: {} classes x {} dims",
               layer.description,
               layer.weight.size(0),
               layer.weight.size(1));
  ProgressMeter meter({.terminal = ::isatty(::fileno(stderr)) != 0}, [](const std::string& s) {
    std::fputs(s.c_str(), stderr);
    std::fflush(stderr);
  });
  const auto result = audit_argmaxability(layer.weight, layer.bias, options, meter.callback());
  // A class by its token when the layer has a vocabulary, else by its index.
  const auto label_of = [&](int64_t k) {
    return layer.labels.empty() ? std::to_string(k) : layer.labels[k];
  };
  for (const auto k : result.unargmaxable)
    std::printf("%lld\t%s\n", static_cast<long long>(k), label_of(k).c_str());
  for (const auto k : result.undecided)
    std::printf("%lld\t%s\tundecided\n", static_cast<long long>(k), label_of(k).c_str());
  std::fflush(stdout);
  const double seconds = result.braid_seconds + result.exact_seconds;
  spdlog::info("braid reflect (patience {}) cleared {} of {} classes in {:.2f} s",
               options.patience,
               result.cleared_by_braid,
               result.classes,
               result.braid_seconds);
  if (options.exact)
    spdlog::info("exact LP (box [-{}, {}]^{}) decided the other {} in {:.2f} s",
                 options.box,
                 options.box,
                 result.dim,
                 result.decided.size(),
                 result.exact_seconds);
  else
    spdlog::info("--no-exact: {} candidates left undecided (listed with 'undecided')",
                 result.undecided.size());
  spdlog::info("{} unargmaxable of {} classes ({} bias); {:.3f} ms per class",
               result.unargmaxable.size(),
               result.classes,
               result.has_bias ? "with" : "no",
               1e3 * seconds / static_cast<double>(result.classes));
  if (args.count("json")) {
    nlohmann::json report = {{"layer", layer.description},
                             {"classes", result.classes},
                             {"dim", result.dim},
                             {"has_bias", result.has_bias},
                             {"patience", options.patience},
                             {"box", options.box},
                             {"exact", options.exact},
                             {"cleared_by_braid", result.cleared_by_braid},
                             {"braid_seconds", result.braid_seconds},
                             {"exact_seconds", result.exact_seconds},
                             {"undecided", result.undecided},
                             {"decided", nlohmann::json::array()},
                             {"unargmaxable", nlohmann::json::array()}};
    for (const auto& v : result.decided)
      report["decided"].push_back({{"index", v.index},
                                   {"argmaxable", v.argmaxable},
                                   {"decided_by", v.decided_by},
                                   {"bound", v.bound},
                                   {"rival", v.rival}});
    for (const auto k : result.unargmaxable)
      report["unargmaxable"].push_back({{"index", k}, {"label", label_of(k)}});
    write_file_atomic(args["json"].as<std::string>(), report.dump(2) + "\n");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("sentzoo-audit",
                           "Which classes of a softmax output layer can never be the argmax "
                           "(unargmaxable tokens, blog 9046)");
  options.add_options()("model",
                        "model folder: sentzoo training folder (MLM head, cross-encoder "
                        "classifier) or Hugging Face checkpoint with an MLM head",
                        cxxopts::value<std::string>())(
      "weights", "a safetensors file holding the matrix", cxxopts::value<std::string>())(
      "weight", "with --weights: the matrix (classes x dim)", cxxopts::value<std::string>())(
      "bias", "with --weights: the bias vector (default: none)", cxxopts::value<std::string>())(
      "vocab",
      "with --weights: vocab.txt, tokenizer.json or folder naming the rows",
      cxxopts::value<std::string>())("patience",
                                     "braid-reflect rounds per class",
                                     cxxopts::value<int64_t>()->default_value("100"))(
      "box",
      "the exact LP searches inputs in [-box, box]^dim",
      cxxopts::value<double>()->default_value("100"))(
      "no-exact", "stop after braid reflect and list its candidates as undecided")(
      "json",
      "also write the verdicts and timings to this JSON file",
      cxxopts::value<std::string>());
  sentzoo::cli::add_common_options(options);
  return sentzoo::cli::run(argc, argv, options, audit);
}
