// The objective kinds by name (train/objectives/objective.h): the one place that maps
// "dual" / "cross" / "mlm" to code.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

#include "train/objectives/objective.h"

namespace sentzoo {

const ObjectiveKind& objective_kind(const std::string& name) {
  static const std::vector<ObjectiveKind> kinds = {
      dual_objective_kind(), cross_objective_kind(), mlm_objective_kind()};
  std::vector<std::string> names;
  for (const auto& kind : kinds) {
    if (kind.name == name) return kind;
    names.push_back(kind.name);
  }
  throw std::invalid_argument(
      fmt::format("unknown objective '{}' (expected one of: {})", name, fmt::join(names, ", ")));
}

}  // namespace sentzoo
