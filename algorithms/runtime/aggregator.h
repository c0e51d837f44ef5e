// Aggregator: how a server combines the contributions it received into one
// vector (plug-in point). A parameter server combines pushed gradients, a
// federated server the clients' models; robust rules (median, trimmed mean,
// Krum) and server optimizers implement this interface.
//
// Today's rule: the weighted mean, each contribution weighted by its count
// (a gradient's batch samples, a client's data size), through the one
// averaging kernel (averaging.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "algorithms/ml/types.h"
#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/weighted_sum.h"

namespace algo {

struct Contribution {
  int from = 0;                        // the worker's or client's position
  const ml::Vector* values = nullptr;  // null with math: none
  std::int64_t weight = 0;             // samples behind it (>= 0)
};

class Aggregator {
 public:
  virtual ~Aggregator() = default;
  virtual std::string_view name() const = 0;
  // Combines `contributions`, in the given order, into `out` (sized by the
  // caller to the vectors' size). With math: none (ctx.timing_only) it
  // computes nothing. REQUIRES: contributions non-empty, weights sum > 0.
  virtual void aggregate(const RunContext& ctx, std::span<const Contribution> contributions,
                         ml::Vector& out) = 0;
  // The server's FLOPs to combine `count` vectors of `parameters` elements,
  // for its simulated compute time.
  virtual double flops(std::int64_t parameters, int count) const = 0;
};

// A factory: every server (or shard) gets its own instance, so a rule may
// keep state (a server optimizer's moments).
using AggregatorFactory = std::function<std::unique_ptr<Aggregator>()>;

// sum_i (w_i / sum w) * v_i, summed in order.
class WeightedMean final : public Aggregator {
 public:
  std::string_view name() const override { return "weighted_mean"; }
  void aggregate(const RunContext& ctx, std::span<const Contribution> contributions,
                 ml::Vector& out) override;
  // One multiply-add per element per contribution.
  double flops(std::int64_t parameters, int count) const override {
    return static_cast<double>(count) * static_cast<double>(parameters);
  }

 private:
  std::vector<WeightedInput> inputs_;  // scratch, kept for its storage
  std::vector<std::int64_t> counts_;
  std::vector<MathPool::Job> jobs_;
};

}  // namespace algo
