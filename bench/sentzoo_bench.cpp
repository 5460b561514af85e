// sentzoo-bench: one measurement per process, printed as one JSON object on stdout (bench/run.sh
// runs it many times; one process per measurement keeps the peak RSS of each apart).
//
//   sentzoo-bench gemm   --dtype fp32|bf16 --threads N [--n 2048]
//   sentzoo-bench train  --arch bert|roformer_v2|deepnet --size tiny|small|base --seq T
//                        --batch PAIRS --amp off|bf16 --threads N [--steps S --warmup W]
//   sentzoo-bench encode (same flags; forward only, sentences/s)
//   sentzoo-bench cross  (same flags; cross-encoder scoring of packed pairs, pairs/s)
//   sentzoo-bench sts    --model DIR --format st|trained --data en/STS-B/sts-test.csv
//                        --batch 32 --amp off|bf16 --threads N  (real sentences, Spearman)
//
// FLOP counting (train): a matmul of (m,k)x(k,n) is 2mkn FLOPs. Per token, one layer's forward
// spends 2(4h^2 + 2hI) in the Q, K, V, O and FFN projections and 4Th in QK^T and AV (T = the
// padded length); training = 3x forward (backward = 2x forward). Embedding lookups, norms,
// softmax and the loss are not counted (they are not matmuls). MFU = counted FLOP/s divided by
// the GEMM ceiling of the same precision and thread count (gemm mode).
#include <sys/resource.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cxxopts.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "core/blas_kernel.h"
#include "core/compat.h"
#include "core/runtime.h"
#include "data/batch.h"
#include "data/dataset.h"
#include "data/dataset_spec.h"
#include "data/tokenizer.h"
#include "losses/make_loss.h"
#include "metrics/metrics.h"
#include "models/cross_encoder.h"
#include "models/dual_encoder.h"
#include "models/encoder_config.h"
#include "models/model_folder.h"
#include "train/optimizer.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // Linux: kilobytes
}

// ---- GEMM ceiling -------------------------------------------------------------------------------
json gemm_of(int64_t n, torch::ScalarType dtype, int reps) {
  torch::manual_seed(0);
  auto a = torch::randn({n, n}).to(dtype), b = torch::randn({n, n}).to(dtype);
  auto c = torch::empty({n, n}, dtype);
  at::mm_out(c, a, b);  // warm-up (thread pool, packing buffers)
  std::vector<double> ms;
  for (int i = 0; i < reps; ++i) {
    const auto t = Clock::now();
    at::mm_out(c, a, b);
    ms.push_back(1e3 * seconds_since(t));
  }
  const double med = median(ms);
  return {{"median_ms", med},
          {"all_ms", ms},
          {"gflops", 2.0 * n * n * n / (med * 1e-3) / 1e9},
          {"n", n}};
}

json gemm(const cxxopts::ParseResult& args) {
  return gemm_of(args["gemm-size"].as<int64_t>(),
                 args["dtype"].as<std::string>() == "bf16" ? torch::kBFloat16 : torch::kFloat,
                 args["reps"].as<int>());
}

// ---- models -------------------------------------------------------------------------------------
sentzoo::EncoderConfig bench_config_of(const std::string& arch, const std::string& size) {
  if (size == "tiny") {  // the tiny presets stop at 64 learned positions; the grid goes to 128
    auto c = sentzoo::encoder_preset(arch + "_tiny");
    c.max_position_embeddings = std::max<int64_t>(c.max_position_embeddings, 512);
    return c;
  }
  if (size == "base") return sentzoo::encoder_preset(arch + "_base");
  if (size != "small") throw std::invalid_argument("size: expected tiny|small|base, found " + size);
  // "small" = RoFormerV2-small's shape (6 layers, h 384, 6 heads, FFN 1536; MiniLM-L6's too) on
  // each family's base preset, so the three families are compared at one shape.
  auto c = sentzoo::encoder_preset(arch + "_base");
  c.num_layers = 6;
  c.hidden_size = 384;
  c.num_heads = 6;
  c.intermediate_size = 1536;
  return c;
}

