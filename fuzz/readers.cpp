// Fuzz target: every data set format of read_dataset() (data/readers.h) on arbitrary bytes.
// Input: byte 0 picks the format (dataset_formats() order: tsv nli csv bq pawsx stsb sick jsonl
// text), byte 1 the options (bit 0 on_error=skip, bit 1 encoding=latin1, bit 2 header flipped,
// bit 3 comma/tab delimiter swapped), the rest is the file. The seeds of scripts/fuzz.sh put
// real files of each format behind these two bytes.
#include "data/dataset.h"
#include "data/readers.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sentzoo;
  if (size < 2) return 0;
  const auto& formats = dataset_formats();
  DatasetSpec spec = dataset_spec_defaults(formats[data[0] % formats.size()]);
  spec.path = "fuzz-input";
  const uint8_t flags = data[1];
  if (flags & 1) spec.on_error = "skip";
  if (flags & 2) spec.encoding = "latin1";
  if (flags & 4) spec.header = !spec.header;
  if (flags & 8) spec.delimiter = spec.delimiter == ',' ? '\t' : ',';
  try {
    spec.validate();
  } catch (const std::invalid_argument&) {
    return 0;  // e.g. named columns without a header: read_dataset refuses it before reading
  }
  // read_dataset's contract: a bad record throws "path:line: expected ..., found ...".
  fuzz::expect_error_naming(spec.path + ":", [&] {
    Dataset out;
    out.report.path = spec.path;
    detail::read_dataset_bytes(std::string(fuzz::bytes(data + 2, size - 2)), spec, out);
    (void)describe(out.report);
    // Every example must point at a line of the file.
    for (const auto& p : out.pairs)
      if (p.line < 1 || p.line > out.report.lines) std::abort();
  });
  return 0;
}
