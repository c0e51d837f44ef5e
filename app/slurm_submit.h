// `syncsim sweep --slurm`: writes the job-array and collect scripts
// (app/slurm_scripts.h) into OUT/slurm/ and submits them with sbatch, the
// collect job held until the array ends well (--dependency=afterok).
// Resumable as a local sweep is: only the shards that still hold incomplete
// points are submitted, and each shard skips the points completed meanwhile.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/slurm_scripts.h"
#include "app/sweep_plan.h"

namespace app {

// The most array tasks --slurm submits by default: Slurm's default
// MaxArraySize (1001) allows indices up to 1000.
inline constexpr int kDefaultSlurmTasks = 1000;

struct SlurmRequest {
  bool dry_run = false;               // --slurm-dry-run: write the scripts, submit nothing
  std::optional<int> tasks;           // --slurm-tasks (default: a point per task, at most 1000)
  std::vector<std::string> options;   // --slurm-option values
};

// Why the sweep flags `a` cannot go together, or nullopt: --slurm (`slurm`,
// also set by --slurm-dry-run) runs the shards in the array, so it takes no
// --shard, --collect or --force; --slurm-tasks and --slurm-option need it.
std::optional<std::string> slurm_flags_error(const SweepArgs& a, bool slurm);

// What the scripts of the sweep `a` into `out` run: this binary, absolute
// paths, the seed, memory budget, verbosity and --jobs as given.
SlurmSweep slurm_sweep_of(const SweepPlan& plan, const SweepArgs& a,
                          const std::filesystem::path& out, const Verbosity& verbosity,
                          const Invocation& invocation);

// The full path of the executable `name` in the colon-separated `path_list`
// (empty entries skipped), or nullopt.
std::optional<std::string> find_on_path(const std::string& name, const std::string& path_list);

// Writes and (unless dry_run) submits the scripts for the incomplete points
// of `plan` in sweep.out, printing the job ids on stdout. `sweep` holds what
// the scripts run (its tasks and shards are filled in here). Returns the exit
// code: 0 submitted (or written); 2 bad input: an option or path an #SBATCH
// line cannot carry, OUT holding another sweep, sbatch not on PATH, or sbatch
// refusing a script (its message on stderr). REQUIRES: some point of the plan
// is incomplete in sweep.out, and plan.validate_all() has passed.
int submit_sweep_to_slurm(const SweepPlan& plan, SlurmSweep sweep, const SlurmRequest& request);

}  // namespace app