// --dropout overrides hidden and attention dropout (< 0: the preset's), --vocab the embedding rows
// (0: the preset's), for what-if experiments and for comparing families at one vocabulary.
sentzoo::EncoderConfig bench_config(const cxxopts::ParseResult& args) {
  auto c = bench_config_of(args["arch"].as<std::string>(), args["size"].as<std::string>());
  if (const double p = args["dropout"].as<double>(); p >= 0) {
    c.hidden_dropout = p;
    c.attention_dropout = p;
  }
  if (const int64_t v = args["vocab"].as<int64_t>(); v > 0) c.vocab_size = v;
  return c;
}

double forward_flops_per_token(const sentzoo::EncoderConfig& c, int64_t seq) {
  const double h = c.hidden_size, inter = c.intermediate_size, layers = c.num_layers;
  return layers * (2.0 * (4 * h * h + 2 * h * inter) + 4.0 * seq * h);
}

int64_t non_embedding_params(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.named_parameters()) {
    if (p.key().find("embed") == std::string::npos) n += p.value().numel();
  }
  return n;
}

// A synthetic batch: random ids (avoiding the specials 0..103 of BERT vocabularies), every
// sequence at full length (no padding) so counted FLOPs are the executed ones.
torch::Tensor random_ids(int64_t rows, int64_t seq, int64_t vocab) {
  return torch::randint(vocab > 1000 ? 104 : 1, vocab, {rows, seq}, torch::kLong);
}

json describe(const sentzoo::EncoderConfig& c, torch::nn::Module& m) {
  int64_t total = 0;
  for (const auto& p : m.parameters()) total += p.numel();
  return {{"hidden", c.hidden_size},
          {"layers", c.num_layers},
          {"heads", c.num_heads},
          {"intermediate", c.intermediate_size},
          {"vocab", c.vocab_size},
          {"params", total},
          {"non_embedding_params", non_embedding_params(m)}};
}

template <class Step>
json time_steps(Step step, int warmup, int steps, double min_seconds) {
  for (int i = 0; i < warmup; ++i) step();
  std::vector<double> ms;
  const auto begin = Clock::now();
  while (int(ms.size()) < steps || (seconds_since(begin) < min_seconds && ms.size() < 200)) {
    const auto t = Clock::now();
    step();
    ms.push_back(1e3 * seconds_since(t));
  }
  return {{"median_ms", median(ms)}, {"all_ms", ms}};
}

json train(const cxxopts::ParseResult& args) {
  const auto config = bench_config(args);
  const int64_t seq = args["seq"].as<int64_t>(), pairs = args["batch"].as<int64_t>();
  const bool bf16 = args["amp"].as<std::string>() == "bf16";
  torch::manual_seed(0);
  sentzoo::DualEncoderConfig dual_config;
  dual_config.encoder = config;
  dual_config.pooling.mode = "mean";
  sentzoo::DualEncoder model(dual_config);
  model->train();
  sentzoo::OptimizerConfig optim;
  optim.lr = 1e-5;
  auto optimizer = sentzoo::make_adamw(*model, optim);
  auto loss = sentzoo::make_loss("cosent", {{"scale", 20}});
  auto a = random_ids(pairs, seq, config.vocab_size), b = random_ids(pairs, seq, config.vocab_size);
  auto mask = torch::ones({pairs, seq}, torch::kLong);
  auto labels = torch::rand({pairs});
  std::vector<torch::Tensor> params = model->parameters();
  auto step = [&]() {
    optimizer->zero_grad();
    torch::Tensor total;
    {
      sentzoo::compat::AutocastGuard amp(bf16);
      sentzoo::LossBatch batch;
      batch.a = model->forward(a, mask);
      batch.b = model->forward(b, mask);
      batch.labels = labels;
      total = loss(batch).to(torch::kFloat);
    }
    total.backward();
    torch::nn::utils::clip_grad_norm_(params, 1.0);
    optimizer->step();
    (void)total.item<double>();
  };
  // The GEMM ceiling again in this process, right before and after the timed steps, so that MFU
  // on a shared machine compares numbers taken under the same load.
  const auto gemm_dtype = bf16 ? torch::kBFloat16 : torch::kFloat;
  const double before = gemm_of(2048, gemm_dtype, 2)["gflops"].get<double>();
  json out = time_steps(step, args["warmup"].as<int>(), args["steps"].as<int>(), 2.0);
  const double after = gemm_of(2048, gemm_dtype, 2)["gflops"].get<double>();
  out["inline_ceiling_gflops"] = {before, after};
  const double s = out["median_ms"].get<double>() * 1e-3;
  const double tokens = 2.0 * pairs * seq;
  const double flops = 3.0 * tokens * forward_flops_per_token(config, seq);
  out["model"] = describe(config, *model);
  out["sentences_per_s"] = 2.0 * pairs / s;
  out["pairs_per_s"] = pairs / s;
  out["tokens_per_s"] = tokens / s;
  out["flops_per_step"] = flops;
  out["model_gflops"] = flops / s / 1e9;
  out["mfu_inline"] = out["model_gflops"].get<double>() / (0.5 * (before + after));
  return out;
}

