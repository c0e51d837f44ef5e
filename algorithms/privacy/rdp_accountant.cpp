#include "algorithms/privacy/rdp_accountant.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace privacy {

RdpAccountant::RdpAccountant() {
  for (int a = 2; a <= 256; ++a) orders_.push_back(a);
  for (int a : {320, 384, 512, 768, 1024}) orders_.push_back(a);
  rdp_.assign(orders_.size(), 0.0);
}

double RdpAccountant::step_rdp(double q, double sigma, int order) {
  if (!(q > 0.0 && q <= 1.0)) throw std::invalid_argument("sampling rate q must be in (0, 1]");
  if (!(sigma > 0.0)) throw std::invalid_argument("noise multiplier sigma must be > 0");
  if (order < 2) throw std::invalid_argument("RDP order must be an integer >= 2");
  const double a = order;
  if (q == 1.0) return a / (2.0 * sigma * sigma);  // the plain Gaussian mechanism
  const double log_q = std::log(q);
  const double log_1mq = std::log1p(-q);
  // log-sum-exp over k = 0..a: first the largest term, then the sum.
  std::vector<double> terms(static_cast<std::size_t>(order) + 1);
  double largest = -std::numeric_limits<double>::infinity();
  for (int k = 0; k <= order; ++k) {
    const double kk = k;
    const double log_binomial =
        std::lgamma(a + 1.0) - std::lgamma(kk + 1.0) - std::lgamma(a - kk + 1.0);
    const double t =
        log_binomial + (a - kk) * log_1mq + kk * log_q + (kk * kk - kk) / (2.0 * sigma * sigma);
    terms[static_cast<std::size_t>(k)] = t;
    largest = std::max(largest, t);
  }
  double sum = 0.0;
  for (double t : terms) sum += std::exp(t - largest);
  return (largest + std::log(sum)) / (a - 1.0);
}

void RdpAccountant::add_steps(double q, double sigma, std::int64_t steps) {
  if (steps < 0) throw std::invalid_argument("steps must be >= 0");
  if (steps == 0) return;
  for (std::size_t i = 0; i < orders_.size(); ++i) {
    rdp_[i] += static_cast<double>(steps) * step_rdp(q, sigma, orders_[i]);
  }
}

EpsilonAtOrder RdpAccountant::epsilon(double delta) const {
  if (!(delta > 0.0 && delta < 1.0)) throw std::invalid_argument("delta must be in (0, 1)");
  EpsilonAtOrder best{std::numeric_limits<double>::infinity(), 0};
  for (std::size_t i = 0; i < orders_.size(); ++i) {
    const double e = rdp_[i] + std::log(1.0 / delta) / (orders_[i] - 1.0);
    if (e < best.epsilon) best = {e, orders_[i]};
  }
  return best;
}

}  // namespace privacy
