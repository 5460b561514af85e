// TorchScript export by generated source (TOOLCHAIN.md §5 route B). Each line of the generated
// forward mirrors one line of the native modules (layers.cpp, attention.cpp, rotary.cpp,
// encoder.cpp, pooling.cpp, dual_encoder.cpp, cross_encoder.cpp) with the same ATen ops in the
// same order, so fp32 outputs agree to rounding. Shapes are read with size() at run time.

#include "models/export.h"

#include <fmt/format.h>

#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "io/atomic_file.h"

namespace sentzoo {

namespace fs = std::filesystem;

namespace {

// A float literal TorchScript reads as float (never as int).
std::string lit(double v) {
  std::string s = fmt::format("{:.17g}", v);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

// Shared helpers; every method is a line of the native code (file named in the comment).
const char* kHelpers = R"TS(
def _ln(self, x: Tensor, w: Optional[Tensor], b: Optional[Tensor], eps: float) -> Tensor:
    return torch.layer_norm(x, [x.size(-1)], w, b, eps)

def _rms(self, x: Tensor, eps: float) -> Tensor:
    return x * torch.rsqrt(x.pow(2).mean([-1], True) + eps)

def _rope(self, x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    x1 = x[:, :, :, 0::2]
    x2 = x[:, :, :, 1::2]
    return torch.stack([x1 * cos - x2 * sin, x2 * cos + x1 * sin], -1).flatten(-2)

def _mean(self, x: Tensor, mask: Tensor) -> Tensor:
    m = mask.float().unsqueeze(-1)
    return (x * m).sum([1]) / m.sum([1]).clamp_min(1e-9)

def _max(self, x: Tensor, mask: Tensor) -> Tensor:
    pad = (mask == 0).unsqueeze(-1)
    return torch.max(x.masked_fill(pad, LOWEST), 1)[0]

def _weighted_mean(self, x: Tensor, mask: Tensor) -> Tensor:
    w = torch.ones_like(mask).float().cumsum(1) * mask.float()
    wm = w.unsqueeze(-1)
    return (x * wm).sum([1]) / wm.sum([1]).clamp_min(1e-9)

def _last_token(self, x: Tensor, mask: Tensor) -> Tensor:
    T = mask.size(1)
    flipped = torch.max(mask.flip([1]), 1)[1]
    nonempty = mask.sum([1]) > 0
    index = torch.where(nonempty, T - 1 - flipped, torch.full_like(flipped, T - 1))
    gather = index.view([-1, 1, 1]).expand([x.size(0), 1, x.size(2)])
    return x.gather(1, gather).squeeze(1)
)TS";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// Collects the weights the generated source refers to, under jit-safe names ('.' -> '_').
class SourceGen {
 public:
  explicit SourceGen(torch::nn::Module& m) {
    for (const auto& p : m.named_parameters(/*recurse=*/true)) tensors_[p.key()] = p.value();
  }
  bool has(const std::string& name) const { return tensors_.count(name) > 0; }
  // "self.<name>" for a weight of the module, "None" when it has none (bias-free layers).
  std::string opt(const std::string& name) {
    if (!has(name)) return "None";
    used_.insert(name);
    return "self." + safe(name);
  }
  std::string req(const std::string& name) {
    if (!has(name)) throw std::logic_error("export: the module has no weight '" + name + "'");
    return opt(name);
  }
  std::string buffer(const std::string& name, const torch::Tensor& t) {
    buffers_[name] = t;
    return "self." + safe(name);
  }
  static std::string safe(std::string name) {
    for (auto& c : name)
      if (c == '.') c = '_';
    return name;
  }
  void register_on(torch::jit::Module& jm) const {
    for (const auto& name : used_)
      jm.register_parameter(
          safe(name), tensors_.at(name).detach().to(torch::kFloat).contiguous().clone(), false);
    for (const auto& [name, t] : buffers_) jm.register_buffer(safe(name), t.clone());
  }

 private:
  std::map<std::string, torch::Tensor> tensors_, buffers_;
  std::set<std::string> used_;
};

std::string norm_call(SourceGen& g, const EncoderConfig& c, const std::string& p, const char* x) {
  if (c.norm_type == "rms_norm") return fmt::format("self._rms({}, {})", x, lit(c.norm_eps));
  return fmt::format(
      "self._ln({}, {}, {}, {})", x, g.req(p + ".weight"), g.opt(p + ".bias"), lit(c.norm_eps));
}

std::string act_call(const std::string& act, const std::string& x) {
  if (act == "relu") return "torch.relu(" + x + ")";
  if (act == "gelu") return "torch.gelu(" + x + ")";
  if (act == "gelu_new") return "torch.gelu(" + x + ", approximate='tanh')";
  throw std::invalid_argument("export: unknown activation '" + act + "'");
}

// attention.cpp: q/k/v split into heads, RoPE on q and k, scaled masked softmax, o.
std::string attention_source(const EncoderConfig& c) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(c.head_dim()));
  std::string rope_args = c.rotary() ? ", cos: Tensor, sin: Tensor" : "";
  std::string rope =
      c.rotary() ? "    q = self._rope(q, cos, sin)\n    k = self._rope(k, cos, sin)\n" : "";
  return fmt::format(
      R"TS(
def _attn(self, x: Tensor, pad: Tensor{rope_args}, qw: Tensor, qb: Optional[Tensor], kw: Tensor, kb: Optional[Tensor], vw: Tensor, vb: Optional[Tensor], ow: Tensor, ob: Optional[Tensor]) -> Tensor:
    B = x.size(0)
    T = x.size(1)
    q = torch.linear(x, qw, qb).view([B, T, {H}, {D}]).transpose(1, 2)
    k = torch.linear(x, kw, kb).view([B, T, {H}, {D}]).transpose(1, 2)
    v = torch.linear(x, vw, vb).view([B, T, {H}, {D}]).transpose(1, 2)
{rope}    s = torch.matmul(q, k.transpose(-1, -2)) * {scale}
    s = s.masked_fill(pad, LOWEST)
    ctx = torch.matmul(torch.softmax(s, -1), v)
    return torch.linear(ctx.transpose(1, 2).reshape([B, T, {h}]), ow, ob)
)TS",
      fmt::arg("rope_args", rope_args),
      fmt::arg("rope", rope),
      fmt::arg("H", c.num_heads),
      fmt::arg("D", c.head_dim()),
      fmt::arg("h", c.hidden_size),
      fmt::arg("scale", lit(scale)));
}

