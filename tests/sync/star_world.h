// What every algorithm test builds: named hosts on a star network, a Monitor,
// and the RunContext an algorithm is launched in. Test fixtures derive from it
// and add their algorithm.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "algorithms/ml/synthetic.h"
#include "algorithms/runtime/algorithm.h"
#include "topology/builders.h"

struct StarWorld {
  struct Host {
    std::string name;
    double flops;
    sim::Distribution straggler = sim::Distribution::constant_value(1.0);
  };

  // The test data most algorithm tests use: 20 features, 4 classes.
  static ml::Dataset synthetic(std::int64_t samples, std::uint64_t seed) {
    return ml::make_synthetic({samples, 20, 4, 1.0f, 3.0f}, seed);
  }
  static ml::MlpSpec small_mlp(int features = 20, int classes = 4) {
    return {{features, 16, classes}, ml::Activation::relu, ml::LossKind::softmax_cross_entropy};
  }

  StarWorld(const std::vector<Host>& hosts, topology::LinkParams link, ml::Dataset train_set,
            ml::Dataset test_set, ml::MlpSpec model, std::unique_ptr<ml::Optimizer> opt,
            algo::StopCondition stop, algo::EvalSchedule eval, std::uint64_t seed)
      : spec(std::move(model)),
        train(std::move(train_set)),
        test(std::move(test_set)),
        optimizer(std::move(opt)) {
    std::vector<std::string> names;
    for (const Host& h : hosts) names.push_back(h.name);
    topo = topology::build_star(names, link);
    net = std::make_unique<topology::Network>(sim, topo);
    monitor = std::make_unique<algo::Monitor>(sim, *net, test, spec, stop, eval, train.size());
    census = std::make_unique<algo::UpdateCensus>(*net);
    ctx.census = census.get();
    ctx.sim = &sim;
    ctx.net = net.get();
    ctx.monitor = monitor.get();
    for (const Host& h : hosts)
      ctx.nodes.push_back({h.name, *topo.find(h.name), h.flops, h.straggler});
    ctx.train = &train;
    ctx.model = spec;
    ctx.optimizer = optimizer.get();
    ctx.seed = seed;
  }

  // Takes `a`, launches it; the world keeps it alive until after the
  // simulator, whose unfinished coroutines refer to it.
  template <class A>
  A& launch(std::unique_ptr<A> a) {
    A& launched = *a;
    algorithm = std::move(a);
    algorithm->launch(ctx);
    return launched;
  }
  // Runs to the stop condition and closes the monitor.
  void run() {
    sim.run();
    monitor->finish("done");
  }

  ml::MlpSpec spec;
  ml::Dataset train, test;
  std::unique_ptr<ml::Optimizer> optimizer;
  std::unique_ptr<algo::Algorithm> algorithm;  // declared before sim: destroyed after it
  sim::Simulator sim;
  topology::Topology topo;
  std::unique_ptr<topology::Network> net;
  std::unique_ptr<algo::Monitor> monitor;
  std::unique_ptr<algo::UpdateCensus> census;  // update_census.h: the copies that exist
  algo::RunContext ctx;
};
