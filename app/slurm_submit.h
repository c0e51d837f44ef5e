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
  bool dry_run = false;              // --slurm-dry-run: write the scripts, submit nothing
  std::optional<int> tasks;          // --slurm-tasks (default: a point per task, at most 1000)
  std::vector<std::string> options;  // --slurm-option values
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

// The checks every --slurm makes before it writes anything: each option
// (slurm_option_error) and each text bound for an #SBATCH line
// (slurm_path_error), and unless dry_run, sbatch on PATH. Returns sbatch's
// path ("" for a dry run), or nullopt with the refusal printed and
// exit_code set to 2.
std::optional<std::string> prepare_slurm(const std::vector<std::string>& options,
                                         const std::vector<std::string>& directive_texts,
                                         bool dry_run, int& exit_code);

// A job array and its collect job, as written into OUT/slurm/.
struct SlurmScripts {
  std::filesystem::path out;  // OUT (absolute)
  std::string array_name;     // the array script's file name in OUT/slurm/
  std::string array_text, collect_text;
  std::string what;  // "3 of 6 points to run in ...", for the messages
};

// Writes both scripts into OUT/slurm/ and, unless `sbatch` is "" (a dry
// run), submits the array and then the collect job with
// --dependency=afterok:<array id>, printing both ids. Returns 0, or 2 with
// the reason printed (a script cannot be written, sbatch refuses one).
int write_and_submit(const SlurmScripts& scripts, const std::string& sbatch);

// The tasks (1..tasks, ascending) that hold at least one of the `incomplete`
// units, unit u going to task u % tasks + 1.
std::vector<int> shards_to_run(const std::vector<std::size_t>& incomplete, int tasks);

// Writes and (unless dry_run) submits the scripts for the incomplete points
// of `plan` in sweep.out, printing the job ids on stdout. `sweep` holds what
// the scripts run (its tasks and shards are filled in here). Returns the exit
// code: 0 submitted (or written); 2 bad input: an option or path an #SBATCH
// line cannot carry, OUT holding another sweep, sbatch not on PATH, or sbatch
// refusing a script (its message on stderr). REQUIRES: some point of the plan
// is incomplete in sweep.out, and plan.validate_all() has passed.
int submit_sweep_to_slurm(const SweepPlan& plan, SlurmSweep sweep, const SlurmRequest& request);

}  // namespace app
