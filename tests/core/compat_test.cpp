#include "core/compat.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace sentzoo {

TEST(AutocastGuard, MakesCpuLinearBf16AndRestoresState) {
  auto x = torch::randn({4, 8});
  auto w = torch::randn({3, 8});
  ASSERT_FALSE(compat::autocast_active());
  {
    compat::AutocastGuard amp(/*enabled=*/true);
    EXPECT_TRUE(compat::autocast_active());
    EXPECT_EQ(torch::linear(x, w).scalar_type(), torch::kBFloat16);
    {
      compat::AutocastGuard nested(/*enabled=*/true);
      EXPECT_TRUE(compat::autocast_active());
    }
    EXPECT_TRUE(compat::autocast_active());
  }
  EXPECT_FALSE(compat::autocast_active());
  EXPECT_EQ(torch::linear(x, w).scalar_type(), torch::kFloat);
}

TEST(AutocastGuard, DisabledGuardChangesNothing) {
  compat::AutocastGuard amp(/*enabled=*/false);
  EXPECT_FALSE(compat::autocast_active());
}

TEST(AutocastGuard, RejectsFp16OnCpuAndLeavesAutocastOff) {
  EXPECT_THROW(compat::AutocastGuard(true, c10::DeviceType::CPU, c10::ScalarType::Half),
               std::invalid_argument);
  EXPECT_FALSE(compat::autocast_active());
}

}  // namespace sentzoo