// encoder.cpp forward: embeddings, unrolled blocks, final norm. Returns (last, first) where
// first is hidden_states[1] (for first_last_avg).
std::string tower_source(SourceGen& g,
                         const EncoderConfig& c,
                         const std::string& prefix,
                         const std::string& fn) {
  auto w = [&](const std::string& n) { return prefix + "." + n; };
  std::ostringstream s;
  s << "\ndef " << fn
    << "(self, ids: Tensor, mask: Tensor, seg: Tensor) -> Tuple[Tensor, Tensor]:\n";
  s << "    x = torch.embedding(" << g.req(w("embeddings.tok.weight"))
    << ", ids) + torch.embedding(" << g.req(w("embeddings.seg.weight")) << ", seg)\n";
  if (g.has(w("embeddings.pos.weight")))
    s << "    x = x + torch.embedding(" << g.req(w("embeddings.pos.weight"))
      << ", torch.ones_like(ids).cumsum(1) - 1)\n";
  if (c.embedding_norm && c.norm_position == "post")
    s << "    x = " << norm_call(g, c, w("embeddings.norm"), "x") << "\n";
  s << "    pad = (mask == 0).view([mask.size(0), 1, 1, mask.size(1)])\n";
  std::string rope_args;
  if (c.rotary()) {
    // rotary.cpp: positions 0..T-1, angles in float64, sin/cos cast to fp32.
    auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    auto i = torch::arange(0, c.head_dim() / 2, opts);
    auto inv_freq = torch::pow(c.rope_theta, -2.0 * i / static_cast<double>(c.head_dim()));
    s << "    pos = torch.ones_like(ids[0]).cumsum(0) - 1\n";
    s << "    ang = pos.double().unsqueeze(-1) * " << g.buffer(w("rope_inv_freq"), inv_freq)
      << "\n";
    s << "    cos = ang.cos().float()\n    sin = ang.sin().float()\n";
    rope_args = ", cos, sin";
  }
  s << "    first = x\n";
  const std::string alpha = lit(c.residual_alpha());
  for (int64_t i = 0; i < c.num_layers; ++i) {
    const std::string L = w(fmt::format("layers.{}.", i));
    std::string attn_w;
    for (const char* n : {"q", "k", "v", "o"})
      attn_w += ", " + g.req(L + "attn." + n + ".weight") + ", " + g.opt(L + "attn." + n + ".bias");
    auto attn = [&](const char* x) {
      return fmt::format("self._attn({}, pad{}{})", x, rope_args, attn_w);
    };
    auto ffn = [&](const char* x) {
      return fmt::format("torch.linear({}, {}, {})",
                         act_call(c.hidden_act,
                                  fmt::format("torch.linear({}, {}, {})",
                                              x,
                                              g.req(L + "ffn.fc1.weight"),
                                              g.opt(L + "ffn.fc1.bias"))),
                         g.req(L + "ffn.fc2.weight"),
                         g.opt(L + "ffn.fc2.bias"));
    };
    if (c.norm_position == "post") {
      s << "    a = " << attn("x") << "\n";
      s << "    x = " << norm_call(g, c, L + "norm1", ("(" + alpha + " * x + a)").c_str()) << "\n";
      s << "    f = " << ffn("x") << "\n";
      s << "    x = " << norm_call(g, c, L + "norm2", ("(" + alpha + " * x + f)").c_str()) << "\n";
    } else {
      s << "    x = x + " << attn(norm_call(g, c, L + "norm1", "x").c_str()) << "\n";
      s << "    x = x + " << ffn(norm_call(g, c, L + "norm2", "x").c_str()) << "\n";
    }
    if (i == 0) s << "    first = x\n";
  }
  if (c.norm_position == "pre") {
    s << "    x = " << norm_call(g, c, w("final_norm"), "x") << "\n";
    if (c.num_layers == 1) s << "    first = x\n";  // hidden_states.back() is replaced
  }
  s << "    return x, first\n";
  return s.str();
}

