// Pooling modes (REFERENCE.md §7). Padding traps handled: "first" is block 1's output, and every
// mean is masked so appended padding changes nothing. The TorchScript twins follow pool()
// (models/script.h), op for op.

#include "models/pooling.h"

#include <fmt/format.h>

#include <limits>

#include "models/script.h"

namespace sentzoo {

Pooling parse_pooling(const std::string& name) {
  if (name == "cls") return Pooling::kCls;
  if (name == "mean" || name == "last_avg") return Pooling::kMean;
  if (name == "max") return Pooling::kMax;
  if (name == "weighted_mean") return Pooling::kWeightedMean;
  if (name == "last_token") return Pooling::kLastToken;
  if (name == "first_last_avg") return Pooling::kFirstLastAvg;
  throw std::invalid_argument("unknown pooling '" + name +
                              "' (expected one of: cls, mean, last_avg, max, weighted_mean, "
                              "last_token, first_last_avg)");
}

std::string to_string(Pooling p) {
  switch (p) {
    case Pooling::kCls:
      return "cls";
    case Pooling::kMean:
      return "mean";
    case Pooling::kMax:
      return "max";
    case Pooling::kWeightedMean:
      return "weighted_mean";
    case Pooling::kLastToken:
      return "last_token";
    case Pooling::kFirstLastAvg:
      return "first_last_avg";
  }
  return "?";
}

void PoolingConfig::validate() const {
  parse_pooling(mode);
  if (dense_dim < 0) throw std::invalid_argument("PoolingConfig: dense_dim must be >= 0");
  if (dense_activation != "tanh" && dense_activation != "identity")
    throw std::invalid_argument("PoolingConfig: unknown dense_activation '" + dense_activation +
                                "' (expected one of: tanh, identity)");
}

namespace {
torch::Tensor mask3(const torch::Tensor& mask) { return mask.to(torch::kFloat).unsqueeze(-1); }
}  // namespace

torch::Tensor pooling_cls(const torch::Tensor& hidden) { return hidden.select(/*dim=*/1, 0); }

torch::Tensor pooling_mean(const torch::Tensor& hidden, const torch::Tensor& mask) {
  auto m = mask3(mask);  // (B, T, 1)
  auto sum = (hidden.to(torch::kFloat) * m).sum(/*dim=*/1);
  return (sum / m.sum(/*dim=*/1).clamp_min(1e-9)).to(hidden.scalar_type());
}

torch::Tensor pooling_max(const torch::Tensor& hidden, const torch::Tensor& mask) {
  auto pad = (mask == 0).unsqueeze(-1);
  auto filled = hidden.to(torch::kFloat).masked_fill(pad, std::numeric_limits<float>::lowest());
  return std::get<0>(filled.max(/*dim=*/1)).to(hidden.scalar_type());
}

torch::Tensor pooling_weighted_mean(const torch::Tensor& hidden, const torch::Tensor& mask) {
  // weights 1..T by position, zero on padding (SGPT, arXiv 2202.08904)
  auto w = torch::ones_like(mask, torch::kFloat).cumsum(/*dim=*/1) * mask.to(torch::kFloat);
  auto wm = w.unsqueeze(-1);
  auto sum = (hidden.to(torch::kFloat) * wm).sum(1);
  return (sum / wm.sum(1).clamp_min(1e-9)).to(hidden.scalar_type());
}

torch::Tensor pooling_last_token(const torch::Tensor& hidden, const torch::Tensor& mask) {
  // Index of the last 1 in each row (ST: flip + argmax), T-1 when the row has none.
  const int64_t T = mask.size(1);
  auto flipped = std::get<1>(mask.flip({1}).max(/*dim=*/1));  // first 1 from the right
  auto any = mask.sum(1) > 0;
  auto index = torch::where(any, T - 1 - flipped, torch::full_like(flipped, T - 1));
  auto gather = index.view({-1, 1, 1}).expand({hidden.size(0), 1, hidden.size(2)});
  return hidden.gather(/*dim=*/1, gather).squeeze(1);
}

torch::Tensor pooling_first_last_avg(const torch::Tensor& first,
                                     const torch::Tensor& last,
                                     const torch::Tensor& mask) {
  return (pooling_mean(first, mask) + pooling_mean(last, mask)) / 2;
}

torch::Tensor pool(const EncoderOutput& out, Pooling p) {
  switch (p) {
    case Pooling::kCls:
      return pooling_cls(out.last_hidden);
    case Pooling::kMean:
      return pooling_mean(out.last_hidden, out.mask);
    case Pooling::kMax:
      return pooling_max(out.last_hidden, out.mask);
    case Pooling::kWeightedMean:
      return pooling_weighted_mean(out.last_hidden, out.mask);
    case Pooling::kLastToken:
      return pooling_last_token(out.last_hidden, out.mask);
    case Pooling::kFirstLastAvg:
      TORCH_CHECK(out.hidden_states.size() >= 2,
                  "pool: first_last_avg needs output_hidden_states (embeddings + >= 1 block)");
      return pooling_first_last_avg(out.hidden_states[1], out.last_hidden, out.mask);
  }
  throw std::invalid_argument("pool: unknown pooling");
}

std::string pool_script(ScriptWriter& s,
                        Pooling p,
                        const std::string& last,
                        const std::string& first,
                        const std::string& mask) {
  auto call = [&](const char* name, const std::string& source, const std::string& hidden) {
    s.define(name, source);
    return fmt::format("self.{}({}, {})", name, hidden, mask);
  };
  const std::string mean = R"TS(
def _pooling_mean(self, hidden: Tensor, mask: Tensor) -> Tensor:
    m = mask.float().unsqueeze(-1)
    total = (hidden.float() * m).sum([1])
    return (total / m.sum([1]).clamp_min(1e-9)).to(hidden.dtype)
)TS";
  switch (p) {
    case Pooling::kCls:
      return last + ".select(1, 0)";
    case Pooling::kMean:
      return call("_pooling_mean", mean, last);
    case Pooling::kMax:
      return call("_pooling_max",
                  fmt::format(R"TS(
def _pooling_max(self, hidden: Tensor, mask: Tensor) -> Tensor:
    pad = (mask == 0).unsqueeze(-1)
    filled = hidden.float().masked_fill(pad, {})
    return torch.max(filled, 1)[0].to(hidden.dtype)
)TS",
                              ScriptWriter::lowest()),
                  last);
    case Pooling::kWeightedMean:
      return call("_pooling_weighted_mean",
                  R"TS(
def _pooling_weighted_mean(self, hidden: Tensor, mask: Tensor) -> Tensor:
    w = torch.ones_like(mask).float().cumsum(1) * mask.float()
    wm = w.unsqueeze(-1)
    total = (hidden.float() * wm).sum([1])
    return (total / wm.sum([1]).clamp_min(1e-9)).to(hidden.dtype)
)TS",
                  last);
    case Pooling::kLastToken:
      return call("_pooling_last_token",
                  R"TS(
def _pooling_last_token(self, hidden: Tensor, mask: Tensor) -> Tensor:
    T = mask.size(1)
    flipped = torch.max(mask.flip([1]), 1)[1]
    nonempty = mask.sum([1]) > 0
    index = torch.where(nonempty, T - 1 - flipped, torch.full_like(flipped, T - 1))
    gather = index.view([-1, 1, 1]).expand([hidden.size(0), 1, hidden.size(2)])
    return hidden.gather(1, gather).squeeze(1)
)TS",
                  last);
    case Pooling::kFirstLastAvg:
      return fmt::format(
          "({} + {}) / 2", call("_pooling_mean", mean, first), call("_pooling_mean", mean, last));
  }
  throw std::invalid_argument("pool_script: unknown pooling");
}

}  // namespace sentzoo
