// One-line metric summaries.
#include "eval/report.h"

#include <fmt/format.h>

#include <cmath>
#include <vector>

namespace sentzoo {

std::string format_metrics(const Metrics& m, int digits) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : m.values) {
    const std::string v = std::isnan(value) ? "nan" : fmt::format("{:.{}f}", value, digits);
    parts.push_back(fmt::format("{} {}{}", key, v, key == m.primary ? "*" : ""));
  }
  for (const auto& [key, value] : m.info) parts.push_back(fmt::format("{}={}", key, value));
  return fmt::format("{}", fmt::join(parts, " | "));
}

}  // namespace sentzoo
