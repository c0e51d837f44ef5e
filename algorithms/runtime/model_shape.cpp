#include "algorithms/runtime/model_shape.h"

#include <utility>

#include "algorithms/ml/mlp.h"
#include "algorithms/runtime/training_seeds.h"

namespace algo {

std::int64_t model_parameters(const RunContext& ctx) {
  if (ctx.profile) return ctx.profile->parameters();
  std::int64_t p = 0;
  for (std::size_t i = 1; i < ctx.model.widths.size(); ++i) {
    p += (static_cast<std::int64_t>(ctx.model.widths[i - 1]) + 1) * ctx.model.widths[i];
  }
  return p;
}

ml::Vector initial_parameters(const RunContext& ctx) {
  if (ctx.timing_only) return {};  // a profile is always timing only
  ml::Mlp initial(ctx.model);
  initial.initialize(model_init_seed(ctx.seed));
  return std::move(initial.parameters());
}

double step_flops_per_sample(const RunContext& ctx) {
  if (!ctx.profile) return ml::train_flops_per_sample(ctx.model);
  double total = 0;
  for (const ml::ProfileLayer& l : ctx.profile->layers) {
    total += ctx.device.effective(l.forward_flops + l.backward_flops, l.kind);
  }
  return total;
}

double step_overhead_flops(const RunContext& ctx, const Node& node) {
  if (!ctx.profile) return 0.0;
  return ctx.device.step_overhead_seconds * node.flop_rate;
}

}  // namespace algo
