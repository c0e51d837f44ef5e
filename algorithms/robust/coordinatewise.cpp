#include "algorithms/robust/coordinatewise.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>

namespace algo {

namespace {

// Copies coordinate j of every contribution into `column`.
void gather_column(std::span<const Contribution> contributions, Eigen::Index j,
                   std::vector<float>& column) {
  column.resize(contributions.size());
  for (std::size_t i = 0; i < contributions.size(); ++i) column[i] = (*contributions[i].values)[j];
}

double sort_flops(std::int64_t parameters, int count) {
  const double n = static_cast<double>(count);
  return static_cast<double>(parameters) * (n * std::log2(std::max(n, 2.0)) + n);
}

}  // namespace

void CoordinateMedian::aggregate(const RunContext& ctx, std::span<const Contribution> contributions,
                                 ml::Vector& out) {
  assert(!contributions.empty());
  reset_flags(contributions.size());
  if (ctx.timing_only) return;
  const std::size_t n = contributions.size();
  const std::size_t mid = n / 2;
  for (Eigen::Index j = 0; j < out.size(); ++j) {
    gather_column(contributions, j, column_);
    std::nth_element(column_.begin(), column_.begin() + static_cast<std::ptrdiff_t>(mid),
                     column_.end());
    const float upper = column_[mid];
    if (n % 2 == 1) {
      out[j] = upper;
    } else {
      // The lower middle is the largest value below position mid.
      const float lower =
          *std::max_element(column_.begin(), column_.begin() + static_cast<std::ptrdiff_t>(mid));
      out[j] = (lower + upper) / 2.0f;
    }
  }
  finish(ctx, out);
}

double CoordinateMedian::flops(std::int64_t parameters, int count) const {
  return sort_flops(parameters, count);
}

TrimmedMean::TrimmedMean(double beta) : beta_(beta) {
  if (!(beta >= 0.0 && beta < 0.5))
    throw std::invalid_argument("trimmed_mean beta must be in [0, 0.5)");
}

int TrimmedMean::trimmed(int n) const {
  return static_cast<int>(std::floor(beta_ * static_cast<double>(n)));
}

void TrimmedMean::aggregate(const RunContext& ctx, std::span<const Contribution> contributions,
                            ml::Vector& out) {
  assert(!contributions.empty());
  reset_flags(contributions.size());
  if (ctx.timing_only) return;
  const int n = static_cast<int>(contributions.size());
  const int b = trimmed(n);  // beta < 0.5 leaves n - 2b >= 1
  const float kept = static_cast<float>(n - 2 * b);
  for (Eigen::Index j = 0; j < out.size(); ++j) {
    gather_column(contributions, j, column_);
    std::sort(column_.begin(), column_.end());
    float sum = 0.0f;
    for (int i = b; i < n - b; ++i) sum += column_[static_cast<std::size_t>(i)];
    out[j] = sum / kept;
  }
  finish(ctx, out);
}

double TrimmedMean::flops(std::int64_t parameters, int count) const {
  return sort_flops(parameters, count);
}

}  // namespace algo
