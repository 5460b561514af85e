#pragma once
// The token ids of one text or text pair, as a model sees them ([CLS] a [SEP] (b [SEP])).

#include <cstdint>
#include <vector>

namespace sentzoo {

struct Encoding {
  std::vector<int64_t> ids;       // e.g. {101, 7592, 2088, 102}
  std::vector<int64_t> type_ids;  // token_type_ids (segment ids), same length as ids
};

}  // namespace sentzoo
