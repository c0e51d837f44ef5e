#include "algorithms/runtime/averaging.h"

#include <stdexcept>

namespace algo {
namespace {

// The deliberate bug of `syncsim check --test-fault flip_average_sign`: the
// regression suite must turn red when an average goes wrong.
void apply_test_fault(const RunContext& ctx, ml::Vector& out) {
  if (ctx.test_flip_average_sign) out = -out;
}

}  // namespace

void weighted_average(const RunContext& ctx, std::span<const WeightedInput> inputs, ml::Vector& out,
                      std::vector<MathPool::Job>& jobs) {
  if (ctx.timing_only) return;
  weighted_sum(ctx.math, inputs, out, jobs);
  apply_test_fault(ctx, out);
}

std::vector<float> proportional_weights(std::span<const std::int64_t> counts) {
  std::int64_t total = 0;
  for (std::int64_t c : counts) {
    if (c < 0) throw std::invalid_argument("proportional_weights: negative count");
    total += c;
  }
  if (counts.empty() || total <= 0) {
    throw std::invalid_argument("proportional_weights: counts sum to zero");
  }
  std::vector<float> weights;
  weights.reserve(counts.size());
  for (std::int64_t c : counts) {
    weights.push_back(static_cast<float>(c) / static_cast<float>(total));
  }
  return weights;
}

void average_of_sum(const RunContext& ctx, const Eigen::Ref<const ml::Vector>& sum, float total,
                    ml::Vector& out) {
  if (ctx.timing_only) return;
  MathTimer timer(ctx.math);
  out = sum / total;
  apply_test_fault(ctx, out);
}

}  // namespace algo
