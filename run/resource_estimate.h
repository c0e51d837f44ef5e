// What a run will need before it starts: an estimate of its peak memory and
// of the size of the files it writes, from the scenario alone (no data file
// is read, nothing is allocated in proportion to it). The CLI refuses a
// scenario whose estimate exceeds its budget (app/budget.h), naming the
// largest contributors and how to shrink them.
//
// The estimate counts, per algorithm run (runs are sequential; the largest
// one counts):
//   - model copies: parameters x 4 bytes x the copies each algorithm keeps
//     (a replica per worker with its gradient and optimizer state, server
//     state, in-flight and buffered parameter vectors, all-reduce buffers);
//     none with math: none, whose messages carry sizes alone;
//   - activations: batch x layer widths per replica, and the test-set
//     evaluation's chunks;
//   - per node: its coroutines, mailboxes, sampler and shard;
//   - recorded outputs: metrics rows, links.csv buckets (simulated time /
//     links_interval x link directions), events and trace records;
// plus, once, the datasets in memory and a fixed process baseline.
// Simulated time is the stop condition's sim_time when there is one, else
// an estimate from epochs or steps (compute time per step from the FLOP
// rates, plus moving the model over the slowest link).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "run/scenario.h"

namespace syncsim {

struct ResourceItem {
  std::string what;    // "model copies (ps_sync: 4 replicas, 1 server)"
  double bytes = 0.0;  // estimated peak bytes of memory
  std::string shrink;  // how to make it smaller, naming the keys
};

struct ResourceEstimate {
  std::vector<ResourceItem> memory;  // largest first
  double output_bytes = 0.0;         // the files the run writes
  double sim_seconds = 0.0;          // the simulated time the estimate assumes
  double peak_bytes() const;         // the sum of `memory`
};

// REQUIRES: s was loaded (for idx data, its header counts are filled in).
ResourceEstimate estimate_resources(const Scenario& s);

}  // namespace syncsim
