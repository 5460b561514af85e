// The position-wise feed-forward network shared by every encoder (REFERENCE.md §1.1, §2), each
// forward with its TorchScript twin right below it (models/script.h).

#include "models/feed_forward.h"

#include "models/script.h"

namespace sentzoo {

namespace detail {

torch::Tensor activation(const torch::Tensor& x, Activation act) {
  switch (act) {
    case Activation::kRelu:
      return torch::relu(x);
    case Activation::kGelu:
      return torch::gelu(x);  // exact: 0.5 x (1 + erf(x / sqrt 2))
    case Activation::kGeluNew:
      return torch::gelu(x, "tanh");
  }
  throw std::invalid_argument("activation: unknown hidden_act");
}

std::string activation_script(Activation act, const std::string& x) {
  switch (act) {
    case Activation::kRelu:
      return "torch.relu(" + x + ")";
    case Activation::kGelu:
      return "torch.gelu(" + x + ")";
    case Activation::kGeluNew:
      return "torch.gelu(" + x + ", approximate='tanh')";
  }
  throw std::invalid_argument("activation_script: unknown hidden_act");
}

// transformers ACT2FN, which the roformer package's pooler reads: "linear" is the identity,
// "gelu" the exact erf form, "gelu_new" the tanh approximation.
torch::Tensor pooler_activation(const torch::Tensor& x, PoolerActivation act) {
  switch (act) {
    case PoolerActivation::kTanh:
      return torch::tanh(x);
    case PoolerActivation::kLinear:
      return x;
    case PoolerActivation::kRelu:
      return torch::relu(x);
    case PoolerActivation::kGelu:
      return torch::gelu(x);
    case PoolerActivation::kGeluNew:
      return torch::gelu(x, "tanh");
    case PoolerActivation::kSigmoid:
      return torch::sigmoid(x);
  }
  throw std::invalid_argument("pooler_activation: unknown value");
}

std::string pooler_activation_script(PoolerActivation act, const std::string& x) {
  switch (act) {
    case PoolerActivation::kTanh:
      return "torch.tanh(" + x + ")";
    case PoolerActivation::kLinear:
      return x;
    case PoolerActivation::kRelu:
      return "torch.relu(" + x + ")";
    case PoolerActivation::kGelu:
      return "torch.gelu(" + x + ")";
    case PoolerActivation::kGeluNew:
      return "torch.gelu(" + x + ", approximate='tanh')";
    case PoolerActivation::kSigmoid:
      return "torch.sigmoid(" + x + ")";
  }
  throw std::invalid_argument("pooler_activation_script: unknown value");
}

}  // namespace detail

FeedForwardImpl::FeedForwardImpl(int64_t hidden, int64_t intermediate, Activation act_, bool bias)
    : act(act_) {
  fc1 = register_module(
      "fc1", torch::nn::Linear(torch::nn::LinearOptions(hidden, intermediate).bias(bias)));
  fc2 = register_module(
      "fc2", torch::nn::Linear(torch::nn::LinearOptions(intermediate, hidden).bias(bias)));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
  return fc2(detail::activation(fc1(x), act));
}

std::string FeedForwardImpl::script(ScriptWriter& s, const std::string& x) const {
  auto h = fmt::format(
      "torch.linear({}, {}, {})", x, s.weight(fc1->weight), s.optional_weight(fc1->bias));
  return fmt::format("torch.linear({}, {}, {})",
                     detail::activation_script(act, h),
                     s.weight(fc2->weight),
                     s.optional_weight(fc2->bias));
}

}  // namespace sentzoo
