// LossyCompressor: what the lossy compressors (top-k, random-k, QSGD, scaled
// sign; compression.md) share: the error-feedback residual and the sender's
// own random stream. A subclass writes only its operator, compress(), and
// its wire size.
//
// Error feedback (Seide et al. 2014; Karimireddy et al. 2019): with it on,
// encode(g) compresses p = g + e and keeps e' = p - C(p), the part of p that
// was not sent, for the next call. So after T calls
//   sum of what was sent + the residual = sum of the T inputs
// (up to float rounding of the additions). Without it, e stays zero.
#pragma once

#include <cstdint>
#include <optional>

#include "algorithms/runtime/compressor.h"
#include "sim/random.h"

namespace algo {

class LossyCompressor : public Compressor {
 public:
  explicit LossyCompressor(bool error_feedback) : error_feedback_(error_feedback) {}
  LossyCompressor(const LossyCompressor&) = delete;
  LossyCompressor& operator=(const LossyCompressor&) = delete;

  // REQUIRES every call on one instance to pass vectors of one size
  // (std::invalid_argument otherwise): the residual is per element.
  Encoded encode(ml::Vector v) final;
  void seed(std::uint64_t seed) final { stream_.emplace(seed); }
  bool error_feedback() const { return error_feedback_; }
  // What was not sent yet (empty before the first encode or without error feedback).
  const ml::Vector& residual() const { return residual_; }

 protected:
  // Writes into `out` (sized like `v`) what the receiver decodes from the
  // encoding of `v`.
  virtual void compress(const ml::Vector& v, ml::Vector& out) = 0;
  // The sender's stream; REQUIRES seed() was called (std::logic_error otherwise).
  sim::RandomStream& stream();

 private:
  bool error_feedback_;
  ml::Vector residual_;
  std::optional<sim::RandomStream> stream_;
};

// The number of elements a sparsifier keeps of n: `count` (capped at n) if
// count > 0, else ceil(fraction x n), at least 1 when n > 0.
struct KeepRule {
  double fraction = 0.0;   // in (0, 1] when count == 0
  std::int64_t count = 0;  // > 0: keep this many
  std::int64_t kept(std::int64_t n) const;
};

// The wire size of k of n elements: k 4-byte values, plus their positions
// as k 4-byte indices or as an n-bit bitmap, whichever is smaller:
//   4k + min(4k, ceil(n / 8)) bytes.
double sparse_wire_bytes(std::int64_t k, std::int64_t n);

}  // namespace algo