json encode(const cxxopts::ParseResult& args) {
  const auto config = bench_config(args);
  const int64_t seq = args["seq"].as<int64_t>(), rows = args["batch"].as<int64_t>();
  const bool bf16 = args["amp"].as<std::string>() == "bf16";
  torch::manual_seed(0);
  sentzoo::DualEncoderConfig dual_config;
  dual_config.encoder = config;
  dual_config.pooling.mode = "mean";
  sentzoo::DualEncoder model(dual_config);
  model->eval();
  auto ids = random_ids(rows, seq, config.vocab_size);
  auto mask = torch::ones({rows, seq}, torch::kLong);
  auto step = [&]() {
    torch::NoGradGuard no_grad;
    sentzoo::compat::AutocastGuard amp(bf16);
    (void)model->forward(ids, mask).to(torch::kFloat).sum().item<double>();
  };
  json out = time_steps(step, args["warmup"].as<int>(), args["steps"].as<int>(), 1.5);
  const double s = out["median_ms"].get<double>() * 1e-3;
  out["model"] = describe(config, *model);
  out["sentences_per_s"] = rows / s;
  out["tokens_per_s"] = rows * seq / s;
  out["model_gflops"] = rows * seq * forward_flops_per_token(config, seq) / s / 1e9;
  return out;
}

json cross(const cxxopts::ParseResult& args) {
  const auto config = bench_config(args);
  const int64_t seq = args["seq"].as<int64_t>(), rows = args["batch"].as<int64_t>();
  const bool bf16 = args["amp"].as<std::string>() == "bf16";
  torch::manual_seed(0);
  sentzoo::CrossEncoderConfig cross_config;
  cross_config.encoder = config;
  cross_config.head_input = config.with_pooler ? "pooler" : "cls";
  sentzoo::CrossEncoder model(cross_config);
  model->eval();
  auto ids = random_ids(rows, seq, config.vocab_size);
  auto mask = torch::ones({rows, seq}, torch::kLong);
  auto segments = torch::cat({torch::zeros({rows, seq / 2}, torch::kLong),
                              torch::ones({rows, seq - seq / 2}, torch::kLong)},
                             1);
  auto step = [&]() {
    torch::NoGradGuard no_grad;
    sentzoo::compat::AutocastGuard amp(bf16);
    (void)model->forward(ids, mask, segments).to(torch::kFloat).sum().item<double>();
  };
  json out = time_steps(step, args["warmup"].as<int>(), args["steps"].as<int>(), 1.5);
  const double s = out["median_ms"].get<double>() * 1e-3;
  out["model"] = describe(config, *model);
  out["pairs_per_s"] = rows / s;
  out["tokens_per_s"] = rows * seq / s;
  return out;
}

