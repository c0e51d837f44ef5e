// RobustRule: the base of the Byzantine-robust aggregation rules (median,
// trimmed mean, Krum, geometric median, centered clipping).
//
// What they share, beyond the Aggregator interface:
//   * Every contribution gets one vote: the samples behind it (its weight)
//     are ignored, since an attacker could claim any number.
//   * After each aggregate() the rule says which contributions it rejected
//     or down-weighted (rejected(), by position in the contributions), for
//     the `rejected` and `byzantine_rejected` columns. Coordinate-wise rules
//     (median, trimmed mean) decide per coordinate, not per contribution, and
//     flag none.
//   * The regression suite's deliberate fault (RunContext::
//     test_flip_average_sign) negates their result too, so a CI scenario
//     that uses a robust rule turns red when it is on (finish()).
//   * Timing-only runs (math: none) compute nothing.
// Arithmetic runs serially in a fixed order: the same bits for any thread count.
#pragma once

#include <span>
#include <vector>

#include "algorithms/runtime/aggregator.h"

namespace algo {

class RobustRule : public Aggregator {
 public:
  // By position in the last aggregate()'s contributions: 1 if the rule
  // rejected or down-weighted it. Valid until the next aggregate().
  const std::vector<char>& rejected() const { return rejected_; }

 protected:
  // Clears the flags for `count` contributions.
  void reset_flags(std::size_t count) { rejected_.assign(count, 0); }
  void flag(std::size_t position) { rejected_[position] = 1; }
  // Applies the test fault, if on, to the finished result.
  static void finish(const RunContext& ctx, ml::Vector& out) {
    if (ctx.test_flip_average_sign) out = -out;
  }

 private:
  std::vector<char> rejected_;
};

}  // namespace algo
