#include "algorithms/robust/krum.h"

#include <algorithm>
#include <cassert>
#include <numeric>
#include <stdexcept>

namespace algo {

Krum::Krum(int f, int m) : f_(f), m_(m) {
  if (f < 0) throw std::invalid_argument("krum f must be >= 0");
  if (m < 1) throw std::invalid_argument("multi_krum m must be >= 1");
}

void Krum::aggregate(const RunContext& ctx, std::span<const Contribution> contributions,
                     ml::Vector& out) {
  assert(!contributions.empty());
  const int n = static_cast<int>(contributions.size());
  reset_flags(contributions.size());
  const int m = std::min(m_, n);
  selected_.clear();
  if (ctx.timing_only) {
    for (int i = 0; i < m; ++i) selected_.push_back(i);
    for (int i = m; i < n; ++i) flag(static_cast<std::size_t>(i));
    return;
  }
  const auto nn = static_cast<std::size_t>(n);
  distances_.assign(nn * nn, 0.0);
  for (int a = 0; a < n; ++a) {
    const ml::Vector& va = *contributions[static_cast<std::size_t>(a)].values;
    for (int b = a + 1; b < n; ++b) {
      const ml::Vector& vb = *contributions[static_cast<std::size_t>(b)].values;
      double d = 0.0;
      for (Eigen::Index j = 0; j < va.size(); ++j) {
        const double diff = static_cast<double>(va[j]) - static_cast<double>(vb[j]);
        d += diff * diff;
      }
      distances_[static_cast<std::size_t>(a) * nn + static_cast<std::size_t>(b)] = d;
      distances_[static_cast<std::size_t>(b) * nn + static_cast<std::size_t>(a)] = d;
    }
  }
  const int k = std::clamp(n - f_ - 2, 1, std::max(n - 1, 1));
  std::vector<double> scores(nn, 0.0);
  std::vector<double> row;
  for (int a = 0; a < n && n > 1; ++a) {
    row.clear();
    for (int b = 0; b < n; ++b) {
      if (b != a)
        row.push_back(distances_[static_cast<std::size_t>(a) * nn + static_cast<std::size_t>(b)]);
    }
    std::sort(row.begin(), row.end());
    double score = 0.0;
    for (int i = 0; i < k; ++i) score += row[static_cast<std::size_t>(i)];
    scores[static_cast<std::size_t>(a)] = score;
  }
  std::vector<int> order(nn);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return scores[static_cast<std::size_t>(a)] < scores[static_cast<std::size_t>(b)];
  });
  selected_.assign(order.begin(), order.begin() + m);
  std::sort(selected_.begin(), selected_.end());
  std::vector<char> chosen(nn, 0);
  for (int s : selected_) chosen[static_cast<std::size_t>(s)] = 1;
  for (std::size_t i = 0; i < nn; ++i) {
    if (!chosen[i]) flag(i);
  }
  out.setZero();
  for (int s : selected_) out += *contributions[static_cast<std::size_t>(s)].values;
  if (m > 1) out /= static_cast<float>(m);
  finish(ctx, out);
}

double Krum::flops(std::int64_t parameters, int count) const {
  const double n = static_cast<double>(count);
  const double p = static_cast<double>(parameters);
  return 3.0 * p * n * (n - 1.0) / 2.0 + p * static_cast<double>(std::min(m_, count));
}

}  // namespace algo