// ---- real sentences: encode STS-B with a sentence-transformers folder or a DIR/best/
// --------------
json sts(const cxxopts::ParseResult& args) {
  const std::string dir = args["model"].as<std::string>();
  // "bf16": autocast around fp32 weights; "bf16-weights": the module itself converted to bf16
  // (no casts per forward; inference only).
  const bool bf16 = args["amp"].as<std::string>() == "bf16";
  const bool bf16_weights = args["amp"].as<std::string>() == "bf16-weights";
  const int64_t batch = args["batch"].as<int64_t>(), max_length = args["max-length"].as<int64_t>();
  sentzoo::DualEncoder model{nullptr};
  if (args["format"].as<std::string>() == "st") {
    model = sentzoo::load_sentence_transformer(dir);
  } else {
    model = sentzoo::load_trained_model(dir).dual;
  }
  model->eval();
  if (bf16_weights) model->to(torch::kBFloat16);
  const auto tokenizer = sentzoo::load_tokenizer(dir);
  const auto data =
      sentzoo::read_dataset(sentzoo::parse_dataset_spec("stsb:" + args["data"].as<std::string>()));
  auto pairs = data.pairs;
  const int64_t limit = args["limit"].as<int64_t>();
  if (limit > 0 && limit < int64_t(pairs.size())) pairs.resize(limit);
  std::vector<std::string> texts;
  for (const auto& p : pairs) {
    texts.push_back(p.text1);
    texts.push_back(p.text2);
  }
  // Timed: tokenize + sort by length (as SentenceTransformer.encode does) + batches + cosine.
  std::vector<double> runs;
  torch::Tensor emb;
  const int reps = args["reps"].as<int>();
  for (int rep = 0; rep <= reps; ++rep) {  // rep 0 = warm-up
    const auto t = Clock::now();
    std::vector<sentzoo::Encoding> enc;
    enc.reserve(texts.size());
    for (const auto& s : texts) enc.push_back(tokenizer->encode(s, max_length));
    std::vector<int64_t> order(enc.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
      return enc[x].ids.size() > enc[y].ids.size();
    });
    emb = torch::empty({int64_t(enc.size()), 0});
    std::vector<torch::Tensor> parts(enc.size());
    {
      torch::NoGradGuard no_grad;
      sentzoo::compat::AutocastGuard amp(bf16);
      for (size_t i = 0; i < order.size(); i += batch) {
        std::vector<int64_t> rows(order.begin() + i,
                                  order.begin() + std::min(order.size(), i + size_t(batch)));
        auto b = sentzoo::collate(enc, rows);
        auto out =
            model->forward(b.input_ids, b.attention_mask, b.token_type_ids).to(torch::kFloat);
        for (size_t r = 0; r < rows.size(); ++r) parts[rows[r]] = out[r];
      }
    }
    emb = torch::stack(parts);
    if (rep > 0) runs.push_back(seconds_since(t));
  }
  auto u = emb.index({torch::indexing::Slice(0, torch::indexing::None, 2)});
  auto v = emb.index({torch::indexing::Slice(1, torch::indexing::None, 2)});
  auto cos = torch::cosine_similarity(u, v, 1).to(torch::kDouble).contiguous();
  std::vector<double> scores(cos.data_ptr<double>(), cos.data_ptr<double>() + cos.numel());
  const auto gold = sentzoo::pair_labels(pairs);
  const double s = median(runs);
  return {{"sentences", texts.size()},
          {"median_s", s},
          {"all_s", runs},
          {"sentences_per_s", texts.size() / s},
          {"spearman", sentzoo::spearman(scores, gold)},
          {"pearson", sentzoo::pearson(scores, gold)}};
}

}  // namespace

