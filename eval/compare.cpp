// sentzoo-eval compare (eval/compare.h). Every cost number is a wall-clock measurement on this
// machine with the thread count recorded; an extrapolation (cross passes past the time budget)
// says how many passes were actually timed.

#include "eval/compare.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "eval/pair_eval.h"
#include "eval/png_chart.h"
#include "io/atomic_file.h"

namespace sentzoo {

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double json_number(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : NAN;
}

nlohmann::json retrieval(const PairModel& dual,
                         const PairModel& cross,
                         const std::string& query,
                         const std::vector<std::string>& pool,
                         int64_t n,
                         const CompareOptions& o) {
  std::vector<std::string> cands;
  for (int64_t i = 0; i < n; ++i) cands.push_back(pool[i % pool.size()]);
  double t0 = 0;
  torch::NoGradGuard no_grad;
  // dual: index once (reported apart): the distinct texts are encoded (timed) and the N rows
  // gathered from them, as N cycles through the pool.
  const int64_t distinct = std::min<int64_t>(n, static_cast<int64_t>(pool.size()));
  t0 = now_seconds();
  auto unique_vectors =
      dual.encode({pool.begin(), pool.begin() + distinct}, o.batch_size, {}, /*side=*/1);
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
  std::vector<std::pair<std::string, std::string>> pairs;
  int64_t done = 0;
  t0 = now_seconds();
  double elapsed = 0;
  const int64_t chunk = std::max<int64_t>(o.batch_size, 256);
  while (done < n && (elapsed < o.cross_budget_seconds || done == 0)) {
    pairs.clear();
    for (int64_t i = done; i < std::min(n, done + chunk); ++i) pairs.emplace_back(query, cands[i]);
    cross.score_pairs(pairs, o.batch_size);
    done += static_cast<int64_t>(pairs.size());
    elapsed = now_seconds() - t0;
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
                           const std::function<void(const std::string&)>& log_) {
  auto log = [&](const std::string& m) {
    if (log_) log_(m);
  };
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
  report["pairs"] = {{"valid", valid.size()}, {"test", test.size()}};
  log(fmt::format(
      "evaluating the dual encoder on {} valid + {} test pairs", valid.size(), test.size()));
  const auto ed = evaluate_pairs(dual, test, valid, o.batch_size);
  log(summary_line(ed));
  log("evaluating the cross encoder");
  const auto ec = evaluate_pairs(cross, test, valid, o.batch_size);
  log(summary_line(ec));
  report["dual"] = ed.json();
  report["dual"]["path"] = o.dual;
  report["cross"] = ec.json();
  report["cross"]["path"] = o.cross;
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
    report["retrieval"].push_back(retrieval(dual, cross, query, pool, n, o));
  }
  report["retrieval_candidates"] = fmt::format(
      "{} distinct texts of test+valid, repeated cyclically when N is larger", pool.size());

  std::filesystem::create_directories(o.output);
  auto q = [&](const char* who, const char* key) { return json_number(report[who]["test"], key); };
  BarChart quality{"Quality on test", {"accuracy", "f1", "spearman"}, {}, false, ""};
  for (const char* who : {"dual", "cross"})
    quality.series.push_back({who, {q(who, "accuracy"), q(who, "f1"), q(who, "spearman")}});
  write_bar_chart_png((o.output / "quality.png").string(), quality);
  BarChart speed{"Throughput", {"sentences/s", "pairs/s"}, {}, true, "per second"};
  speed.series.push_back({"dual",
                          {report["cost"]["dual_sentences_per_second"].get<double>(),
                           report["cost"]["dual_pairs_per_second"].get<double>()}});
  speed.series.push_back({"cross", {NAN, report["cost"]["cross_pairs_per_second"].get<double>()}});
  write_bar_chart_png((o.output / "throughput.png").string(), speed);
  BarChart ret{"One query vs N candidates", {}, {{"dual", {}}, {"cross", {}}}, true, "ms"};
  for (const auto& r : report["retrieval"]) {
    ret.categories.push_back(fmt::format("N={}", r["n"].get<int64_t>()));
    ret.series[0].values.push_back(1e3 * r["dual"]["query_seconds"].get<double>());
    ret.series[1].values.push_back(1e3 * r["cross"]["query_seconds"].get<double>());
  }
  write_bar_chart_png((o.output / "retrieval.png").string(), ret);
  report["charts"] = {"quality.png", "throughput.png", "retrieval.png"};
  write_file_atomic(o.output / "report.json", report.dump(2) + "\n");
  write_file_atomic(o.output / "report.md", compare_markdown(report));
  return report;
}

std::string compare_markdown(const nlohmann::json& r) {
  auto num = [](const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_number() ? fmt::format("{:.4f}", j[key].get<double>())
                                                 : std::string("-");
  };
  std::string md = "# Dual vs cross encoder\n\n";
  md += fmt::format("Test {} pairs, thresholds tuned on valid ({} pairs); {} threads.\n\n",
                    r["pairs"]["test"].get<int64_t>(),
                    r["pairs"]["valid"].get<int64_t>(),
                    r["threads"].get<int64_t>());
  md +=
      "## Quality (test)\n\n| model | accuracy | f1 | precision | recall | auc | spearman | "
      "threshold (source) |\n|---|---|---|---|---|---|---|---|\n";
  for (const char* who : {"dual", "cross"}) {
    const auto& t = r[who]["test"];
    md += fmt::format("| {} `{}` | {} | {} | {} | {} | {} | {} | {} ({}) |\n",
                      who,
                      r[who]["path"].get<std::string>(),
                      num(t, "accuracy"),
                      num(t, "f1"),
                      num(t, "precision"),
                      num(t, "recall"),
                      num(t, "auc"),
                      num(t, "spearman"),
                      num(t, "threshold"),
                      t.value("threshold_source", std::string("-")));
  }
  md += "\n![quality](quality.png)\n\n## Cost\n\n";
  const auto& c = r["cost"];
  md += fmt::format(
      "| | dual | cross |\n|---|---|---|\n| sentences/s (encode) | {:.1f} | - |\n| pairs/s | "
      "{:.1f} | {:.1f} |\n\nMeasured: {}.\n\n![throughput](throughput.png)\n\n",
      c["dual_sentences_per_second"].get<double>(),
      c["dual_pairs_per_second"].get<double>(),
      c["cross_pairs_per_second"].get<double>(),
      c["what"].get<std::string>());
  md +=
      "## Retrieval: one query against N candidates\n\n| N | dual (ms/query) | dual index "
      "build (s, once) | cross (ms/query) | cross measured |\n|---|---|---|---|---|\n";
  for (const auto& x : r["retrieval"])
    md += fmt::format("| {} | {:.2f} | {:.2f} | {:.1f} | {} |\n",
                      x["n"].get<int64_t>(),
                      1e3 * x["dual"]["query_seconds"].get<double>(),
                      x["dual"]["index_seconds"].get<double>(),
                      1e3 * x["cross"]["query_seconds"].get<double>(),
                      x["cross"]["what"].get<std::string>());
  md += fmt::format("\nCandidates: {}. Dual: {}.\n\n![retrieval](retrieval.png)\n",
                    r["retrieval_candidates"].get<std::string>(),
                    r["retrieval"].empty() ? std::string()
                                           : r["retrieval"][0]["dual"]["what"].get<std::string>());
  return md;
}

}  // namespace sentzoo
