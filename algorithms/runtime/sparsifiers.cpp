#include "algorithms/runtime/sparsifiers.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

namespace algo {

void TopK::compress(const ml::Vector& v, ml::Vector& out) {
  const std::int64_t n = v.size();
  const std::int64_t k = keep_.kept(n);
  if (k == n) {  // everything is sent: the vector itself, bit for bit
    out = v;
    return;
  }
  order_.resize(static_cast<std::size_t>(n));
  std::iota(order_.begin(), order_.end(), 0);
  // A strict total order (magnitude, then index), so the chosen set does not
  // depend on how nth_element partitions.
  const auto larger = [&v](std::int32_t a, std::int32_t b) {
    const float x = std::abs(v[a]);
    const float y = std::abs(v[b]);
    return x > y || (x == y && a < b);
  };
  std::nth_element(order_.begin(), order_.begin() + k, order_.end(), larger);
  out.setZero();
  for (std::int64_t i = 0; i < k; ++i) {
    const std::int32_t at = order_[static_cast<std::size_t>(i)];
    out[at] = v[at];
  }
}

void RandomK::compress(const ml::Vector& v, ml::Vector& out) {
  const std::int64_t n = v.size();
  const std::int64_t k = keep_.kept(n);
  order_.resize(static_cast<std::size_t>(n));
  std::iota(order_.begin(), order_.end(), 0);
  sim::RandomStream& random = stream();
  out.setZero();
  for (std::int64_t i = 0; i < k; ++i) {
    const auto j = i + static_cast<std::int64_t>(random.below(static_cast<std::uint64_t>(n - i)));
    std::swap(order_[static_cast<std::size_t>(i)], order_[static_cast<std::size_t>(j)]);
    const std::int32_t at = order_[static_cast<std::size_t>(i)];
    out[at] = v[at];
  }
}

}  // namespace algo
