// Sparsifiers: send k of the n elements of a vector, the others read as 0.
//   top-k:    the k of largest magnitude (ties: the lower index first).
//   random-k: k drawn uniformly without replacement from the sender's own
//             stream (a partial Fisher-Yates shuffle); the values are sent
//             as they are, not scaled by n / k (biased, as error feedback
//             expects; compression.md).
// Wire size of both (sparse_wire_bytes): 4k + min(4k, ceil(n / 8)) bytes.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "algorithms/runtime/lossy_compressor.h"

namespace algo {

class TopK final : public LossyCompressor {
 public:
  TopK(KeepRule keep, bool error_feedback) : LossyCompressor(error_feedback), keep_(keep) {}
  std::string_view name() const override { return "topk"; }
  double wire_bytes(std::int64_t elements) const override {
    return sparse_wire_bytes(keep_.kept(elements), elements);
  }

 protected:
  void compress(const ml::Vector& v, ml::Vector& out) override;

 private:
  KeepRule keep_;
  std::vector<std::int32_t> order_;  // scratch, kept for its storage
};

class RandomK final : public LossyCompressor {
 public:
  RandomK(KeepRule keep, bool error_feedback) : LossyCompressor(error_feedback), keep_(keep) {}
  std::string_view name() const override { return "randk"; }
  double wire_bytes(std::int64_t elements) const override {
    return sparse_wire_bytes(keep_.kept(elements), elements);
  }

 protected:
  void compress(const ml::Vector& v, ml::Vector& out) override;

 private:
  KeepRule keep_;
  std::vector<std::int32_t> order_;  // scratch, kept for its storage
};

}  // namespace algo
