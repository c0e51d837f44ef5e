// `syncsim run --slurm` of a scenario with replicates: a job array whose
// task I runs the replicates r with r % N == I - 1, each exactly as
// `syncsim run --seed S+r --replicates 1` into OUT/slurm/seed-<S+r>/, and a
// collect job (`syncsim run --collect`, after the array ends well) that
// merges them into OUT in replicate order: the files a local run writes.
// A replicate is complete when its folder holds run.json (a run publishes
// its files at once); a resubmission submits only the tasks that still
// hold an incomplete replicate, and each task skips the complete ones.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "app/commands.h"
#include "run/scenario.h"

namespace app {

// What the scripts run. Paths are absolute; out and job_name pass
// slurm_path_error (app/slurm_scripts.h).
struct SlurmReplicates {
  std::string self, scenario_path, out, job_name;
  std::uint64_t root_seed = 0;  // the scenario's seed (after --seed)
  int replicates = 2;
  std::optional<std::uint64_t> seed;  // --seed as given, passed on to the collect job
  std::string max_memory;             // --max-memory as given ("": the default)
  std::vector<std::string> flags;     // --trace, --events, --links, -q, --log-level: passed on
  int tasks = 1;                      // N
  std::vector<int> shards;            // the tasks to submit (1..N, ascending)
  std::vector<std::string> options;   // --slurm-option values
};

// OUT/slurm/seed-<seed>: where replicate `seed` runs.
std::filesystem::path replicate_folder(const std::filesystem::path& out, std::uint64_t seed);

// The job-array script (task I: its replicates, each skipped if complete).
// REQUIRES: shards is not empty.
std::string slurm_replicates_array_script(const SlurmReplicates& r);

// The collect script: `syncsim run --collect` into OUT.
std::string slurm_replicates_collect_script(const SlurmReplicates& r);

// Why the run flags `args` cannot go together for a scenario of `replicates`
// replicates, or nullopt: --slurm (or --slurm-dry-run) and --collect need
// replicates > 1 and exclude each other; --slurm-tasks and --slurm-option
// need --slurm.
std::optional<std::string> run_slurm_flags_error(const ReplicateArgs& args, int replicates);

// What the scripts of `syncsim run SCENARIO --slurm` run (tasks and shards
// are filled in on submission).
SlurmReplicates slurm_replicates_of(const Scenario& scenario, const std::string& scenario_path,
                                    const std::filesystem::path& out,
                                    std::optional<std::uint64_t> seed, const OutputsSpec& extra,
                                    const Verbosity& verbosity, const ReplicateArgs& args);

// Writes OUT/slurm/replicates.sh and collect.sh and, unless args.slurm_dry_run,
// submits them (the collect job with --dependency=afterok), printing the job
// ids. Exit code as submit_sweep_to_slurm (app/slurm_submit.h); when every
// replicate is complete it submits nothing and returns -1 (collect them here).
int submit_replicates_to_slurm(SlurmReplicates r, const ReplicateArgs& args);

}  // namespace app
