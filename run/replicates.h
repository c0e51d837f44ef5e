// Replicates (README, "Replicates"): a scenario with `replicates: N` runs
// every algorithm N times, replicate r with seed root + r (modulo 2^64), the
// same seeds for every algorithm so that differences pair up seed by seed.
// Replicate 0 is the root seed itself, so N = 1 is today's single run, byte
// for byte, and replicate r is exactly `syncsim run --seed root+r`.
//
// With N > 1 the output folder holds the replicates' files merged in
// replicate order (whatever ran them, in whichever order they finished):
//   summary.csv      the replicates' rows, one per (algorithm, seed)
//   other CSVs       a `seed` column after `algorithm`
//   trace.json       replicate 0's only
//   summary_stats.csv, paired.csv (with `reference:`): run/replicate_stats.h
#pragma once

#include <cstdint>
#include <vector>

#include "run/outputs.h"
#include "run/result.h"
#include "run/run.h"
#include "run/scenario.h"

namespace syncsim {

// The seed of replicate r of root seed `root`: root + r, wrapping.
std::uint64_t replicate_seed(std::uint64_t root, int replicate);

// `s` as replicate r runs it: its seed, and one replicate.
Scenario replicate_scenario(const Scenario& s, int replicate);

// Every replicate, one after the other in this process (`syncsim check`,
// sweep points, `run --jobs 1`).
std::vector<ScenarioResult> run_replicates(const Scenario& s, const RunOptions& options = {});

// One replicate's output files (output_files of its result, or read back from
// the folder a replicate process wrote).
struct ReplicateFiles {
  std::uint64_t seed = 0;
  std::vector<OutputFile> files;
};

// The folder's files (see above), from the replicates in replicate order.
// With one replicate: its files unchanged. Throws std::runtime_error if the
// replicates do not have the same files with the same headers (a bug).
std::vector<OutputFile> merge_replicates(const Scenario& s,
                                         const std::vector<ReplicateFiles>& replicates);

// summary.csv's table over all replicates (their rows, in replicate order).
SummaryTable replicate_summary(const std::vector<ScenarioResult>& replicates);

}  // namespace syncsim
