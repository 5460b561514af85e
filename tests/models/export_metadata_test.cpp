// metadata.json of an export archive (models/export_metadata.h): errors name the archive.
#include "models/export_metadata.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace sentzoo {
namespace {

TEST(ExportMetadata, ParsesAnObject) {
  EXPECT_EQ(parse_export_metadata(R"({"kind": "dual"})", "m.pt").at("kind"), "dual");
}

TEST(ExportMetadata, InvalidJsonOrNonObjectNamesTheArchive) {
  // {"kind": 1e400}: nlohmann throws out_of_range.406, not parse_error (fuzz/torchscript_metadata)
  // wrong types for the keys eval reads; max_length 1e30 was an out-of-range float-to-int cast
  for (const char* text : {"{\"kind\": ", "[1, 2]", "5", "", "{\"kind\": 1e400}",
                           "{\"kind\": 3}", "{\"max_length\": 1e30}", "{\"max_length\": -4}",
                           "{\"num_labels\": 2.5}", "{\"lowercase\": \"yes\"}"}) {
    try {
      parse_export_metadata(text, "dir/m.pt");
      ADD_FAILURE() << "accepted " << text;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("dir/m.pt: metadata.json: expected"), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace sentzoo
