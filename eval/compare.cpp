// sentzoo-eval compare (eval/compare.h). Every cost number is a wall-clock measurement on this
// machine with the thread count and load recorded; an extrapolation (cross passes past the time
// budget) says how many passes were actually timed. The report is rendered in compare_report.cpp.

#include "eval/compare.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <set>
#include <tuple>

#include "data/dataset_spec.h"
#include "eval/pair_eval.h"
#include "eval/provenance.h"
#include "io/atomic_file.h"

namespace sentzoo {

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

nlohmann::json load_json(const std::array<double, 3>& load) {
  nlohmann::json j = nlohmann::json::array();
  for (double v : load) j.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json());
  return j;
}

// {"spec", "path", "pairs"}: what the user asked for and the file it resolved to.
nlohmann::json data_record(const std::string& spec, size_t pairs) {
  nlohmann::json j = {{"spec", spec.empty() ? "unknown" : spec}, {"pairs", pairs}};
  if (!spec.empty()) {
    try {
      j["path"] = resolve_data_path(parse_dataset_spec(spec).path);
    } catch (const std::exception&) {
      j["path"] = "unknown";
    }
  }
  return j;
}

nlohmann::json retrieval(const PairModel& dual,
                         const PairModel& cross,
                         const std::string& query,
                         const std::vector<std::string>& pool,
                         int64_t n,
                         const CompareOptions& o,
                         const StageProgress& progress) {
  std::vector<std::string> cands;
  for (int64_t i = 0; i < n; ++i) cands.push_back(pool[i % pool.size()]);
  double t0 = 0;
  torch::NoGradGuard no_grad;
  // dual: index once (reported apart): the distinct texts are encoded (timed) and the N rows
  // gathered from them, as N cycles through the pool.
  const int64_t distinct = std::min<int64_t>(n, static_cast<int64_t>(pool.size()));
  const std::string index_stage = fmt::format("dual encoder: index texts for N = {}", n);
  Progress index_progress;
  if (progress)
    index_progress = [&](int64_t done, int64_t total) { progress(index_stage, done, total); };
  t0 = now_seconds();
  auto unique_vectors = dual.encode(
      {pool.begin(), pool.begin() + distinct}, o.batch_size, index_progress, /*side=*/1);
  const double encode_seconds = now_seconds() - t0;
  const double index_seconds = encode_seconds / distinct * n;
  auto index = unique_vectors.index_select(0, torch::arange(n, torch::kLong) % distinct);
  std::vector<double> times;
  for (int r = 0; r < std::max(1, o.repeats); ++r) {
    t0 = now_seconds();
    auto q = dual.encode({query}, 1, {}, /*side=*/0);  // (1, D)
    auto scores = torch::matmul(index, q.squeeze(0));
    auto top = std::get<1>(scores.topk(std::min<int64_t>(10, n)));
    (void)top.data_ptr<int64_t>();
    times.push_back(now_seconds() - t0);
  }
  std::sort(times.begin(), times.end());
  // cross: N passes (query, candidate), timed until the budget runs out.
  const std::string cross_stage = fmt::format("cross encoder: query pairs for N = {}", n);
  std::vector<std::pair<std::string, std::string>> pairs;
  int64_t done = 0;
  t0 = now_seconds();
  double elapsed = 0;
  const int64_t chunk = std::max<int64_t>(o.batch_size, 256);
  if (progress) progress(cross_stage, 0, n);
  while (done < n && (elapsed < o.cross_budget_seconds || done == 0)) {
    pairs.clear();
    for (int64_t i = done; i < std::min(n, done + chunk); ++i) pairs.emplace_back(query, cands[i]);
    cross.score_pairs(pairs, o.batch_size);
    done += static_cast<int64_t>(pairs.size());
    elapsed = now_seconds() - t0;
    // Past the budget the rest is extrapolated: the stage ends here.
    if (progress) progress(cross_stage, done < n && elapsed < o.cross_budget_seconds ? done : n, n);
  }
  const double cross_seconds = done == n ? elapsed : elapsed / done * n;
  return {{"n", n},
          {"dual",
           {{"query_seconds", times[times.size() / 2]},
            {"query_repeats", times.size()},
            {"index_seconds", index_seconds},
            {"index_measured_texts", distinct},
            {"index_measured_seconds", encode_seconds},
            {"what",
             "median over repeats of: encode the query + N dot products with cached candidate "
             "vectors + top-10; index_seconds = encoding the candidates once (the distinct texts "
             "timed, x N / "
             "distinct when N is larger)"}}},
          {"cross",
           {{"query_seconds", cross_seconds},
            {"measured_pairs", done},
            {"measured_seconds", elapsed},
            {"extrapolated", done < n},
            {"what",
             done < n ? fmt::format("{} of {} cross passes timed ({:.1f} s); seconds = measured "
                                    "per-pair cost x N",
                                    done,
                                    n,
                                    elapsed)
                      : fmt::format("all {} cross passes timed", n)}}}};
}

}  // namespace

