// The torchrun environment: what makes a job, defaults, and the errors (dist/dist_env.h).
#include "dist/dist_env.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "tests/test_util.h"

namespace sentzoo {
namespace {

using testing::error_of;

DistEnv read(const std::map<std::string, std::string>& vars) {
  return read_dist_env([&](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

TEST(DistEnv, NothingSetIsOneProcess) {
  const DistEnv env = read({});
  EXPECT_FALSE(env.distributed());
  EXPECT_EQ(env.rank, 0);
  EXPECT_EQ(env.world_size, 1);
  // MASTER_* alone (left in a shell) do not make a job.
  EXPECT_FALSE(read({{"MASTER_ADDR", "10.0.0.1"}, {"MASTER_PORT", "1234"}}).distributed());
}

TEST(DistEnv, ReadsWhatTorchrunSets) {
  const DistEnv env = read({{"RANK", "3"},
                            {"WORLD_SIZE", "4"},
                            {"LOCAL_RANK", "1"},
                            {"LOCAL_WORLD_SIZE", "2"},
                            {"MASTER_ADDR", "node0"},
                            {"MASTER_PORT", "29400"}});
  EXPECT_TRUE(env.distributed());
  EXPECT_EQ(env.rank, 3);
  EXPECT_EQ(env.world_size, 4);
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.local_world_size, 2);
  EXPECT_EQ(env.master_addr, "node0");
  EXPECT_EQ(env.master_port, 29400);
  EXPECT_FALSE(env.agent_store);
  // torchrun's agent serves the store itself and says so.
  EXPECT_TRUE(read({{"RANK", "0"},
                    {"WORLD_SIZE", "2"},
                    {"MASTER_ADDR", "node0"},
                    {"MASTER_PORT", "29400"},
                    {"TORCHELASTIC_USE_AGENT_STORE", "True"}})
                  .agent_store);
}

TEST(DistEnv, LocalValuesDefaultToOneNode) {
  const DistEnv env = read(
      {{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "29500"}});
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.local_world_size, 2);
  EXPECT_FALSE(read({{"RANK", "0"}, {"WORLD_SIZE", "1"}}).distributed());
}

TEST(DistEnv, ErrorsNameTheVariableAndValue) {
  const std::map<std::string, std::string> job = {
      {"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "29500"}};
  auto with = [&](const std::string& key, const std::string& value) {
    auto vars = job;
    vars[key] = value;
    return error_of([&] { read(vars); });
  };
  auto without = [&](const std::string& key) {
    auto vars = job;
    vars.erase(key);
    return error_of([&] { read(vars); });
  };
  EXPECT_EQ(with("RANK", "2"), "environment: RANK must be in [0, 1], found 2");
  EXPECT_EQ(with("RANK", "-1"), "environment: RANK must be a non-negative integer, found '-1'");
  EXPECT_EQ(with("WORLD_SIZE", "two"),
            "environment: WORLD_SIZE must be a non-negative integer, found 'two'");
  EXPECT_EQ(with("WORLD_SIZE", "0"), "environment: WORLD_SIZE must be in [1, 1048576], found 0");
  EXPECT_EQ(with("MASTER_PORT", "70000"),
            "environment: MASTER_PORT must be in [1, 65535], found 70000");
  EXPECT_EQ(with("MASTER_PORT", "29500 "),
            "environment: MASTER_PORT must be a non-negative integer, found '29500 '");
  EXPECT_EQ(with("LOCAL_RANK", "5"), "environment: LOCAL_RANK must be in [0, 1], found 5");
  EXPECT_EQ(with("MASTER_ADDR", ""), "environment: MASTER_ADDR is empty");
  EXPECT_EQ(without("RANK"), "environment: WORLD_SIZE is set but RANK is not");
  EXPECT_EQ(without("MASTER_PORT"),
            "environment: WORLD_SIZE is 2 but MASTER_PORT is not set (the address of rank 0's "
            "store)");
  EXPECT_EQ(error_of([&] {
              read({{"RANK", "1"}});
            }),
            "environment: RANK is set but WORLD_SIZE is not (a torchrun-style job sets both)");
}

}  // namespace
}  // namespace sentzoo
