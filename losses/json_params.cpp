// Strict JSON parameter checks shared by make_loss, make_loss_weighting, make_gradient_combiner.

#include "losses/json_params.h"

#include <vector>

#include "core/config.h"

namespace sentzoo::detail {

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

void check_keys(const nlohmann::json& params,
                std::initializer_list<const char*> known,
                const std::string& what) {
  if (params.is_null()) return;
  if (!params.is_object())
    throw std::invalid_argument(what + ": parameters must be a JSON object, got " + params.dump());
  const std::vector<std::string> names(known.begin(), known.end());
  for (const auto& item : params.items()) require_known_key(item.key(), names, what);
}

}  // namespace sentzoo::detail
