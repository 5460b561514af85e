#include "data/batch.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace sentzoo {

namespace {

void check_indices(size_t n, const std::vector<int64_t>& indices, const char* what) {
  if (indices.empty()) throw std::invalid_argument(fmt::format("{}: empty batch", what));
  for (const int64_t i : indices)
    if (i < 0 || static_cast<size_t>(i) >= n)
      throw std::invalid_argument(fmt::format("{}: index {} out of range [0, {})", what, i, n));
}

// Length after the max_length safety truncation.
int64_t kept_length(const Encoding& e, int64_t max_length) {
  const auto len = static_cast<int64_t>(e.ids.size());
  return max_length > 0 ? std::min(len, max_length) : len;
}

}  // namespace

Batch collate(const std::vector<Encoding>& encodings,
              const std::vector<int64_t>& indices,
              const CollateOptions& options) {
  check_indices(encodings.size(), indices, "collate");
  if (options.max_length == 1 || options.max_length < 0)
    throw std::invalid_argument(fmt::format(
        "collate: max_length must be 0 (no limit) or >= 2, found {}", options.max_length));
  const auto B = static_cast<int64_t>(indices.size());
  int64_t T = 0;
  for (const int64_t i : indices) {
    const Encoding& e = encodings[i];
    if (e.ids.size() != e.type_ids.size())
      throw std::invalid_argument(fmt::format(
          "collate: encoding {} has {} ids but {} type_ids", i, e.ids.size(), e.type_ids.size()));
    T = std::max(T, kept_length(e, options.max_length));
  }
  Batch batch;
  batch.input_ids = torch::full({B, T}, options.pad_id, torch::kLong);  // (B, T)
  batch.attention_mask = torch::zeros({B, T}, torch::kLong);
  batch.token_type_ids = torch::zeros({B, T}, torch::kLong);
  int64_t* ids = batch.input_ids.data_ptr<int64_t>();
  int64_t* mask = batch.attention_mask.data_ptr<int64_t>();
  int64_t* types = batch.token_type_ids.data_ptr<int64_t>();
  for (int64_t row = 0; row < B; ++row) {
    const Encoding& e = encodings[indices[row]];
    const int64_t len = kept_length(e, options.max_length);
    const auto full = static_cast<int64_t>(e.ids.size());
    for (int64_t t = 0; t < len; ++t) {
      // truncated: the last kept position takes the encoding's final token ([SEP])
      const int64_t src = (len < full && t == len - 1) ? full - 1 : t;
      ids[row * T + t] = e.ids[src];
      types[row * T + t] = e.type_ids[src];
      mask[row * T + t] = 1;
    }
  }
  return batch;
}

torch::Tensor collate_labels(const std::vector<double>& labels,
                             const std::vector<int64_t>& indices) {
  check_indices(labels.size(), indices, "collate_labels");
  torch::Tensor out = torch::empty({static_cast<int64_t>(indices.size())}, torch::kFloat);
  float* p = out.data_ptr<float>();
  for (size_t i = 0; i < indices.size(); ++i) p[i] = static_cast<float>(labels[indices[i]]);
  return out;
}

PairBatch collate_pairs(const std::vector<Encoding>& a,
                        const std::vector<Encoding>& b,
                        const std::vector<double>& labels,
                        const std::vector<int64_t>& indices,
                        const CollateOptions& options) {
  if (a.size() != b.size() || a.size() != labels.size())
    throw std::invalid_argument(fmt::format(
        "collate_pairs: {} text1, {} text2 and {} labels", a.size(), b.size(), labels.size()));
  return PairBatch{collate(a, indices, options),
                   collate(b, indices, options),
                   collate_labels(labels, indices),
                   indices};
}

CrossBatch collate_cross(const std::vector<Encoding>& joint,
                         const std::vector<double>& labels,
                         const std::vector<int64_t>& indices,
                         const CollateOptions& options) {
  if (joint.size() != labels.size())
    throw std::invalid_argument(
        fmt::format("collate_cross: {} encodings and {} labels", joint.size(), labels.size()));
  return CrossBatch{collate(joint, indices, options), collate_labels(labels, indices), indices};
}

std::vector<int64_t> encoding_lengths(const std::vector<Encoding>& encodings) {
  std::vector<int64_t> lengths;
  lengths.reserve(encodings.size());
  for (const Encoding& e : encodings) lengths.push_back(static_cast<int64_t>(e.ids.size()));
  return lengths;
}

std::vector<std::vector<int64_t>> length_sorted_batches(const std::vector<int64_t>& lengths,
                                                        int64_t batch_size) {
  if (batch_size < 1) throw std::invalid_argument("batch size must be >= 1");
  std::vector<int64_t> order(lengths.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(
      order.begin(), order.end(), [&](int64_t a, int64_t b) { return lengths[a] < lengths[b]; });
  std::vector<std::vector<int64_t>> out;
  for (size_t i = 0; i < order.size(); i += batch_size)
    out.emplace_back(order.begin() + i,
                     order.begin() + std::min(order.size(), i + static_cast<size_t>(batch_size)));
  return out;
}

torch::Tensor forward_in_length_order(const std::vector<Encoding>& encodings,
                                      int64_t batch_size,
                                      const CollateOptions& options,
                                      const std::function<torch::Tensor(const Batch&)>& forward,
                                      const Progress& progress) {
  const int64_t total = static_cast<int64_t>(encodings.size());
  torch::Tensor out;
  int64_t done = 0;
  if (progress) progress(0, total);  // the start, so a progress meter can time the first batch
  for (const auto& rows : length_sorted_batches(encoding_lengths(encodings), batch_size)) {
    const torch::Tensor y = forward(collate(encodings, rows, options)).to(torch::kFloat);
    if (!out.defined()) {
      auto shape = y.sizes().vec();
      shape[0] = total;
      out = torch::empty(shape, y.options());
    }
    out.index_copy_(0, torch::tensor(rows, torch::kLong).to(y.device()), y);
    done += static_cast<int64_t>(rows.size());
    if (progress) progress(done, total);
  }
  if (!out.defined()) out = torch::empty({0}, torch::kFloat);
  return out;
}

}  // namespace sentzoo
