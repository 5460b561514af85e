#include "data/dataset_spec.h"

#include <cmath>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "core/config.h"
#include "data/text_io.h"

namespace sentzoo {

namespace {

const std::vector<std::string> kSpecKeys = {"format",
                                            "path",
                                            "columns",
                                            "header",
                                            "delimiter",
                                            "label_map",
                                            "label_scale",
                                            "on_error",
                                            "encoding"};
const std::vector<std::string> kQueryKeys = {
    "header", "delimiter", "columns", "label", "label_map", "label_scale", "on_error", "encoding"};

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Column named(const char* name) { return Column{name, -1}; }

Column parse_column_text(std::string_view text, const std::string& what) {
  text = detail::trim_ascii(text);
  if (text.empty()) throw std::invalid_argument(what + ": empty column in 'columns'");
  int64_t index = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (ec == std::errc() && end == text.data() + text.size()) return Column{"", index};
  return Column{std::string(text), -1};
}

char parse_delimiter(const std::string& text, const std::string& what) {
  if (text == "tab" || text == "\\t") return '\t';
  if (text == "comma") return ',';
  if (text.size() == 1 && text[0] != '\n' && text[0] != '\r' && text[0] != '"') return text[0];
  throw std::invalid_argument(what + ": delimiter must be tab, comma or one character, found '" +
                              text + "'");
}

bool parse_bool(const std::string& text, const std::string& what, const std::string& key) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  throw std::invalid_argument(what + ": " + key + " must be true or false, found '" + text + "'");
}

std::map<std::string, double> parse_label_map_text(const std::string& text,
                                                   const std::string& what) {
  if (text == "nli") return nli_label_map();
  std::map<std::string, double> map;
  for (const auto item : detail::split_fields(text, ',')) {
    const size_t colon = item.rfind(':');
    double id = 0;
    if (colon == std::string_view::npos || colon == 0 ||
        !detail::parse_number(item.substr(colon + 1), id))
      throw std::invalid_argument(what + ": label_map must be 'nli' or word:id,word:id, found '" +
                                  std::string(item) + "'");
    map[std::string(item.substr(0, colon))] = id;
  }
  return map;
}

// The sick entailment column carries words; with no explicit map, use the NLI one.
void apply_implied_label_map(DatasetSpec& spec) {
  if (spec.format == "sick" && spec.label_map.empty() && spec.columns.size() == 3 &&
      spec.columns[2].name == "entailment_judgment")
    spec.label_map = nli_label_map();
}

}  // namespace

bool DatasetSpec::operator==(const DatasetSpec& o) const {
  return format == o.format && path == o.path && columns == o.columns && header == o.header &&
         delimiter == o.delimiter && label_map == o.label_map && label_scale == o.label_scale &&
         on_error == o.on_error && encoding == o.encoding;
}

