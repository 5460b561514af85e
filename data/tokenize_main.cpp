// sentzoo-tokenize: text -> token ids, for debugging data; and --build-vocab.
//
// Reads stdin line by line. Output, one line per input line: the ids separated by spaces,
// [CLS]/[SEP] included. With --types: ids, a TAB, then the token_type_ids separated by spaces.
// With --tokens: the tokens instead of the ids. --pair splits each line at its first TAB.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>

#include "core/cli.h"
#include "data/dataset.h"
#include "data/dataset_spec.h"
#include "data/tokenizer.h"
#include "data/vocab_builder.h"

namespace {

template <class T>
void print_joined(const std::vector<T>& v) {
  for (size_t i = 0; i < v.size(); ++i) std::cout << (i ? " " : "") << v[i];
}

int build_vocab_main(const cxxopts::ParseResult& args) {
  sentzoo::VocabBuildConfig config;
  config.min_count = args["min-count"].as<int64_t>();
  config.max_size = args["max-size"].as<int64_t>();
  config.lowercase = !args.count("no-lowercase");
  if (!args.count("corpus")) throw sentzoo::cli::UsageError("--build-vocab needs --corpus FILE...");
  const auto output = sentzoo::cli::required<std::string>(args, "output");
  std::vector<std::filesystem::path> corpus;
  for (const auto& c : args["corpus"].as<std::vector<std::string>>()) corpus.emplace_back(c);
  const auto tokens = sentzoo::build_vocab(corpus, config);
  sentzoo::write_vocab(tokens, output);
  spdlog::info("wrote {} tokens to {}", tokens.size(), output);
  return sentzoo::cli::kExitOk;
}

// Single-thread throughput on the lines of stdin, repeated for at least a second.
int bench_main(const sentzoo::Tokenizer& tokenizer) {
  std::vector<std::string> lines;
  for (std::string line; std::getline(std::cin, line);) lines.push_back(line);
  if (lines.empty()) throw sentzoo::cli::UsageError("--bench needs lines on stdin");
  const auto start = std::chrono::steady_clock::now();
  size_t sentences = 0, tokens = 0;
  double seconds = 0;
  while (seconds < 1.0) {
    for (const auto& line : lines) tokens += tokenizer.encode(line).ids.size();
    sentences += lines.size();
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  std::cout << fmt::format("{:.0f} sentences/s, {:.0f} tokens/s ({} sentences, {:.2f} s)\n",
                           sentences / seconds,
                           tokens / seconds,
                           sentences,
                           seconds);
  return sentzoo::cli::kExitOk;
}

// --data: the texts of a data set file through the readers; ids per record (text1 TAB text2,
// or the packed pair with --pair), or with --stats the length distribution and truncation counts.
int data_main(const cxxopts::ParseResult& args, const sentzoo::Tokenizer& tokenizer) {
  const auto dataset =
      sentzoo::read_dataset(sentzoo::parse_dataset_spec(args["data"].as<std::string>()));
  spdlog::info("{}", sentzoo::describe(dataset.report));
  const int64_t max_length = args["max-length"].as<int64_t>();
  const bool stats = args.count("stats"), pair = args.count("pair"), tokens = args.count("tokens");
  std::vector<std::vector<std::string>> records;  // the texts of each record
  for (const auto& p : dataset.pairs) records.push_back({p.text1, p.text2});
  for (const auto& t : dataset.triplets) records.push_back({t.query, t.positive, t.negative});
  for (const auto& t : dataset.texts) records.push_back({t.text});
  std::vector<std::vector<int64_t>> lengths(pair ? 1 : 3);  // per field, untruncated
  for (const auto& r : records) {
    std::vector<sentzoo::Encoding> encodings;
    if (pair && r.size() >= 2) {
      encodings.push_back(tokenizer.encode_pair(r[0], r[1], stats ? 0 : max_length));
    } else {
      for (const auto& text : r)
        encodings.push_back(tokenizer.encode(text, stats ? 0 : max_length));
    }
    for (size_t i = 0; i < encodings.size(); ++i) {
      if (stats) {
        lengths[i].push_back(static_cast<int64_t>(encodings[i].ids.size()));
        continue;
      }
      std::cout << (i ? "\t" : "");
      if (tokens)
        print_joined(tokenizer.ids_to_tokens(encodings[i].ids));
      else
        print_joined(encodings[i].ids);
    }
    if (!stats) std::cout << '\n';
  }
  if (!stats) return sentzoo::cli::kExitOk;
  std::cout << fmt::format("records {}\n", records.size());
  const char* names[] = {pair ? "pair" : "text1", "text2", "text3"};
  for (size_t i = 0; i < lengths.size(); ++i) {
    auto& v = lengths[i];
    if (v.empty()) continue;
    std::sort(v.begin(), v.end());
    auto pct = [&](double q) {
      return v[std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5))];
    };
    const auto over =
        max_length > 0
            ? std::count_if(v.begin(), v.end(), [&](int64_t n) { return n > max_length; })
            : 0;
    std::cout << fmt::format("{}: tokens min {} p50 {} p90 {} p95 {} p99 {} max {}",
                             names[i],
                             v.front(),
                             pct(0.5),
                             pct(0.9),
                             pct(0.95),
                             pct(0.99),
                             v.back());
    if (max_length > 0)
      std::cout << fmt::format(
          " | truncated at {}: {} ({:.2f}%)", max_length, over, 100.0 * over / v.size());
    std::cout << '\n';
  }
  return sentzoo::cli::kExitOk;
}

