// Runs one scenario: builds the world, launches the algorithm, drives the
// simulator until a stop condition, and returns what the outputs need.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "algorithms/sync/algorithm.h"
#include "algorithms/sync/monitor.h"
#include "app/scenario.h"

namespace app {

struct RunResult {
  Scenario scenario;  // as run
  int workers = 0;
  std::vector<algo::MetricsRow> rows;
  algo::RunTotals totals;
  std::map<std::int64_t, std::int64_t> staleness_histogram;
  ml::Vector final_parameters;  // the global model at the end
  double wall_seconds = 0.0;    // host time of the run; the one non-deterministic output
};

// Throws ScenarioError / ml::DataError for bad input found while building the
// world; anything else that escapes is an internal error.
RunResult run_scenario(const Scenario& s);

}  // namespace app
