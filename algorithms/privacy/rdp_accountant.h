// The privacy accountant of the subsampled Gaussian mechanism: Renyi
// differential privacy (RDP, Mironov 2017) summed over the steps of a run,
// converted to (epsilon, delta).
//
// One step releases a sum of per-example (or per-client) contributions
// clipped to L2 norm C, plus Gaussian noise of standard deviation sigma * C,
// over a batch in which each record takes part with probability q (Poisson
// subsampling). For an integer order a >= 2 its RDP is (Mironov, Talwar and
// Zhang 2019, "Renyi Differential Privacy of the Sampled Gaussian
// Mechanism", the closed form for integer orders):
//   R(a) = log(A_a) / (a - 1),
//   A_a  = sum_{k=0..a} C(a, k) (1 - q)^(a - k) q^k exp((k^2 - k) / (2 sigma^2)).
// RDP composes by addition: T steps give T R(a). The conversion to
// (epsilon, delta) is the classic one (Mironov 2017, Proposition 3):
//   epsilon = min over the orders of  T R(a) + log(1 / delta) / (a - 1).
// A_a is summed in log space (log-sum-exp of the terms, each from lgamma),
// so large orders and tiny q do not overflow or underflow.
#pragma once

#include <cstdint>
#include <vector>

namespace privacy {

struct EpsilonAtOrder {
  double epsilon = 0.0;
  int order = 0;  // the order that gave the minimum
};

class RdpAccountant {
 public:
  // The orders tried: 2 ... 256 and a few larger ones.
  RdpAccountant();
  // One step of the subsampled Gaussian mechanism, `steps` times.
  // REQUIRES 0 < q <= 1, sigma > 0, steps >= 0, else std::invalid_argument.
  void add_steps(double q, double sigma, std::int64_t steps);
  // The total RDP at each order (same order as orders()).
  const std::vector<double>& rdp() const { return rdp_; }
  const std::vector<int>& orders() const { return orders_; }
  // REQUIRES 0 < delta < 1, else std::invalid_argument.
  EpsilonAtOrder epsilon(double delta) const;

  // The RDP of one step at integer order a >= 2.
  static double step_rdp(double q, double sigma, int order);

 private:
  std::vector<int> orders_;
  std::vector<double> rdp_;
};

}  // namespace privacy
