#include "algorithms/robust/geometric_median.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>

namespace algo {

GeometricMedian::GeometricMedian(int iterations) : iterations_(iterations) {
  if (iterations < 0) throw std::invalid_argument("geometric_median iterations must be >= 0");
}

void GeometricMedian::aggregate(const RunContext& ctx, std::span<const Contribution> contributions,
                                ml::Vector& out) {
  assert(!contributions.empty());
  reset_flags(contributions.size());
  if (ctx.timing_only) return;
  const auto n = contributions.size();
  out.setZero();
  for (const Contribution& c : contributions) out += *c.values;
  out /= static_cast<float>(n);
  std::vector<double> weights(n);
  for (int t = 0; t < iterations_; ++t) {
    double total = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double distance = static_cast<double>((*contributions[i].values - out).norm());
      weights[i] = 1.0 / std::max(distance, kNu);
      total += weights[i];
    }
    next_.setZero(out.size());
    for (std::size_t i = 0; i < n; ++i) {
      next_ += static_cast<float>(weights[i] / total) * *contributions[i].values;
    }
    out.swap(next_);
  }
  finish(ctx, out);
}

double GeometricMedian::flops(std::int64_t parameters, int count) const {
  const double np = static_cast<double>(parameters) * static_cast<double>(count);
  return np + static_cast<double>(iterations_) * 5.0 * np;
}

}  // namespace algo
