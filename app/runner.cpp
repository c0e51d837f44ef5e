#include "app/runner.h"

#include <chrono>

#include "app/world.h"
#include "sim/simulator.h"
#include "topology/network.h"

namespace app {
namespace {

std::unique_ptr<ml::Optimizer> make_optimizer(const OptimizerSpec& spec) {
  if (spec.kind == "adam") return ml::make_adam(spec.adam);
  return ml::make_sgd(spec.sgd);
}

}  // namespace

ScenarioResult run_scenario(const Scenario& s) {
  const Datasets data = load_datasets(s);
  ScenarioResult result{s, {}};
  for (const AlgorithmChoice& choice : s.algorithms) {
    result.runs.push_back(run_algorithm(s, choice, data));
  }
  return result;
}

RunResult run_algorithm(const Scenario& s, const AlgorithmChoice& choice, const Datasets& data) {
  // Wall time is measured for the report only; nothing simulated reads it.
  const auto wall_start = std::chrono::steady_clock::now();
  const topology::Topology topo = build_topology(s);
  const std::unique_ptr<ml::Optimizer> optimizer = make_optimizer(s.optimizer);
  std::unique_ptr<algo::Algorithm> algorithm = choice.build();

  sim::Simulator sim;
  topology::Network net(sim, topo);
  algo::Monitor monitor(sim, net, data.test, s.model, s.stop, s.eval, data.train.size());

  algo::RunContext ctx;
  ctx.sim = &sim;
  ctx.net = &net;
  ctx.monitor = &monitor;
  ctx.nodes = build_nodes(s, topo);
  ctx.train = &data.train;
  ctx.model = s.model;
  ctx.optimizer = optimizer.get();
  ctx.seed = s.seed;
  ctx.partition = s.data.partition_spec;
  std::vector<algo::ShardStats> partition;
  ctx.shard_stats = &partition;
  algorithm->launch(ctx);

  if (s.stop.max_time > 0) {
    sim.run_until(s.stop.max_time);
  } else {
    sim.run();
  }
  const char* reason = sim.stop_requested()                                  ? "stopped"
                       : s.stop.max_time > 0 && sim.now() >= s.stop.max_time ? "sim_time"
                                                                             : "no_more_events";
  monitor.finish(reason);

  RunResult result;
  result.label = choice.label;
  result.kind = choice.kind;
  result.workers = choice.participants;
  result.rows = monitor.rows();
  result.totals = monitor.totals();
  result.staleness_histogram = monitor.staleness_histogram();
  result.partition = std::move(partition);
  for (const algo::Node& node : ctx.nodes) {
    result.traffic.push_back({node.name, net.bytes_sent(node.host)});
  }
  result.final_parameters = algorithm->global_parameters();
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

}  // namespace app
