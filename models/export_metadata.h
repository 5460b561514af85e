#pragma once
// metadata.json of a TorchScript export (models/export.h): parsed and checked without LibTorch,
// so the fuzz target (fuzz/torchscript_metadata.cpp) runs without it.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace sentzoo {

/// The metadata.json text of the archive at `path` as a JSON object. Throws std::runtime_error
/// "path: metadata.json: expected ..., found ..." for invalid JSON, a non-object, or a key
/// sentzoo reads with the wrong type (kind: string, lowercase: bool, max_length and num_labels:
/// positive integers).
nlohmann::json parse_export_metadata(std::string_view text, const std::string& path);

}  // namespace sentzoo
