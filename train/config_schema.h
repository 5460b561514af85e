#pragma once
// What a sentzoo-train config may hold, key by key: the schema behind `--set` (any key the schema
// knows, listed in the file or not), `--print-config` (the fully resolved config) and
// docs/CONFIG.md (generated from the same schema and the descriptions in config_reference.cpp).
//
// The fixed part is TrainRunConfig's defaults. The free-form parts are filled in from what the
// config chooses: model.encoder from model.preset's EncoderConfig (or model.init_from's
// config.json), loss.params (and each task's) from the loss it names, multitask.weighting.params
// and multitask.combiner.params from theirs; their parameter names and defaults are read off the
// factories themselves (losses/json_params.h ParamRecorder), never listed twice.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "train/train_config.h"

namespace sentzoo {

/// Every key the config `raw` (a config file's JSON, possibly partial) may hold, at its default:
/// the shape apply_override() checks `--set` keys against.
nlohmann::json train_config_schema(const nlohmann::json& raw);

/// Applies `--set key.path=value` assignments to `raw`. Keys that choose what the rest means
/// (objective, model.preset, model.init_from, tasks[i].objective, and every `*.name`) go first,
/// in their given order, then the others, each checked against train_config_schema. When a
/// choice changes a loss, weighting or combiner, the parameters of the old one that the new one
/// does not take are dropped (they would only fail); returns one line per dropped parameter.
/// Throws std::invalid_argument naming the assignment.
std::vector<std::string> apply_train_overrides(nlohmann::json& raw,
                                               const std::vector<std::string>& assignments);

/// The resolved config, every key present: TrainRunConfig's values, model.encoder as the encoder
/// the run builds (preset or init_from config.json, with the config's overrides; vocab_size only
/// when set, since it otherwise follows the tokenizer), each loss's params with their defaults,
/// the weighting's and combiner's params as the run resolves them. Feeding it back as a config
/// trains the same model.
nlohmann::json resolved_train_config(const TrainRunConfig& config);

/// The parameters (name: default) the loss, loss weighting or gradient combiner `name` reads,
/// recorded off its factory (losses/json_params.h ParamRecorder). Throws for an unknown name.
nlohmann::json loss_params_schema(const std::string& name);
nlohmann::json weighting_params_schema(const std::string& name);
nlohmann::json combiner_params_schema(const std::string& name);

/// docs/CONFIG.md: every key of the schema with its default and description, the presets, and
/// each loss, weighting and combiner with its parameters. Throws std::logic_error when a key has
/// no description or a description names no key (the reference cannot fall behind the code).
std::string config_reference_markdown();

}  // namespace sentzoo