const char* kSegments = R"TS(
    seg = torch.zeros_like(input_ids)
    if token_type_ids is not None:
        seg = token_type_ids
)TS";

std::string finish(std::string src) {
  return replace_all(std::move(src), "LOWEST", lit(std::numeric_limits<float>::lowest()));
}

std::string dual_source(SourceGen& g, DualEncoderImpl& m) {
  const auto& c = m.config;
  std::string src = kHelpers + attention_source(c.encoder);
  src += tower_source(g, c.encoder, "tower", "_tower_a");
  const bool two = static_cast<bool>(m.tower_b);
  if (two) src += tower_source(g, c.encoder, "tower_b", "_tower_b");
  auto head = [&](const std::string& name, const std::string& tower) {
    std::string s = "\ndef " + name +
                    "(self, input_ids: Tensor, attention_mask: Tensor, token_type_ids: "
                    "Optional[Tensor] = None) -> Tensor:" +
                    kSegments;
    s += "    last, first = self." + tower + "(input_ids, attention_mask, seg)\n";
    switch (m.pooling) {
      case Pooling::kCls:
        s += "    x = last[:, 0]\n";
        break;
      case Pooling::kMean:
        s += "    x = self._mean(last, attention_mask)\n";
        break;
      case Pooling::kMax:
        s += "    x = self._max(last, attention_mask)\n";
        break;
      case Pooling::kWeightedMean:
        s += "    x = self._weighted_mean(last, attention_mask)\n";
        break;
      case Pooling::kLastToken:
        s += "    x = self._last_token(last, attention_mask)\n";
        break;
      case Pooling::kFirstLastAvg:
        s += "    x = (self._mean(first, attention_mask) + self._mean(last, attention_mask)) / 2\n";
        break;
    }
    if (m.dense) {
      s += "    x = torch.linear(x, " + g.req("dense.weight") + ", " + g.opt("dense.bias") + ")\n";
      if (c.pooling.dense_activation == "tanh") s += "    x = torch.tanh(x)\n";
    }
    if (c.pooling.normalize)
      s += "    x = x / x.norm(2, [-1], True).clamp_min(1e-12).expand_as(x)\n";
    return s + "    return x\n";
  };
  src += head("forward", "_tower_a");
  if (two) src += head("forward_side1", "_tower_b");
  return finish(src);
}

