// The memory budget a scenario must fit before it runs: `--max-memory SIZE`
// on run, validate, sweep and check, by default three quarters of the
// machine's physical memory. The estimate is run/resource_estimate.h's.
#pragma once

#include <optional>
#include <string>

#include "app/uses_syncsim.h"
#include "run/scenario.h"

namespace app {

// Three quarters of physical memory (sysconf), or 4 GiB if it cannot be read.
double default_memory_budget();

// `--max-memory` text ("8GiB", "512MB", "1e9"), a byte count > 0; nullopt if
// it is not one. Units as topology sizes (app/units.h): SI and IEC.
std::optional<double> parse_memory_budget(const std::string& text);

// Throws ScenarioError (at the scenario file, no key) when the estimated
// peak memory of `s` exceeds `budget` bytes: the message gives the estimate,
// the budget, the largest contributors with their sizes and how to shrink
// each, and that --max-memory raises the budget.
void check_memory_budget(const Scenario& s, double budget);

}  // namespace app
