#include "algorithms/runtime/compute_model.h"

namespace algo {

ComputeModel::ComputeModel(const Node& node, std::uint64_t root_seed)
    : host_(node.host),
      flop_rate_(node.flop_rate),
      straggler_(node.straggler),
      stream_(root_seed, node.name, "straggler"),
      episode_slowdown_(node.episode_slowdown) {}

double ComputeModel::factor() {
  double factor = straggler_.sample(stream_);
  if (episode_slowdown_ != nullptr) factor *= *episode_slowdown_;
  return factor;
}

sim::Time ComputeModel::time_at(double flops, double factor) const {
  return sim::from_seconds(flops / flop_rate_ * factor);
}

sim::Time ComputeModel::duration(double flops) { return time_at(flops, factor()); }

sim::Simulator::SleepAwaiter ComputeModel::run(topology::Network& net, double flops) {
  return run_for(net, duration(flops), "compute");
}

sim::Simulator::SleepAwaiter ComputeModel::run_for(topology::Network& net, sim::Time d,
                                                   const char* label) {
  sim::Simulator& sim = net.simulator();
  if (sim::Recorder* recorder = net.recorder()) {
    recorder->span(sim::Recorder::Span::Kind::compute, host_, sim.now(), sim.now() + d, label);
  }
  return sim.sleep(d);
}

}  // namespace algo
