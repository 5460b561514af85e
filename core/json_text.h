#pragma once
// Strict JSON reading for every file sentzoo reads (configs, dataset specs, sentzoo.json,
// metadata.json, state.json, safetensors headers, Hugging Face config.json): syntax errors name
// `what:line:column`, a key repeated in one object is an error (JSON parsers differ on which copy
// wins, so "strict" must refuse it), and every error of the JSON library (numbers beyond double's
// range, 1e999, included) comes out as a std::runtime_error naming `what`.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace sentzoo {

/// Parses `text`; `what` names its source in messages, e.g. "run/config.json" or
/// "model.pt:metadata.json". Throws std::runtime_error.
nlohmann::json parse_json_text(std::string_view text, const std::string& what);

/// Reads and parses a JSON file (parse_json_text); a missing file is an error naming `path`.
nlohmann::json read_json_file(const std::string& path);

/// `value` for an error message: at most `max_chars` bytes (cut at a UTF-8 boundary) with
/// "... (N bytes)" appended when cut, so a 10 MB value never floods a terminal.
std::string excerpt(std::string_view value, size_t max_chars = 80);

}  // namespace sentzoo
