#include "core/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace sentzoo {
namespace {

struct InnerConfig {
  double lr = 1e-3;                      // e.g. 2e-5
  std::map<std::string, int> label_map;  // free-form
  void validate() const {}
  NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(InnerConfig, lr, label_map)
};

struct OuterConfig {
  int64_t max_steps = 10;
  bool deterministic = false;
  std::string name = "run";
  InnerConfig optim;
  void validate() const {
    if (max_steps <= 0) {
      throw std::invalid_argument("OuterConfig: max_steps (" + std::to_string(max_steps) +
                                  ") must be positive");
    }
  }
  NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(OuterConfig, max_steps, deterministic, name, optim)
};

}  // namespace

TEST(Config, JsonRoundTripIsIdentity) {
  OuterConfig c;
  c.max_steps = 77;
  c.optim.label_map = {{"entailment", 2}};
  const auto back = parse_config<OuterConfig>(nlohmann::json(c), "test");
  EXPECT_EQ(nlohmann::json(back), nlohmann::json(c));
}

TEST(Config, MissingKeysTakeDefaults) {
  const auto c = parse_config<OuterConfig>(nlohmann::json::parse(R"({"name": "x"})"), "t");
  EXPECT_EQ(c.max_steps, 10);
  EXPECT_EQ(c.name, "x");
}

TEST(Config, UnknownKeyIsAnErrorNamingItsPath) {
  try {
    parse_config<OuterConfig>(nlohmann::json::parse(R"({"optim": {"lrr": 1}})"), "cfg.json");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("cfg.json: optim: unknown key 'lrr'"), std::string::npos)
        << e.what();
  }
  // Free-form maps accept any key.
  EXPECT_NO_THROW(parse_config<OuterConfig>(
      nlohmann::json::parse(R"({"optim": {"label_map": {"anything": 1}}})"), "t"));
}

TEST(Config, ValidateNamesTheField) {
  EXPECT_THROW(
      {
        try {
          parse_config<OuterConfig>(nlohmann::json::parse(R"({"max_steps": 0})"), "t");
        } catch (const std::invalid_argument& e) {
          EXPECT_NE(std::string(e.what()).find("max_steps"), std::string::npos);
          throw;
        }
      },
      std::invalid_argument);
}

TEST(Config, WrongTypeIsAnError) {
  EXPECT_THROW(parse_config<OuterConfig>(nlohmann::json::parse(R"({"max_steps": "ten"})"), "t"),
               std::invalid_argument);
}

TEST(Config, OverridesAreTypeChecked) {
  nlohmann::json j = OuterConfig{};
  apply_overrides(j, {"max_steps=5", "optim.lr=0.5", "deterministic=true", "name=abc"});
  const auto c = parse_config<OuterConfig>(j, "t");
  EXPECT_EQ(c.max_steps, 5);
  EXPECT_DOUBLE_EQ(c.optim.lr, 0.5);
  EXPECT_TRUE(c.deterministic);
  EXPECT_EQ(c.name, "abc");
  EXPECT_THROW(apply_override(j, "max_steps=1.5"), std::invalid_argument);
  try {
    apply_override(j, "max_steps=many");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--set max_steps=many: expected an integer, found 'many'"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(apply_override(j, "deterministic=yes"), std::invalid_argument);
  EXPECT_THROW(apply_override(j, "optim.lrr=1"), std::invalid_argument);
  EXPECT_THROW(apply_override(j, "noequals"), std::invalid_argument);
}

TEST(Config, SyntaxErrorNamesLineAndColumn) {
  const auto path = std::filesystem::temp_directory_path() / "sentzoo_config_test.json";
  std::ofstream(path) << "{\n  \"a\": 1,\n  \"b\": ,\n}\n";
  try {
    read_json_file(path.string());
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string() + ":3:"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

}  // namespace sentzoo
