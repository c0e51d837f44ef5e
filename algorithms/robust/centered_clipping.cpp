#include "algorithms/robust/centered_clipping.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>

namespace algo {

CenteredClipping::CenteredClipping(double tau, int iterations)
    : tau_(tau), iterations_(iterations) {
  if (!(tau > 0.0)) throw std::invalid_argument("centered_clipping tau must be > 0");
  if (iterations < 1) throw std::invalid_argument("centered_clipping iterations must be >= 1");
}

void CenteredClipping::aggregate(const RunContext& ctx, std::span<const Contribution> contributions,
                                 ml::Vector& out) {
  assert(!contributions.empty());
  reset_flags(contributions.size());
  if (ctx.timing_only) return;
  const auto n = contributions.size();
  if (center_.size() != out.size()) {
    // The plain median, without the test fault: finish() applies it once below.
    RunContext plain;
    center_.resize(out.size());
    first_center_.aggregate(plain, contributions, center_);
  }
  for (int l = 0; l < iterations_; ++l) {
    const bool last = l + 1 == iterations_;
    step_.setZero(out.size());
    for (std::size_t i = 0; i < n; ++i) {
      const ml::Vector difference = *contributions[i].values - center_;
      const double norm = static_cast<double>(difference.norm());
      const double scale = norm > tau_ ? tau_ / norm : 1.0;
      if (last && norm > tau_) flag(i);
      step_ += static_cast<float>(scale) * difference;
    }
    center_ += step_ / static_cast<float>(n);
  }
  out = center_;
  finish(ctx, out);
}

double CenteredClipping::flops(std::int64_t parameters, int count) const {
  return 5.0 * static_cast<double>(iterations_) * static_cast<double>(parameters) *
         static_cast<double>(count);
}

}  // namespace algo