void DatasetSpec::validate() const {
  const auto& formats = dataset_formats();
  if (std::find(formats.begin(), formats.end(), format) == formats.end())
    throw std::invalid_argument(fmt::format(
        "DatasetSpec: unknown format '{}' (expected one of: {})", format, joined(formats)));
  if (path.empty()) throw std::invalid_argument("DatasetSpec: path is empty");
  if (!std::isfinite(label_scale) || label_scale == 0)
    throw std::invalid_argument(
        fmt::format("DatasetSpec: label_scale must be a finite non-zero number, found {}",
                    label_scale));
  // Specs are stored in JSON (a run's config.json), which holds only UTF-8: a spec that could
  // not be written there is refused now rather than after a run (found by fuzz/dataset_spec).
  auto require_utf8 = [](std::string_view text, const std::string& what) {
    const size_t bad = detail::invalid_utf8_offset(text);
    if (bad != std::string_view::npos)
      throw std::invalid_argument(
          fmt::format("DatasetSpec: expected UTF-8 text in {}, found byte 0x{:02X} at byte {}",
                      what,
                      static_cast<unsigned char>(text[bad]),
                      bad + 1));
  };
  require_utf8(path, "path");
  for (const Column& c : columns) require_utf8(c.name, "a column name");
  for (const auto& item : label_map) require_utf8(item.first, "a label_map word");
  if (static_cast<unsigned char>(delimiter) >= 0x80)
    throw std::invalid_argument(
        fmt::format("DatasetSpec: expected an ASCII delimiter, found byte 0x{:02X}",
                    static_cast<unsigned char>(delimiter)));
  if (on_error != "fail" && on_error != "skip")
    throw std::invalid_argument("DatasetSpec: on_error must be fail or skip, found '" + on_error +
                                "'");
  if (encoding != "utf-8" && encoding != "latin1")
    throw std::invalid_argument("DatasetSpec: encoding must be utf-8 or latin1, found '" +
                                encoding + "'");
  if (format == "text") return;
  if (columns.size() != 3)
    throw std::invalid_argument(
        fmt::format("DatasetSpec: columns must name 3 columns (text1, text2, label), found {}",
                    columns.size()));
  for (const Column& c : columns) {
    if (c.name.empty() && c.index < 0)
      throw std::invalid_argument("DatasetSpec: a column needs a name or an index >= 0");
    if (!c.name.empty() && !header && format != "jsonl")
      throw std::invalid_argument("DatasetSpec: column '" + c.name +
                                  "' is chosen by name but header is false");
    if (c.name.empty() && format == "jsonl")
      throw std::invalid_argument("DatasetSpec: jsonl columns must be key names");
  }
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r')
    throw std::invalid_argument("DatasetSpec: delimiter cannot be a quote or a line break");
}

const std::vector<std::string>& dataset_formats() {
  static const std::vector<std::string> formats = {
      "tsv", "nli", "csv", "bq", "pawsx", "stsb", "sick", "jsonl", "text"};
  return formats;
}

const std::map<std::string, double>& nli_label_map() {
  static const std::map<std::string, double> map = {
      {"contradiction", 0}, {"neutral", 1}, {"entailment", 2}};
  return map;
}

DatasetSpec dataset_spec_defaults(const std::string& format) {
  DatasetSpec spec;
  spec.format = format;
  if (format == "nli") {
    spec.label_map = nli_label_map();
  } else if (format == "csv") {
    spec.delimiter = ',';
  } else if (format == "bq") {
    spec.delimiter = ',';
    spec.header = true;
    spec.columns = {named("sentence1"), named("sentence2"), named("label")};
  } else if (format == "pawsx") {
    spec.header = true;
    spec.columns = {named("sentence1"), named("sentence2"), named("label")};
  } else if (format == "stsb") {
    spec.columns = {{"", 5}, {"", 6}, {"", 4}};  // genre file year id score s1 s2 [extra...]
  } else if (format == "sick") {
    spec.header = true;
    spec.columns = {named("sentence_A"), named("sentence_B"), named("relatedness_score")};
  } else if (format == "jsonl") {
    spec.columns = {named("text1"), named("text2"), named("label")};
  } else if (format == "text") {
    spec.columns.clear();
  } else if (format != "tsv") {
    spec.path = "-";  // let validate() report the format
    spec.validate();
  }
  return spec;
}

DatasetSpec dataset_spec_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("dataset spec: expected a JSON object");
  for (const auto& item : j.items())
    detail::require_known_key(item.key(), kSpecKeys, "dataset spec");
  const std::string what = "dataset spec";
  try {
    DatasetSpec spec = dataset_spec_defaults(j.value("format", std::string("tsv")));
    spec.path = j.value("path", spec.path);
    if (j.contains("columns")) {
      spec.columns.clear();
      for (const auto& c : j.at("columns"))
        spec.columns.push_back(c.is_number_integer() ? Column{"", c.get<int64_t>()}
                                                     : Column{c.get<std::string>(), -1});
    }
    spec.header = j.value("header", spec.header);
    if (j.contains("delimiter"))
      spec.delimiter = parse_delimiter(j.at("delimiter").get<std::string>(), what);
    if (j.contains("label_map")) {
      const auto& m = j.at("label_map");
      spec.label_map = m.is_string() ? parse_label_map_text(m.get<std::string>(), what)
                                     : m.get<std::map<std::string, double>>();
    }
    spec.label_scale = j.value("label_scale", spec.label_scale);
    spec.on_error = j.value("on_error", spec.on_error);
    spec.encoding = j.value("encoding", spec.encoding);
    apply_implied_label_map(spec);
    spec.validate();
    return spec;
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(what + ": " + e.what());
  }
}

