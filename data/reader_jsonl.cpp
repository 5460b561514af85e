// JSON Lines: one object per line. Objects with "query" are triplets (query, pos, optional neg);
// others are pairs read from the columns' keys (default text1, text2, label). Extra keys are
// ignored (data files carry ids); one file holds one kind, decided by its first object.

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "data/readers.h"
#include "data/text_io.h"

namespace sentzoo::detail {

namespace {

// The string under `key`; false (after errors.fail) when missing or not a string.
bool get_text(const nlohmann::json& obj,
              const std::string& key,
              bool required,
              int64_t line,
              RecordErrors& errors,
              std::string& out) {
  const auto it = obj.find(key);
  if (it == obj.end()) {
    if (!required) return true;
    errors.fail(line, fmt::format("expected a key '{}', found none", key));
    return false;
  }
  if (!it->is_string()) {
    errors.fail(line, fmt::format("expected a string for '{}', found {}", key, it->type_name()));
    return false;
  }
  out = std::string(strip_bom(it->get_ref<const std::string&>()));
  return true;
}

}  // namespace

void read_jsonl(std::string_view text,
                const DatasetSpec& spec,
                RecordErrors& errors,
                Dataset& out) {
  LineCursor cursor(text);
  std::string_view line;
  bool kind_known = false;
  while (cursor.next(line)) {
    const int64_t n = cursor.line_number();
    if (is_blank(line)) {
      ++out.report.blank;
      continue;
    }
    if (!errors.check_utf8(n, line)) continue;
    nlohmann::json obj;
    try {
      obj = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      // Not only parse_error: a number too large for a double ("1e400") is out_of_range.406,
      // which escaped as a bare JSON-library message, ignoring on_error (fuzz/readers).
      errors.fail(n, fmt::format("expected a JSON object, found invalid JSON ({})", e.what()));
      continue;
    }
    if (!obj.is_object()) {
      errors.fail(n, fmt::format("expected a JSON object, found {}", obj.type_name()));
      continue;
    }
    const bool triplet = obj.contains("query");
    if (!kind_known) {
      out.kind = triplet ? DatasetKind::kTriplets : DatasetKind::kPairs;
      kind_known = true;
    } else if (triplet != (out.kind == DatasetKind::kTriplets)) {
      errors.fail(n,
                  triplet ? "expected a pair object like the first line, found a 'query' key"
                          : "expected a query/pos object like the first line, found no 'query'");
      continue;
    }
    if (triplet) {
      TripletExample t;
      t.line = n;
      if (!get_text(obj, "query", true, n, errors, t.query) ||
          !get_text(obj, "pos", true, n, errors, t.positive) ||
          !get_text(obj, "neg", false, n, errors, t.negative))
        continue;
      out.triplets.push_back(std::move(t));
      continue;
    }
    PairExample p;
    p.line = n;
    const std::string& label_key = spec.columns[2].name;
    if (!get_text(obj, spec.columns[0].name, true, n, errors, p.text1) ||
        !get_text(obj, spec.columns[1].name, true, n, errors, p.text2))
      continue;
    const auto it = obj.find(label_key);
    if (it == obj.end()) {
      errors.fail(n, fmt::format("expected a key '{}', found none", label_key));
      continue;
    }
    if (it->is_number() && spec.label_map.empty()) {
      p.label = it->get<double>() * spec.label_scale;
    } else if (it->is_string()) {
      if (!parse_label(it->get_ref<const std::string&>(), spec, n, errors, p.label)) continue;
    } else {
      errors.fail(n,
                  fmt::format("expected a {} label for '{}', found {}",
                              spec.label_map.empty() ? "numeric" : "word",
                              label_key,
                              it->type_name()));
      continue;
    }
    out.pairs.push_back(std::move(p));
  }
  out.report.lines = cursor.line_number();
}

}  // namespace sentzoo::detail
