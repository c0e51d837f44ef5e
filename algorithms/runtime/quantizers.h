// Quantizers: every element is sent, in fewer bits.
//
// QSGD (Alistarh et al. 2017) with s levels: the sender sends the vector's
// L2 norm |v| (a 4-byte float) and, per element, its sign and a level l in
// {0..s}: with r = |v_i| / |v| x s, l = floor(r) + 1 with probability
// r - floor(r) (a uniform draw from the sender's own stream), else
// floor(r). The receiver reads sign(v_i) x |v| x l / s, whose expectation is
// v_i (unbiased). Bits per element b = 1 + ceil(log2(s + 1)), so
//   wire = 4 + ceil(n x b / 8) bytes.
//
// Scaled sign (Bernstein et al. 2018, scaled as in Karimireddy et al. 2019):
// one bit per element and one 4-byte scale, the mean magnitude |v|_1 / n;
// the receiver reads +scale or -scale (an element of 0 reads +scale).
//   wire = 4 + ceil(n / 8) bytes.
#pragma once

#include <cstdint>
#include <string_view>

#include "algorithms/runtime/lossy_compressor.h"

namespace algo {

class Qsgd final : public LossyCompressor {
 public:
  // REQUIRES 1 <= levels <= 2^31 - 1 (std::invalid_argument otherwise).
  Qsgd(std::int64_t levels, bool error_feedback);
  std::string_view name() const override { return "qsgd"; }
  double wire_bytes(std::int64_t elements) const override;
  // Bits per element: the sign and ceil(log2(levels + 1)) level bits.
  int bits_per_element() const { return bits_; }

 protected:
  void compress(const ml::Vector& v, ml::Vector& out) override;

 private:
  std::int64_t levels_;
  int bits_;
};

class ScaledSign final : public LossyCompressor {
 public:
  explicit ScaledSign(bool error_feedback) : LossyCompressor(error_feedback) {}
  std::string_view name() const override { return "sign"; }
  double wire_bytes(std::int64_t elements) const override {
    return 4.0 + static_cast<double>((elements + 7) / 8);
  }

 protected:
  void compress(const ml::Vector& v, ml::Vector& out) override;
};

}  // namespace algo
