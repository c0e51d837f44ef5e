#include "algorithms/runtime/lossy_compressor.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace algo {

Encoded LossyCompressor::encode(ml::Vector v) {
  if (error_feedback_) {
    if (residual_.size() == 0) residual_ = ml::Vector::Zero(v.size());
    if (residual_.size() != v.size()) {
      throw std::invalid_argument(std::string(name()) +
                                  ": error feedback needs vectors of one size per sender");
    }
    v += residual_;
  }
  ml::Vector out(v.size());
  compress(v, out);
  if (error_feedback_) residual_ = v - out;
  const double bytes = wire_bytes(v.size());
  return Encoded{std::move(out), bytes};
}

sim::RandomStream& LossyCompressor::stream() {
  if (!stream_) throw std::logic_error(std::string(name()) + ": used before seed()");
  return *stream_;
}

std::int64_t KeepRule::kept(std::int64_t n) const {
  if (n <= 0) return 0;
  if (count > 0) return std::min(count, n);
  const auto k = static_cast<std::int64_t>(std::ceil(fraction * static_cast<double>(n)));
  return std::clamp<std::int64_t>(k, 1, n);
}

double sparse_wire_bytes(std::int64_t k, std::int64_t n) {
  const std::int64_t values = 4 * k;
  const std::int64_t positions = std::min(4 * k, (n + 7) / 8);
  return static_cast<double>(values + positions);
}

}  // namespace algo
