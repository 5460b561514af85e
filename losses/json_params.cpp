// Strict JSON parameter checks shared by make_loss, make_loss_weighting, make_gradient_combiner.

#include "losses/json_params.h"

#include <stdexcept>
#include <vector>

#include "core/config.h"

namespace sentzoo::detail {

namespace {
thread_local ParamRecorder* active_recorder = nullptr;
}  // namespace

ParamRecorder::ParamRecorder() : previous_(active_recorder) { active_recorder = this; }
ParamRecorder::~ParamRecorder() { active_recorder = previous_; }
ParamRecorder* ParamRecorder::active() { return active_recorder; }
void ParamRecorder::record(const char* key, nlohmann::json default_value) {
  recorded_[key] = std::move(default_value);
}
void ParamRecorder::accept(std::initializer_list<const char*> keys) {
  accepted_.assign(keys.begin(), keys.end());
}
void ParamRecorder::require_complete(const std::string& what) const {
  for (const auto& key : accepted_)
    if (!recorded_.contains(key))
      throw std::logic_error(what + ": parameter '" + key +
                             "' is accepted but was not read before a check threw; read every "
                             "parameter first (losses/json_params.h)");
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

void check_keys(const nlohmann::json& params,
                std::initializer_list<const char*> known,
                const std::string& what) {
  if (auto* recorder = ParamRecorder::active()) recorder->accept(known);
  if (params.is_null()) return;
  if (!params.is_object())
    throw std::invalid_argument(what + ": parameters must be a JSON object, got " + params.dump());
  const std::vector<std::string> names(known.begin(), known.end());
  for (const auto& item : params.items()) require_known_key(item.key(), names, what);
}

}  // namespace sentzoo::detail
