#pragma once
// Human-readable one-line summary of a Metrics record, for the mains' stderr/log line
// (STYLE.md §7: the JSON goes to stdout, this line to the log).

#include <string>

#include "metrics/metrics.h"

namespace sentzoo {

/// "accuracy 0.8675* | accuracy_threshold 0.8123 | ... | threshold_source=valid": keys in
/// order, the primary marked with '*', `digits` decimals, NaN as "nan", info after the values.
std::string format_metrics(const Metrics& m, int digits = 4);

}  // namespace sentzoo
