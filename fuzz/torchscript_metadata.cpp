// Fuzz target: metadata.json of a TorchScript export (models/export_metadata.h) and the reads
// eval/pair_model.cpp makes from it (kind, max_length, lowercase, num_labels).
#include "fuzz/fuzz_input.h"
#include "models/export_metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sentzoo;
  nlohmann::json meta;
  fuzz::expect_error_naming("fuzz.pt: metadata.json", [&] {
    meta = parse_export_metadata(fuzz::bytes(data, size), "fuzz.pt");
  });
  if (meta.is_null()) return 0;
  fuzz::expect_handled([&] {
    if (!meta.is_object()) std::abort();  // documented: an object or an exception
    (void)meta.value("kind", std::string());
    (void)meta.value("max_length", int64_t{512});
    (void)meta.value("lowercase", true);
    (void)meta.value("num_labels", int64_t{1});
    (void)meta.dump(2);
  });
  return 0;
}
