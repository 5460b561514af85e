// Fuzz target: the SentencePiece path (data/sentencepiece.h) through the dlopen()ed
// sentzoo_spm plugin, as sentzoo uses it: tokenize, the pair template with truncation, decode,
// piece lookups. The models are trained once at start-up by the plugin from a small built-in
// corpus (plus lines of $SENTZOO_DATA's STS-B and LCQMC when set): a BPE model with byte
// fallback and a unigram model without it (unknown characters become <unk>).
#include <fuzzer/FuzzedDataProvider.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "data/sentencepiece.h"
#include "fuzz/fuzz_input.h"

namespace {

using namespace sentzoo;
namespace fs = std::filesystem;

std::vector<std::unique_ptr<SentencePieceTokenizer>>& models() {
  static std::vector<std::unique_ptr<SentencePieceTokenizer>> all = [] {
    const fs::path dir = fs::temp_directory_path() / ("sentzoo_fuzz_spm_" + std::to_string(getpid()));
    fs::create_directories(dir);
    {
      std::ofstream corpus(dir / "corpus.txt");
      for (int i = 0; i < 40; ++i)
        corpus << "A man is playing a guitar " << i << ".\nThe quick brown fox jumps over the lazy dog.\n"
               << "今天天气很好，我们去公园散步。\n花呗怎么还款？借呗的额度是多少\n"
               << "Naïve café résumé, déjà vu! (x+y)*z = 42; foo_bar@example.com\n";
      for (const char* file : {"en/STS-B/sts-dev.csv", "zh/LCQMC/dev.txt"}) {
        const std::string path = fuzz::data_file(file);
        if (path.empty()) continue;
        std::ifstream in(path);
        std::string line;
        for (int n = 0; n < 100 && std::getline(in, line); ++n) corpus << line << "\n";
      }
    }
    std::vector<std::unique_ptr<SentencePieceTokenizer>> out;
    const std::string common = " --input=" + (dir / "corpus.txt").string() +
                               " --minloglevel=2";
    train_sentencepiece("--model_prefix=" + (dir / "bpe").string() + common +
                        " --vocab_size=1200 --model_type=bpe --byte_fallback=true"
                        " --character_coverage=0.98 --hard_vocab_limit=false");
    train_sentencepiece("--model_prefix=" + (dir / "uni").string() + common +
                        " --vocab_size=1200 --model_type=unigram --hard_vocab_limit=false"
                        " --character_coverage=0.98");
    out.push_back(std::make_unique<SentencePieceTokenizer>(dir / "bpe.model"));
    out.push_back(std::make_unique<SentencePieceTokenizer>(dir / "uni.model"));
    fs::remove_all(dir);
    return out;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)models();  // train before the first input, so its time is not a timeout
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const SentencePieceTokenizer& tok = *models()[in.ConsumeIntegralInRange<size_t>(0, 1)];
  const int64_t max_length = in.ConsumeIntegralInRange<int64_t>(0, 300);
  const auto truncation = static_cast<Truncation>(in.ConsumeIntegralInRange(0, 2));
  const int64_t some_id = in.ConsumeIntegralInRange<int64_t>(-2, tok.vocab_size() + 2);
  const std::string a = in.ConsumeRandomLengthString();
  const std::string b = in.ConsumeRemainingBytesAsString();
  sentzoo::fuzz::expect_handled([&] {
    std::vector<int64_t> ids = tok.tokenize(a);
    for (const int64_t id : ids)
      if (id < 0 || id >= tok.vocab_size()) std::abort();
    (void)tok.decode(ids);
    (void)tok.ids_to_tokens(ids);
  });
  sentzoo::fuzz::expect_handled([&] {
    const Encoding e = tok.encode_pair(a, b, max_length, truncation);
    if (max_length > 0 && static_cast<int64_t>(e.ids.size()) > max_length) std::abort();
    (void)tok.decode(e.ids);
  });
  sentzoo::fuzz::expect_handled([&] { (void)tok.id_to_token(some_id); });
  sentzoo::fuzz::expect_handled([&] { (void)tok.token_to_id(b); });
  return 0;
}
