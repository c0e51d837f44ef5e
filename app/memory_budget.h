// The memory budget a scenario must fit before it runs: `--max-memory SIZE`
// on run, validate, sweep and check, by default three quarters of the
// machine's physical memory. The estimate is run/resource_estimate.h's.
#pragma once

#include <filesystem>
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

// Bytes free to an unprivileged writer on the file system that holds `dir`
// (or its nearest existing ancestor); nullopt if it cannot be read or the
// file system has no blocks (a pseudo file system such as /proc).
std::optional<double> free_space(const std::filesystem::path& dir);

// Throws ScenarioError (at the scenario file) when the estimated size of the
// files a run of `s` writes (all replicates) exceeds `limit` bytes: `--max-output`,
// by default the free space where the run writes, so a run never fills the
// disk half way and fails at the end.
void check_output_budget(const Scenario& s, double limit, const std::string& what);

}  // namespace app