nlohmann::json run_compare(const CompareOptions& o,
                           const std::vector<PairExample>& valid,
                           const std::vector<PairExample>& test,
                           const std::function<void(const std::string&)>& log_,
                           const StageProgress& progress) {
  auto log = [&](const std::string& m) {
    if (log_) log_(m);
  };
  const auto load_start = load_average();
  const auto dual = PairModel::load(o.dual);
  const auto cross = PairModel::load(o.cross);
  if (dual.kind() != "dual")
    throw std::runtime_error(
        fmt::format("--dual {}: is a {} encoder, not a dual encoder", o.dual, dual.kind()));
  if (cross.kind() != "cross")
    throw std::runtime_error(
        fmt::format("--cross {}: is a {} encoder, not a cross encoder", o.cross, cross.kind()));
  nlohmann::json report;
  report["threads"] = at::get_num_threads();
  report["machine"] = machine_record();
  report["pairs"] = {{"valid", valid.size()}, {"test", test.size()}};
  report["data"] = {{"valid", data_record(o.valid_spec, valid.size())},
                    {"test", data_record(o.test_spec, test.size())}};
  log(fmt::format(
      "evaluating the dual encoder on {} valid + {} test pairs", valid.size(), test.size()));
  const auto ed = evaluate_pairs(dual, test, valid, o.batch_size, progress);
  log(summary_line(ed));
  log("evaluating the cross encoder");
  const auto ec = evaluate_pairs(cross, test, valid, o.batch_size, progress);
  log(summary_line(ec));
  report["warnings"] = nlohmann::json::array();
  for (const auto& [who, e, model, path] :
       {std::tuple{"dual", &ed, &dual, &o.dual}, std::tuple{"cross", &ec, &cross, &o.cross}}) {
    report[who] = e->json();
    report[who]["path"] = *path;
    report[who]["model"] = model_record(*path, *model);
    for (const auto& w : evaluation_warnings(e->test.json))
      report["warnings"].push_back(fmt::format("{}: {}", who, w));
  }
  for (const auto& w : report["warnings"]) log("warning: " + w.get<std::string>());
  const double nt = static_cast<double>(test.size());
  report["cost"] = {
      {"dual_sentences_per_second", 2 * nt / ed.test.seconds},
      {"dual_pairs_per_second", nt / ed.test.seconds},
      {"cross_pairs_per_second", nt / ec.test.seconds},
      {"what",
       "test set, tokenization included; dual encodes both sides of every pair (no cache)"}};
  std::vector<std::string> pool;
  std::set<std::string> seen;
  for (const auto* set : {&test, &valid})
    for (const auto& p : *set)
      for (const auto* t : {&p.text1, &p.text2})
        if (seen.insert(*t).second) pool.push_back(*t);
  const std::string query = test.front().text1;
  report["retrieval"] = nlohmann::json::array();
  for (int64_t n : o.retrieval_n) {
    log(fmt::format("retrieval: one query against N = {} candidates", n));
    report["retrieval"].push_back(retrieval(dual, cross, query, pool, n, o, progress));
  }
  report["retrieval_candidates"] = fmt::format(
      "{} distinct texts of test+valid, repeated cyclically when N is larger", pool.size());
  report["machine"]["load_average"] = {{"start", load_json(load_start)},
                                       {"end", load_json(load_average())},
                                       {"what", "1, 5 and 15 minute averages (/proc/loadavg)"}};

  std::filesystem::create_directories(o.output);
  report["charts"] = nlohmann::json::array();
  for (const auto& [file, chart] : compare_charts(report)) {
    write_bar_chart_png((o.output / file).string(), chart);
    report["charts"].push_back(file);
  }
  write_file_atomic(o.output / "report.json", report.dump(2) + "\n");
  write_file_atomic(o.output / "report.md", compare_markdown(report));
  return report;
}

}  // namespace sentzoo
