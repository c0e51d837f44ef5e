// The library entry point: runs a scenario built in code (or loaded by the
// CLI's YAML loader) and returns what the output writers need.
//
//   syncsim::Scenario s = ...;              // run/scenario.h
//   const syncsim::ScenarioResult r = syncsim::run(s, {});
//   syncsim::write_outputs("runs/mine", r);  // run/outputs.h, optional
//
// Builds the world (run/world.h), launches each algorithm in turn on a fresh
// simulator and network, drives it until a stop condition, and collects the
// results. Same scenario and seed: same results, byte for byte, whatever
// RunOptions say.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "algorithms/runtime/monitor.h"
#include "run/result.h"
#include "run/scenario.h"
#include "run/world.h"
#include "sim/time.h"

namespace syncsim {

// How far one algorithm run is, from the simulation side.
struct ProgressSample {
  sim::Time now = 0;
  double epochs = 0.0;
  std::int64_t steps = 0;
  std::optional<double> accuracy;  // the latest evaluation's
  std::uint64_t events = 0;
};

// What RunOptions::progress is told. Per algorithm run: one begin, updates
// about every 1024 events, one end (also when the run throws).
struct ProgressEvent {
  enum class Kind { begin, update, end };
  Kind kind = Kind::update;
  std::string_view label;                     // the run's AlgorithmChoice::label
  const algo::StopCondition* stop = nullptr;  // the scenario's; never null
  ProgressSample sample;                      // update only
};

// Deliberate bugs, injected only by the hidden test-only flag `syncsim check
// --test-fault` to prove that the regression suite turns red (see
// algo::RunContext::test_flip_average_sign).
struct TestFaults {
  bool flip_average_sign = false;
  // The first message carrying an update vanishes in flight, unrecorded
  // (algo::UpdateCensus::test_vanish_next_update): the accounting identity
  // must fail.
  bool vanish_update = false;
};

// How to run; nothing here changes a result.
struct RunOptions {
  // Called from the event loop; empty: no progress. The callback reads the
  // wall clock if it likes: nothing it does flows back into the run.
  std::function<void(const ProgressEvent&)> progress;
  // Host threads for the workers' math; 0: one per hardware thread. Outputs
  // are byte-identical for every value.
  int math_threads = 1;
  TestFaults test_faults;  // test-only (syncsim check --test-fault)
};

// Every algorithm of the scenario, one after the other, on the same data,
// cluster, network and seed. Throws ScenarioError (run/scenario_error.h) /
// ml::DataError for bad input found while building the world; anything else
// is an internal error.
ScenarioResult run(const Scenario& s, const RunOptions& options = {});

// One algorithm on data already loaded (a fresh simulator and network).
RunResult run_algorithm(const Scenario& s, const AlgorithmChoice& choice, const Datasets& data,
                        const RunOptions& options = {});

}  // namespace syncsim
