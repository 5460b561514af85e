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
      // "dir/m.pt:metadata.json:1:10: invalid JSON: ..." or "dir/m.pt: metadata.json: expected ..."
      const std::string m = e.what();
      EXPECT_EQ(m.rfind("dir/m.pt", 0), 0u) << m;
      EXPECT_NE(m.find("metadata.json"), std::string::npos) << m;
      EXPECT_TRUE(m.find("invalid JSON") != std::string::npos ||
                  m.find("expected") != std::string::npos)
          << m;
    }
  }
}

}  // namespace
}  // namespace sentzoo
