// Strict JSON (issue #14): a key repeated in one object, numbers beyond double's range and
// values of the wrong exact type are refused with the file and the key path, and a huge value
// is never echoed whole.
#include "core/json_text.h"

#include <gtest/gtest.h>

#include "core/config.h"
#include "tests/test_util.h"

namespace sentzoo {
namespace {

using testing::error_of;

struct Inner {
  double lr = 1e-3;
  int64_t steps = 10;
  uint64_t seed = 42;
  bool flag = false;
  std::string name = "run";
  void validate() const {}
  NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(Inner, lr, steps, seed, flag, name)
};

struct Outer {
  Inner inner;
  void validate() const {}
  NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(Outer, inner)
};

TEST(JsonText, DuplicateKeysAreRefusedWithTheirPath) {
  EXPECT_EQ(error_of([] { parse_json_text(R"({"a": 1, "a": 2})", "cfg.json"); }),
            "cfg.json: invalid JSON: key \"a\" appears twice in one object");
  EXPECT_EQ(
      error_of([] { parse_json_text(R"({"train": {"lr": 1, "x": [{"k": 1, "k": 2}]}})", "c"); }),
      "c: invalid JSON: key \"train.x[].k\" appears twice in one object");
  // The same key in different objects is fine.
  EXPECT_NO_THROW(parse_json_text(R"({"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 1}, {"k": 2}]})",
                                  "c"));
}

TEST(JsonText, NumbersBeyondDoubleAreRefused) {
  // nlohmann refuses them itself, with an exception that is not a parse_error: it used to escape
  // without the file's name.
  EXPECT_EQ(error_of([] { parse_json_text(R"({"lr": 1e999})", "c"); })
                .rfind("c: invalid JSON: [json.exception.out_of_range.406] number overflow", 0),
            0u);
  EXPECT_EQ(error_of([] { parse_json_text(R"([-1e400])", "c"); }).rfind("c: invalid JSON:", 0),
            0u);
}

TEST(JsonText, SyntaxErrorsNameLineAndColumn) {
  EXPECT_NE(error_of([] { parse_json_text("{\n  \"a\": ,\n}", "x.json"); }).find("x.json:2:"),
            std::string::npos);
}

TEST(JsonText, ExcerptCutsLongValuesAtACharacterBoundary) {
  EXPECT_EQ(excerpt("short"), "short");
  const std::string long_value(10 << 20, 'x');
  EXPECT_EQ(excerpt(long_value, 4), "xxxx... (10485760 bytes)");
  EXPECT_EQ(excerpt("\xE4\xBD\xA0\xE5\xA5\xBD", 4), "\xE4\xBD\xA0... (6 bytes)");
}

TEST(StrictConfig, ScalarsMustHaveTheirDefaultsExactType) {
  const auto parse = [](const char* text) {
    return error_of([&] { parse_config<Outer>(parse_json_text(text, "c.json"), "c.json"); });
  };
  EXPECT_EQ(parse(R"({"inner": {"steps": 8.7}})"),
            "c.json: inner.steps: expected an integer, found 8.7");
  EXPECT_EQ(parse(R"({"inner": {"steps": 1e30}})"),
            "c.json: inner.steps: expected an integer, found 1e+30");
  EXPECT_EQ(parse(R"({"inner": {"steps": 18446744073709551615}})"),
            "c.json: inner.steps: expected an integer, found 18446744073709551615");
  EXPECT_EQ(parse(R"({"inner": {"seed": -1}})"),
            "c.json: inner.seed: expected a non-negative integer, found -1");
  EXPECT_EQ(parse(R"({"inner": {"lr": "0.1"}})"), "c.json: inner.lr: expected a number, found \"0.1\"");
  EXPECT_EQ(parse(R"({"inner": {"flag": 1}})"), "c.json: inner.flag: expected true or false, found 1");
  EXPECT_EQ(parse(R"({"inner": 3})"), "c.json: inner: expected an object, found 3");
  EXPECT_EQ(parse(R"({"inner": {"lr": 2, "steps": 3, "seed": 4}})"), "");
}

TEST(StrictConfig, OverridesRefuseNonFiniteNumbersAndEchoNoHugeValues) {
  nlohmann::json j = Outer{};
  for (const char* bad : {"inner.lr=nan", "inner.lr=inf", "inner.lr=-inf", "inner.lr=1e999"}) {
    SCOPED_TRACE(bad);
    EXPECT_NE(error_of([&] { apply_override(j, bad); }).find("expected a finite number"),
              std::string::npos);
  }
  EXPECT_NE(error_of([&] { apply_override(j, "inner.steps= 5"); }).find("expected an integer"),
            std::string::npos);
  EXPECT_NE(error_of([&] { apply_override(j, "inner.name=\xff"); }).find("expected UTF-8 text"),
            std::string::npos);
  const std::string huge = "inner.steps=" + std::string(1 << 20, '9');
  EXPECT_LT(error_of([&] { apply_override(j, huge); }).size(), 400u);
}

}  // namespace
}  // namespace sentzoo
