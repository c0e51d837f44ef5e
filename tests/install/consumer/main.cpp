// syncsim as a C++ library: a scenario built in code (no YAML), run with
// syncsim::run, its CSVs written with syncsim::write_outputs. Built against
// an installed syncsim by tests/install/install_test.sh; README.md ("Use as
// a library") points here. star_ps_sync.yaml is the same scenario as YAML.
//
//   consumer OUT_DIR   prints "steps=50 accuracy=0.9..." and writes OUT_DIR/*.csv
#include <cstdio>
#include <memory>

#include "algorithms/sync/ps_sync.h"
#include "run/outputs.h"
#include "run/run.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer OUT_DIR\n");
    return 2;
  }
  syncsim::Scenario s;
  s.name = "star_ps_sync";
  s.seed = 7;
  // A server and four workers (worker0..worker3) on a star: 1 Gbps, 20 us.
  s.groups = {{.name = "server", .count = 1, .flop_rate = 20e9},
              {.name = "worker", .count = 4, .flop_rate = 10e9}};
  s.topology.kind = "star";
  s.topology.link = {.bandwidth_bytes_per_s = 125e6, .latency = 20 * sim::kMicrosecond};
  // 2000 seeded synthetic samples (20 features, 4 classes), 400 held out for testing.
  s.data.dataset = "synthetic";
  s.data.synthetic = {.samples = 2000, .features = 20, .classes = 4};
  s.data.synthetic_test_samples = 400;
  s.model.widths = {20, 32, 4};
  s.optimizer.sgd = {.lr = 0.1f, .momentum = 0.9f};
  // Synchronous parameter server: node 0 serves, nodes 1-4 train.
  algo::PsSyncConfig ps;
  ps.server = 0;
  ps.workers = {1, 2, 3, 4};
  ps.batch_size = 16;
  syncsim::AlgorithmChoice choice{.kind = "ps_sync", .label = "ps_sync", .participants = 4};
  choice.build = [ps] { return std::make_unique<algo::PsSync>(ps); };
  s.algorithms.push_back(choice);
  s.stop.max_steps = 50;
  s.eval.every_steps = 10;

  const syncsim::ScenarioResult result = syncsim::run(s, syncsim::RunOptions{});
  syncsim::write_outputs(argv[1], result);
  const algo::RunTotals& t = result.runs.at(0).totals;
  std::printf("steps=%lld accuracy=%.4f\n", static_cast<long long>(t.steps), t.final_test_accuracy);
  return 0;
}
