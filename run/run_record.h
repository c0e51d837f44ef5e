// run.json: the record of how a run folder was made, beside its outputs. It
// names the binary (run/build_info.h), the scenario (file, SHA-256 and text
// of its bytes), the seed and threads, the host, the command line, and when
// and for how long it ran, so a result can be traced and reproduced.
//
// It differs between two runs of the same scenario and seed (start time, wall
// time, host, command line), like timing.csv: determinism checks and golden
// hashes compare the CSVs and leave run.json out.
//
//   syncsim::RunRecord record;
//   record.start = std::chrono::system_clock::now();
//   ... load the scenario text, run it ...
//   record.wall_seconds = ...;
//   files.push_back({"run.json", syncsim::run_json(record, result)});
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "run/result.h"

namespace syncsim {

struct RunRecord {
  std::vector<std::string> command_line;        // argv as given; empty: none (a library caller)
  std::string scenario_file;                    // as given; empty: a scenario built in code
  std::string scenario_text;                    // the bytes the scenario was loaded from
  std::optional<std::size_t> sweep_point;       // a sweep point's index (its folder's prefix)
  std::chrono::system_clock::time_point start;  // when the command started
  double wall_seconds = 0.0;                    // from start until the outputs were staged
};

// The run.json text: one JSON object, keys in a fixed order (README,
// "Outputs"), ending in a newline. `result` gives the seed, the scenario's
// name and the threads; build_info() the binary's fields; the host name is
// read here (gethostname).
std::string run_json(const RunRecord& record, const ScenarioResult& result);
// The same for a run whose result this process does not hold (replicates run
// in worker processes): the scenario gives the name, root seed and
// replicates; `threads` the math threads of one run.
std::string run_json(const RunRecord& record, const Scenario& scenario, int threads);

// "2026-12-07T16:21:43.250Z": UTC, ISO 8601, milliseconds.
std::string utc_timestamp(std::chrono::system_clock::time_point t);

}  // namespace syncsim
