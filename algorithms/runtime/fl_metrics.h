// What a federated algorithm reports per server round (or, for the
// asynchronous ones, per server step) and per client, for rounds.csv,
// steps.csv and clients.csv (run/fl_outputs.cpp, docs/outputs.md). Counts
// are in clients (one client = one potential update), bytes are what the
// round's messages carried on the wire (the real payload sizes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.h"

namespace algo {

// One completed server round.
struct FlRoundRow {
  std::int64_t round = 0;
  sim::Time start = 0, end = 0;              // true time: sampling, publication of the new model
  sim::Time start_local = 0, end_local = 0;  // the same instants on the server's clock
  std::int64_t selected = 0;                 // sampled clients (over-selection included)
  std::int64_t reported = 0;                 // updates aggregated into the new model
  std::int64_t late = 0, offline = 0, crashed = 0, unreachable = 0;  // dropped, by reason
  std::int64_t lost = 0;    // uploads lost on the way (counted lost, not dropped)
  double bytes_down = 0.0;  // the global model (and SCAFFOLD's c) sent to this round's clients
  double bytes_up = 0.0;    // this round's uploads, late ones included, whenever sent
};

// One server step of an asynchronous run (fedbuff, fedasync): what happened
// since the previous step (or the start), up to and including this one.
struct FlStepRow {
  std::int64_t step = 0;               // the step publishes version step + 1
  sim::Time time = 0, time_local = 0;  // the step, true time and the server's clock
  std::int64_t started = 0;            // clients sent the model since the previous step
  std::int64_t aggregated = 0;         // arrivals this step applied
  std::int64_t staleness_sum = 0;      // of those arrivals, in versions
  std::int64_t staleness_max = 0;
  std::int64_t late = 0, offline = 0, crashed = 0, unreachable = 0;  // dropped, by reason
  std::int64_t lost = 0;                                             // uploads lost on the way
  double bytes_down = 0.0, bytes_up = 0.0;                           // sent since the previous step
};

// One client over the run.
struct FlClientRow {
  std::string node;
  std::int64_t selected = 0;  // rounds it was sampled for (asynchronous: times it was started)
  std::int64_t reported = 0;  // rounds its update was aggregated in (asynchronous: updates applied)
  double bytes_down = 0.0;
  double bytes_up = 0.0;
  // The final global model's accuracy on the client's held-out part, or on
  // its training shard without a holdout; empty with `math: none` (no model)
  // or when that part is empty.
  std::optional<double> accuracy;
};

struct FlMetrics {
  std::vector<FlRoundRow> rounds;    // completed rounds, in order
  std::vector<FlClientRow> clients;  // in client order
  std::vector<FlStepRow> steps;      // asynchronous runs: every server step, in order
  bool asynchronous = false;         // steps, not rounds
};

}  // namespace algo