std::string cross_source(SourceGen& g, CrossEncoderImpl& m) {
  const auto& c = m.config;
  std::string src = kHelpers + attention_source(c.encoder);
  src += tower_source(g, c.encoder, "encoder", "_tower_a");
  src +=
      "\ndef forward(self, input_ids: Tensor, attention_mask: Tensor, token_type_ids: "
      "Optional[Tensor] = None) -> Tensor:\n";
  if (c.zero_segments)
    src += "    seg = torch.zeros_like(input_ids)\n";
  else
    src += std::string(kSegments).substr(1);
  src += "    last, first = self._tower_a(input_ids, attention_mask, seg)\n";
  if (c.head_input == "pooler")
    src += "    x = torch.tanh(torch.linear(last[:, 0], " + g.req("encoder.pooler.weight") + ", " +
           g.opt("encoder.pooler.bias") + "))\n";
  else
    src += "    x = last[:, 0]\n";
  src += "    y = torch.linear(x, " + g.req("classifier.weight") + ", " + g.opt("classifier.bias") +
         ")\n";
  src += c.num_labels == 1 ? "    return y.squeeze(-1)\n" : "    return y\n";
  return finish(src);
}

torch::jit::Module compile(const std::string& name, const SourceGen& g, const std::string& src) {
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  torch::jit::Module jm(name, cu, /*shouldMangle=*/true);
  g.register_on(jm);
  jm.define(src);
  jm.eval();
  return jm;
}

}  // namespace

namespace detail {
std::string dual_encoder_source(DualEncoderImpl& model) {
  SourceGen g(model);
  return dual_source(g, model);
}
std::string cross_encoder_source(CrossEncoderImpl& model) {
  SourceGen g(model);
  return cross_source(g, model);
}
}  // namespace detail

torch::jit::Module script_dual_encoder(DualEncoderImpl& model) {
  SourceGen g(model);
  const std::string src = dual_source(g, model);
  return compile("SentzooDualEncoder", g, src);
}

torch::jit::Module script_cross_encoder(CrossEncoderImpl& model) {
  SourceGen g(model);
  const std::string src = cross_source(g, model);
  return compile("SentzooCrossEncoder", g, src);
}

void save_torchscript(torch::jit::Module& module, const fs::path& path, const ExportFiles& files) {
  torch::jit::ExtraFilesMap extra;
  extra["metadata.json"] = files.metadata.dump(2);
  extra["config.json"] = files.config.dump(2);
  if (!files.tokenizer.empty()) {
    std::ifstream in(files.tokenizer, std::ios::binary);
    if (!in) throw std::runtime_error(fmt::format("{}: cannot open", files.tokenizer.string()));
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const bool spm = files.tokenizer.extension() == ".model";
    extra[spm ? "sentencepiece.model" : "vocab.txt"] = bytes.str();
  }
  if (!path.parent_path().empty()) fs::create_directories(path.parent_path());
  write_file_atomic(path, [&](const fs::path& tmp) { module.save(tmp.string(), extra); });
}

LoadedTorchScript load_torchscript(const fs::path& path) {
  if (!fs::is_regular_file(path))
    throw std::runtime_error(fmt::format("{}: no such file", path.string()));
  torch::jit::ExtraFilesMap extra{
      {"metadata.json", ""}, {"config.json", ""}, {"vocab.txt", ""}, {"sentencepiece.model", ""}};
  LoadedTorchScript out;
  try {
    out.module = torch::jit::load(path.string(), torch::kCPU, extra);
  } catch (const c10::Error& e) {
    throw std::runtime_error(fmt::format(
        "{}: not a TorchScript archive ({})", path.string(), e.what_without_backtrace()));
  }
  out.module.eval();
  out.files.insert(extra.begin(), extra.end());
  if (out.files["metadata.json"].empty())
    throw std::runtime_error(
        fmt::format("{}: TorchScript archive without metadata.json (not written by sentzoo-export)",
                    path.string()));
  out.metadata = nlohmann::json::parse(out.files["metadata.json"]);
  return out;
}

}  // namespace sentzoo
