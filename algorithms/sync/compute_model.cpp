#include "algorithms/sync/compute_model.h"

namespace algo {

ComputeModel::ComputeModel(const Node& node, std::uint64_t root_seed)
    : flop_rate_(node.flop_rate),
      straggler_(node.straggler),
      stream_(root_seed, node.name, "straggler") {}

sim::Time ComputeModel::duration(double flops) {
  const double factor = straggler_.sample(stream_);
  return sim::from_seconds(flops / flop_rate_ * factor);
}

}  // namespace algo
