// Fuzz target: the dataset spec parser (data/dataset_spec.h), both the FORMAT:PATH?k=v form and
// the JSON form. A spec that parses must survive dataset_spec_to_json -> dataset_spec_from_json
// unchanged (the training config stores specs as JSON).
#include <cstdio>

#include "data/dataset_spec.h"
#include "fuzz/fuzz_input.h"

namespace {
std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sentzoo;
  DatasetSpec spec;
  try {
    spec = parse_dataset_spec(std::string(fuzz::bytes(data, size)));
  } catch (const std::exception&) {
    return 0;
  }
  const nlohmann::json j = dataset_spec_to_json(spec);
  DatasetSpec again;
  try {
    // dump() throws for strings that are not UTF-8: a spec that cannot be stored is a finding.
    again = dataset_spec_from_json(nlohmann::json::parse(j.dump()));
  } catch (const std::exception& e) {
    fprintf(stderr, "round trip of %s failed: %s\n", dump(j).c_str(), e.what());
    std::abort();
  }
  if (!(again == spec)) {
    fprintf(stderr, "round trip changed %s into %s\n", dump(j).c_str(),
            dump(dataset_spec_to_json(again)).c_str());
    std::abort();
  }
  (void)resolve_data_path(spec.path);
  return 0;
}
