#include "algorithms/runtime/initial_model.h"

#include <utility>

#include "algorithms/ml/mlp.h"
#include "algorithms/runtime/training_seeds.h"

namespace algo {

std::int64_t model_size(const RunContext& ctx) { return ml::parameter_count(ctx.model); }

ml::Vector initial_parameters(const RunContext& ctx) {
  if (ctx.timing_only) return {};
  ml::Mlp initial(ctx.model);
  initial.initialize(model_init_seed(ctx.seed));
  return std::move(initial.parameters());
}

}  // namespace algo
