#pragma once
// Runs a test scope with the models' fused attention (core/compat.h) on or off, restoring the
// previous setting on exit, also when an assertion throws.

#include "core/compat.h"

namespace sentzoo::testing {

class FusedAttentionSetting {
 public:
  explicit FusedAttentionSetting(bool enabled) : previous_(compat::fused_attention_enabled()) {
    compat::set_fused_attention_enabled(enabled);
  }
  ~FusedAttentionSetting() { compat::set_fused_attention_enabled(previous_); }
  FusedAttentionSetting(const FusedAttentionSetting&) = delete;
  FusedAttentionSetting& operator=(const FusedAttentionSetting&) = delete;

 private:
  bool previous_;
};

}  // namespace sentzoo::testing