nlohmann::json dataset_spec_to_json(const DatasetSpec& spec) {
  nlohmann::json columns = nlohmann::json::array();
  for (const Column& c : spec.columns)
    columns.push_back(c.name.empty() ? nlohmann::json(c.index) : nlohmann::json(c.name));
  return {{"format", spec.format},
          {"path", spec.path},
          {"columns", columns},
          {"header", spec.header},
          {"delimiter", std::string(1, spec.delimiter)},
          {"label_map", spec.label_map},
          {"label_scale", spec.label_scale},
          {"on_error", spec.on_error},
          {"encoding", spec.encoding}};
}

DatasetSpec parse_dataset_spec(const std::string& text) {
  const std::string_view trimmed = detail::trim_ascii(text);
  const std::string what = "dataset spec '" + excerpt(text) + "'";
  if (!trimmed.empty() && trimmed.front() == '{') {
    nlohmann::json j;
    try {
      j = parse_json_text(trimmed, what);
    } catch (const std::runtime_error& e) {
      throw std::invalid_argument(e.what());
    }
    return dataset_spec_from_json(j);
  }
  const size_t colon = trimmed.find(':');
  if (colon == std::string_view::npos || colon == 0)
    throw std::invalid_argument(
        fmt::format("{}: expected FORMAT:PATH (formats: {})", what, joined(dataset_formats())));
  DatasetSpec spec = dataset_spec_defaults(std::string(trimmed.substr(0, colon)));
  std::string_view rest = trimmed.substr(colon + 1);
  const size_t question = rest.find('?');
  spec.path = std::string(rest.substr(0, question));
  if (question != std::string_view::npos) {
    for (const auto pair : detail::split_fields(rest.substr(question + 1), '&')) {
      const size_t eq = pair.find('=');
      const std::string key(pair.substr(0, eq));
      if (eq == std::string_view::npos)
        throw std::invalid_argument(what + ": expected key=value, found '" + key + "'");
      const std::string value(pair.substr(eq + 1));
      detail::require_known_key(key, kQueryKeys, what);
      if (key == "header") {
        spec.header = parse_bool(value, what, key);
      } else if (key == "delimiter") {
        spec.delimiter = parse_delimiter(value, what);
      } else if (key == "columns") {
        spec.columns.clear();
        for (const auto c : detail::split_fields(value, ','))
          spec.columns.push_back(parse_column_text(c, what));
      } else if (key == "label") {
        if (spec.columns.size() != 3)
          throw std::invalid_argument(what + ": label needs a format with 3 columns");
        spec.columns[2] = parse_column_text(value, what);
      } else if (key == "label_map") {
        spec.label_map = parse_label_map_text(value, what);
      } else if (key == "label_scale") {
        if (!detail::parse_number(value, spec.label_scale))
          throw std::invalid_argument(what + ": label_scale must be a number, found '" + value +
                                      "'");
      } else if (key == "on_error") {
        spec.on_error = value;
      } else if (key == "encoding") {
        spec.encoding = value == "utf8" ? "utf-8" : value;
      } else {
        throw std::logic_error("dataset spec: key '" + key + "' is listed but not handled");
      }
    }
  }
  apply_implied_label_map(spec);
  try {
    spec.validate();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(what + ": " + e.what());
  }
  return spec;
}

std::string expand_home(const std::string& path) {
  const char* home = std::getenv("HOME");
  if (!path.starts_with("~/") || home == nullptr || *home == '\0') return path;
  return std::string(home) + path.substr(1);
}

std::string resolve_data_path(const std::string& spec_path) {
  namespace fs = std::filesystem;
  const std::string path = expand_home(spec_path);
  const fs::path p(path);
  if (p.is_absolute() || path.rfind("./", 0) == 0 || path.rfind("../", 0) == 0) return path;
  const char* root = std::getenv("SENTZOO_DATA");
  if (root == nullptr || *root == '\0') return path;
  return (fs::path(root) / p).string();
}

}  // namespace sentzoo
