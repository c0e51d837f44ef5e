// A test harness for the collectives: N ranks on a topology each
// all-reduce their own random vector once; records when each finished.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/runtime/collectives.h"
#include "sim/random.h"
#include "topology/builders.h"

namespace {

constexpr double kBandwidth = 1.25e9;      // 10 Gb/s
constexpr sim::Time kLinkLatency = 5'000;  // 5 us per link: alpha = 10 us

std::vector<std::string> host_names(int n) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back("h" + std::to_string(i));
  return names;
}

struct AllreduceRun {
  // timing_only: the communicator carries sizes, not floats, and every
  // rank's buffer is a size alone (as in a `math: none` run), so large
  // vectors cost no memory; the math checks do not apply.
  AllreduceRun(topology::Topology topology, int ranks, std::size_t elements,
               algo::CollectiveSpec spec, bool timing_only = false,
               topology::Calibration calibration = {})
      : topo(std::move(topology)), net(sim, topo, calibration) {
    std::vector<topology::NodeId> hosts;
    for (int r = 0; r < ranks; ++r) hosts.push_back(*topo.find("h" + std::to_string(r)));
    comm = std::make_unique<algo::Communicator>(sim, net, hosts, !timing_only);
    finished.assign(static_cast<std::size_t>(ranks), -1);
    if (timing_only) {
      for (int r = 0; r < ranks; ++r) {
        sim.spawn(participate(r, spec, algo::CollectiveBuffer::sizes_only(elements)),
                  "rank" + std::to_string(r));
      }
      sim.run();
      return;
    }
    sim::RandomStream stream(3, "collectives", "values");
    for (int r = 0; r < ranks; ++r) {
      std::vector<float> v(elements);
      for (float& x : v) x = static_cast<float>(stream.uniform(-1.0, 1.0));
      inputs.push_back(v);
    }
    buffers = inputs;
    for (int r = 0; r < ranks; ++r) {
      sim.spawn(participate(r, spec, buffers[static_cast<std::size_t>(r)]),
                "rank" + std::to_string(r));
    }
    sim.run();
  }

  sim::Task participate(int rank, algo::CollectiveSpec spec, algo::CollectiveBuffer buffer) {
    co_await algo::allreduce(*comm, rank, buffer, spec);
    finished[static_cast<std::size_t>(rank)] = sim.now();
  }

  // Largest |buffer - exact sum| over all ranks and elements.
  double largest_error() const {
    double worst = 0.0;
    for (std::size_t i = 0; i < inputs.front().size(); ++i) {
      double exact = 0.0;
      for (const auto& v : inputs) exact += v[i];
      for (const auto& b : buffers) worst = std::max(worst, std::abs(b[i] - exact));
    }
    return worst;
  }
  bool all_ranks_identical() const {
    return std::all_of(buffers.begin(), buffers.end(),
                       [this](const std::vector<float>& b) { return b == buffers.front(); });
  }
  sim::Time time() const { return *std::max_element(finished.begin(), finished.end()); }
  bool all_finished() const {
    return std::none_of(finished.begin(), finished.end(), [](sim::Time t) { return t < 0; });
  }

  sim::Simulator sim;
  topology::Topology topo;
  topology::Network net;
  std::unique_ptr<algo::Communicator> comm;
  std::vector<std::vector<float>> inputs, buffers;
  std::vector<sim::Time> finished;
};

inline topology::Topology star(int n) {
  return topology::build_star(host_names(n), {kBandwidth, kLinkLatency});
}

inline algo::CollectiveSpec spec_of(algo::CollectiveKind kind, int segments = 1) {
  return algo::CollectiveSpec{kind, segments};
}

inline void check_time(const AllreduceRun& run, double expected_seconds) {
  const double got = sim::to_seconds(run.time());
  INFO("simulated " << got << " s, formula " << expected_seconds << " s, relative error "
                    << std::abs(got - expected_seconds) / expected_seconds);
  CHECK(got == Approx(expected_seconds).epsilon(0.01));
}

}  // namespace