int main(int argc, char** argv) {
  // As every sentzoo main does (core/cli.cpp): fix OpenBLAS's generic-kernel fallback first.
  if (const auto line = sentzoo::fix_blas_kernel(); !line.empty()) std::cerr << line << "\n";
  sentzoo::configure_allocator();
  cxxopts::Options options("sentzoo-bench", "one sentzoo measurement as JSON (see bench/run.sh)");
  options.add_options()("mode", "gemm|train|encode|cross|sts", cxxopts::value<std::string>())(
      "threads", "intra-op threads", cxxopts::value<int>()->default_value("1"))(
      "dtype", "gemm: fp32|bf16", cxxopts::value<std::string>()->default_value("fp32"))(
      "gemm-size",
      "gemm: N of the NxN by NxN product",
      cxxopts::value<int64_t>()->default_value("2048"))(
      "reps", "gemm/sts repetitions", cxxopts::value<int>()->default_value("5"))(
      "arch", "bert|roformer|roformer_v2|deepnet", cxxopts::value<std::string>()->default_value("bert"))(
      "size", "tiny|small|base", cxxopts::value<std::string>()->default_value("tiny"))(
      "seq", "tokens per sequence", cxxopts::value<int64_t>()->default_value("128"))(
      "batch",
      "pairs (train, cross) or sentences (encode)",
      cxxopts::value<int64_t>()->default_value("8"))(
      "amp", "off|bf16", cxxopts::value<std::string>()->default_value("off"))(
      "steps", "measured steps (at least)", cxxopts::value<int>()->default_value("5"))(
      "warmup", "unmeasured steps", cxxopts::value<int>()->default_value("2"))(
      "model", "sts: model folder", cxxopts::value<std::string>()->default_value(""))(
      "format", "sts: st|trained", cxxopts::value<std::string>()->default_value("st"))(
      "data", "sts: stsb file", cxxopts::value<std::string>()->default_value(""))(
      "max-length", "sts: tokens per text", cxxopts::value<int64_t>()->default_value("128"))(
      "limit", "sts: first N pairs only (0 = all)", cxxopts::value<int64_t>()->default_value("0"))(
      "dropout",
      "override the preset's dropout (< 0: keep)",
      cxxopts::value<double>()->default_value("-1"))(
      "vocab",
      "override the preset's vocabulary size (0: keep)",
      cxxopts::value<int64_t>()->default_value("0"))(
      "fused-attention",
      "1: fused attention where LibTorch 2.x allows, 0: the hand-written path (the library's "
      "default)",
      cxxopts::value<int>()->default_value("0"))("help", "usage");
  options.parse_positional({"mode"});
  try {
    const auto args = options.parse(argc, argv);
    if (args.count("help") || !args.count("mode")) {
      std::cout << options.help() << "\n";
      return args.count("help") ? 0 : 2;
    }
    const int threads = args["threads"].as<int>();
    at::set_num_threads(threads);
    sentzoo::compat::set_fused_attention_enabled(args["fused-attention"].as<int>() != 0);
    const std::string mode = args["mode"].as<std::string>();
    json out;
    if (mode == "gemm") {
      out = gemm(args);
    } else if (mode == "train") {
      out = train(args);
    } else if (mode == "encode") {
      out = encode(args);
    } else if (mode == "cross") {
      out = cross(args);
    } else if (mode == "sts") {
      out = sts(args);
    } else {
      std::cerr << "unknown mode " << mode << "\n";
      return 2;
    }
    out["tool"] = "sentzoo";
    out["mode"] = mode;
    out["threads"] = threads;
    out["torch_threads"] = at::get_num_threads();
    out["peak_rss_mb"] = peak_rss_mb();
    const sentzoo::BlasInfo blas = sentzoo::active_blas();
    out["blas"] = blas.name;
    out["gemm_kernel"] = blas.kernel;
    out["cpu_features"] = sentzoo::host_cpu_features().summary();
    out["fused_attention"] = sentzoo::compat::fused_attention_enabled();
    std::cout << out.dump() << std::endl;
    return 0;
  } catch (const c10::Error& e) {
    std::cerr << "sentzoo-bench: " << e.what_without_backtrace() << "\n";
    return 1;
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << "sentzoo-bench: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "sentzoo-bench: " << e.what() << "\n";
    return 1;
  }
}
