// The schema of sentzoo-train configs: --set, --print-config (train/config_schema.h).
#include "train/config_schema.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "core/config.h"
#include "data/dataset_spec.h"
#include "losses/gradient_combiner.h"
#include "losses/json_params.h"
#include "losses/loss_weighting.h"
#include "losses/make_loss.h"
#include "models/encoder_config.h"
#include "models/hf_weights.h"

namespace sentzoo {

namespace {
using json = nlohmann::json;

// raw[key] as a string when it is one, else `fallback`: the schema is built from configs that
// are not validated yet, so every read tolerates a wrong type (the parse reports it later).
std::string string_at(const json& raw, const char* key, const std::string& fallback = "") {
  return raw.is_object() && raw.contains(key) && raw[key].is_string() ? raw[key].get<std::string>()
                                                                      : fallback;
}

const json& object_at(const json& raw, const char* key) {
  static const json empty = json::object();
  return raw.is_object() && raw.contains(key) && raw[key].is_object() ? raw[key] : empty;
}


// The encoder a model section builds before its overrides: init_from's config.json, else the
// preset (EncoderConfig's defaults when neither can be read: the run reports why).
json base_encoder(const json& model) {
  if (const auto dir = string_at(model, "init_from"); !dir.empty()) {
    try {
      return json(encoder_config_from_hf(
          read_json_file((std::filesystem::path(expand_home(dir)) / "config.json").string())));
    } catch (const std::exception&) {
      return json(EncoderConfig{});
    }
  }
  try {
    return json(encoder_preset(string_at(model, "preset", ModelSpec{}.preset)));
  } catch (const std::invalid_argument&) {
    return json(EncoderConfig{});
  }
}

// The loss a (task or top-level) loss section means: its name, or the objective's default.
std::string effective_loss(const json& loss, const std::string& objective) {
  const auto name = string_at(loss, "name");
  return name.empty() ? default_loss(objective) : name;
}

// Where the config names a loss, weighting or combiner, with the name in effect there.
std::map<std::string, std::string> chosen_names(const json& raw) {
  std::map<std::string, std::string> names;
  const auto objective = string_at(raw, "objective", TrainRunConfig{}.objective);
  names["loss"] = effective_loss(object_at(raw, "loss"), objective);
  if (raw.is_object() && raw.contains("tasks") && raw["tasks"].is_array())
    for (size_t i = 0; i < raw["tasks"].size(); ++i) {
      const auto& task = raw["tasks"][i];
      names[fmt::format("tasks[{}].loss", i)] =
          effective_loss(object_at(task, "loss"), string_at(task, "objective", TaskSpec{}.objective));
    }
  const auto& multitask = object_at(raw, "multitask");
  names["multitask.weighting"] =
      string_at(object_at(multitask, "weighting"), "name", MultitaskSpec{}.weighting.name);
  names["multitask.combiner"] =
      string_at(object_at(multitask, "combiner"), "name", MultitaskSpec{}.combiner.name);
  return names;
}

json params_of(const std::string& where, const std::string& name) {
  if (where.starts_with("multitask.weighting")) return weighting_params_schema(name);
  if (where.starts_with("multitask.combiner")) return combiner_params_schema(name);
  return loss_params_schema(name);
}

// The node at "a.b" or "tasks[1].loss" inside j (created as objects where missing).
json& node_at(json& j, const std::string& where) {
  json* node = &j;
  size_t start = 0;
  while (start <= where.size()) {
    const auto dot = where.find('.', start);
    std::string part = where.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (const auto open = part.find('['); open != std::string::npos) {
      const auto index = std::stoul(part.substr(open + 1));
      node = &(*node)[part.substr(0, open)][index];
    } else {
      node = &(*node)[part];
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return *node;
}

bool is_choice(const std::string& key) {
  return key == "objective" || key == "model.preset" || key == "model.init_from" ||
         key.ends_with(".name") || (key.starts_with("tasks[") && key.ends_with("].objective"));
}

// Defaults under what `given` sets; required parameters (null defaults) appear only when set.
json with_defaults(json defaults, const json& given) {
  for (auto it = defaults.begin(); it != defaults.end();)
    it = it.value().is_null() ? defaults.erase(it) : std::next(it);
  if (given.is_object()) defaults.merge_patch(given);
  return defaults;
}
}  // namespace

json train_config_schema(const json& raw) {
  json schema = TrainRunConfig{};
  const auto& model = object_at(raw, "model");
  schema["model"]["encoder"] = base_encoder(model);
  if (raw.is_object() && raw.contains("tasks") && raw["tasks"].is_array())
    for (size_t i = 0; i < raw["tasks"].size(); ++i) schema["tasks"][i] = TaskSpec{};
  for (const auto& [where, name] : chosen_names(raw))
    node_at(schema, where)["params"] = params_of(where, name);
  return schema;
}

std::vector<std::string> apply_train_overrides(json& raw,
                                               const std::vector<std::string>& assignments) {
  std::vector<std::string> notes;
  const auto before = chosen_names(raw);
  for (const auto& a : assignments)
    if (is_choice(a.substr(0, a.find('=')))) apply_override(raw, a, train_config_schema(raw));
  // A changed loss, weighting or combiner keeps only the parameters the new one takes.
  const auto after = chosen_names(raw);
  for (const auto& [where, name] : after) {
    const auto old = before.find(where);
    if (old == before.end() || old->second == name) continue;
    json& params = node_at(raw, where)["params"];
    if (!params.is_object()) continue;
    const json known = params_of(where, name);
    for (auto it = params.begin(); it != params.end();) {
      if (known.contains(it.key())) {
        ++it;
        continue;
      }
      notes.push_back(fmt::format("{}.params.{} dropped: '{}' takes no '{}' ('{}' did)", where,
                                  it.key(), name, it.key(), old->second));
      it = params.erase(it);
    }
  }
  for (const auto& a : assignments)
    if (!is_choice(a.substr(0, a.find('=')))) apply_override(raw, a, train_config_schema(raw));
  return notes;
}

json loss_params_schema(const std::string& name) {
  return detail::describe_params([&] { make_loss(name); });
}
json weighting_params_schema(const std::string& name) {
  return detail::describe_params([&] { make_loss_weighting(name); });
}
json combiner_params_schema(const std::string& name) {
  return detail::describe_params([&] { make_gradient_combiner(name); });
}

json resolved_train_config(const TrainRunConfig& config) {
  json j = config;
  json encoder = base_encoder(j["model"]);
  // Derived by the run, not chosen: the MLM head follows the objectives, the pooler of a loaded
  // checkpoint follows its weights, the vocabulary size follows the tokenizer.
  encoder.erase("with_mlm_head");
  if (!config.model.init_from.empty()) encoder.erase("with_pooler");
  encoder.erase("vocab_size");
  encoder.merge_patch(config.model.encoder);
  j["model"]["encoder"] = encoder;
  const auto names = chosen_names(j);
  for (const auto& [where, name] : names) {
    json& section = node_at(j, where);
    if (where.ends_with("loss")) section["name"] = name;
    const json given = where == "multitask.weighting" ? resolved_weighting_params(config)
                                                       : section["params"];
    section["params"] = with_defaults(params_of(where, name), given);
  }
  return j;
}

}  // namespace sentzoo
