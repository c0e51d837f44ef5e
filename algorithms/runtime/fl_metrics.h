// What a federated algorithm reports per server round and per client, for
// rounds.csv and clients.csv (run/fl_outputs.cpp, docs/outputs.md). Counts
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

// One client over the run.
struct FlClientRow {
  std::string node;
  std::int64_t selected = 0;  // rounds it was sampled for
  std::int64_t reported = 0;  // rounds its update was aggregated in
  double bytes_down = 0.0;
  double bytes_up = 0.0;
  // The final global model's accuracy on the client's own training shard;
  // empty with `math: none` (no model) or an empty shard.
  std::optional<double> accuracy;
};

struct FlMetrics {
  std::vector<FlRoundRow> rounds;    // completed rounds, in order
  std::vector<FlClientRow> clients;  // in client order
};

}  // namespace algo
