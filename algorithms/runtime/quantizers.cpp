#include "algorithms/runtime/quantizers.h"

#include <cmath>
#include <stdexcept>

namespace algo {

Qsgd::Qsgd(std::int64_t levels, bool error_feedback)
    : LossyCompressor(error_feedback), levels_(levels), bits_(1) {
  if (levels < 1 || levels > 2147483647) {
    throw std::invalid_argument("qsgd levels must be in [1, 2^31 - 1]");
  }
  // ceil(log2(levels + 1)) counted exactly: the bits that hold 0..levels.
  while ((std::int64_t{1} << (bits_ - 1)) < levels + 1) ++bits_;
}

double Qsgd::wire_bytes(std::int64_t elements) const {
  return 4.0 + static_cast<double>((elements * bits_ + 7) / 8);
}

void Qsgd::compress(const ml::Vector& v, ml::Vector& out) {
  double squares = 0.0;
  for (Eigen::Index i = 0; i < v.size(); ++i) squares += static_cast<double>(v[i]) * v[i];
  const auto norm = static_cast<float>(std::sqrt(squares));  // what goes on the wire
  sim::RandomStream& random = stream();
  const auto s = static_cast<double>(levels_);
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    // One draw per element, even at norm 0, so the stream advances by n.
    const double u = random.uniform();
    if (norm == 0.0f) {
      out[i] = 0.0f;
      continue;
    }
    const double r = std::abs(static_cast<double>(v[i])) / norm * s;
    double level = std::floor(r);
    if (u < r - level) level += 1.0;
    if (level > s) level = s;  // |v_i| <= |v| up to the norm's rounding
    const auto magnitude = static_cast<float>(static_cast<double>(norm) * level / s);
    out[i] = v[i] < 0.0f ? -magnitude : magnitude;
  }
}

void ScaledSign::compress(const ml::Vector& v, ml::Vector& out) {
  double magnitudes = 0.0;
  for (Eigen::Index i = 0; i < v.size(); ++i) magnitudes += std::abs(static_cast<double>(v[i]));
  const auto scale =
      v.size() == 0 ? 0.0f : static_cast<float>(magnitudes / static_cast<double>(v.size()));
  for (Eigen::Index i = 0; i < v.size(); ++i) out[i] = v[i] < 0.0f ? -scale : scale;
}

}  // namespace algo