int tokenize_main(const cxxopts::ParseResult& args) {
  if (args.count("build-vocab")) return build_vocab_main(args);
  if (args.count("stats") && !args.count("data"))
    throw sentzoo::cli::UsageError("--stats needs --data FMT:PATH");
  if (args.count("lowercase") && args.count("no-lowercase"))
    throw sentzoo::cli::UsageError("--lowercase and --no-lowercase conflict");
  sentzoo::TokenizerOptions options;
  options.lowercase = !args.count("no-lowercase");
  const auto tokenizer =
      sentzoo::load_tokenizer(sentzoo::cli::required<std::string>(args, "vocab"), options);
  if (args.count("bench")) return bench_main(*tokenizer);
  if (args.count("data")) return data_main(args, *tokenizer);
  const int64_t max_length = args["max-length"].as<int64_t>();
  const auto truncation = sentzoo::parse_truncation(args["truncation"].as<std::string>());
  const bool pair = args.count("pair"), types = args.count("types"), tokens = args.count("tokens");
  std::string line;
  int64_t line_no = 0;
  while (std::getline(std::cin, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    sentzoo::Encoding e;
    if (pair) {
      const size_t tab = line.find('\t');
      if (tab == std::string::npos)
        throw std::runtime_error(
            fmt::format("stdin:{}: expected text1<TAB>text2, found no TAB", line_no));
      e = tokenizer->encode_pair(line.substr(0, tab), line.substr(tab + 1), max_length, truncation);
    } else {
      e = tokenizer->encode(line, max_length);
    }
    if (tokens)
      print_joined(tokenizer->ids_to_tokens(e.ids));
    else
      print_joined(e.ids);
    if (types) {
      std::cout << '\t';
      print_joined(e.type_ids);
    }
    std::cout << '\n';
  }
  return sentzoo::cli::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("sentzoo-tokenize", "Tokenize lines of stdin, or build a vocab.txt");
  options.add_options()("vocab",
                        "vocab.txt, tokenizer.json, a SentencePiece .model, or a model folder",
                        cxxopts::value<std::string>())(
      "lowercase", "vocab.txt: lowercase and strip accents (default)")(
      "no-lowercase", "vocab.txt: keep case and accents (tokenizer.json: the file decides)")(
      "max-length",
      "truncate to N tokens including [CLS]/[SEP] (0 = no limit)",
      cxxopts::value<int64_t>()->default_value("0"))(
      "truncation",
      "pair truncation: longest_first, only_first, only_second",
      cxxopts::value<std::string>()->default_value("longest_first"))(
      "pair", "each line is text1<TAB>text2")("types", "also print token_type_ids after a TAB")(
      "tokens", "print tokens instead of ids")("bench", "print single-thread sentences/s on stdin")(
      "data",
      "read a data set (FMT:PATH, e.g. stsb:en/STS-B/sts-dev.csv) instead of stdin",
      cxxopts::value<std::string>())(
      "stats", "with --data: token length percentiles and truncation counts at --max-length")(
      "build-vocab", "build a vocab.txt from --corpus files")(
      "corpus", "corpus files for --build-vocab", cxxopts::value<std::vector<std::string>>())(
      "min-count", "--build-vocab: minimum count", cxxopts::value<int64_t>()->default_value("1"))(
      "max-size",
      "--build-vocab: vocabulary size incl. specials (0 = all)",
      cxxopts::value<int64_t>()->default_value("0"))(
      "output", "--build-vocab: output vocab.txt", cxxopts::value<std::string>());
  sentzoo::cli::add_common_options(options);
  return sentzoo::cli::run(argc, argv, options, tokenize_main);
}
