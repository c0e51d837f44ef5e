// The subcommands of the syncsim binary (app/main.cpp parses the command
// line and calls one of these). Each returns the process's exit code:
// 0 success; 2 bad input (command line, scenario, data files, output folder);
// 3 a run diverged (NaN or Inf in the loss or parameters; its outputs are
// written, with the step in summary.csv's status column); 1 an internal error
// (a bug: please report it), or for `check`, any failed assertion.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/check.h"
#include "app/progress.h"
#include "app/uses_syncsim.h"
#include "run/scenario.h"

namespace app {

constexpr int kExitBadInput = 2;
constexpr int kExitInternal = 1;
constexpr int kExitCheckFailed = 1;  // `check`: an assertion failed
constexpr int kExitDiverged = 3;

// --quiet, --log-level, --progress: how much run and sweep say on stderr.
struct Verbosity {
  bool quiet = false;
  std::string level = "info";
  std::string progress = "auto";
  double progress_every = 0.0;
  LogLevel log_level() const { return quiet ? LogLevel::error : *parse_log_level(level); }
};

// This process's command line and start, for each run folder's run.json
// (run/run_record.h).
struct Invocation {
  std::vector<std::string> command_line;  // argv
  std::chrono::system_clock::time_point start;
};

// syncsim run: one scenario (without a sweep: block) into one output folder.
// threads: the workers' math threads (RunOptions::math_threads); extra: the
// outputs asked for on the command line, added to the scenario's.
// replicates: --replicates (overrides the scenario's); jobs: replicates run
// at a time in worker processes (0: one per hardware thread), argv0 finding
// this binary again (app/replicate_runner.h).
// slurm...: --slurm and its flags, which submit the replicates as a Slurm
// job array instead of running them (app/slurm_replicates.h); collect:
// --collect, which merges the replicates such an array ran.
struct ReplicateArgs {
  std::optional<int> replicates;
  int jobs = 0;
  const char* argv0 = "syncsim";
  bool slurm = false, slurm_dry_run = false, collect = false;
  std::optional<int> slurm_tasks;
  std::vector<std::string> slurm_options;
  std::string max_memory_text;  // --max-memory as given, passed on to the tasks
};
// max_memory: the budget in bytes (app/memory_budget.h), checked before the
// run, for each of the replicates running at once; max_output: the limit on
// the files it writes (default: the free space where it writes). A folder
// that is not empty is refused (exit 2) unless `force`, which replaces the
// previous run's outputs and keeps the user's files (run/previous_outputs.h).
int run_command(const std::string& scenario_path, const std::string& out_dir,
                std::optional<std::uint64_t> seed, int threads, const OutputsSpec& extra,
                const Verbosity& verbosity, const Invocation& invocation, double max_memory,
                std::optional<double> max_output, const ReplicateArgs& replicates = {},
                bool force = false);

struct SweepArgs {
  std::string scenario_path, out_dir, shard = "1/1";
  std::optional<std::uint64_t> seed;
  int jobs = 1;
  bool collect = false;
  bool force = false;                // --force: start over, clearing the previous sweep's files
  std::optional<std::size_t> point;  // internal: the point process's own point
  double max_memory = 0;             // bytes: every point's budget
  std::string max_memory_text;       // as given, passed on to the point processes
  bool slurm = false;                // --slurm: submit the shards as a Slurm job array
  bool slurm_dry_run = false;        // --slurm-dry-run: write its scripts only
  std::optional<int> slurm_tasks;    // --slurm-tasks: the array's shards
  std::vector<std::string> slurm_options;  // --slurm-option: #SBATCH lines
};

// syncsim sweep: every point (or one shard, or one --point) of a sweep, or
// with --slurm its shards submitted as a job array (app/slurm_submit.h).
// The invocation's argv[0] finds this binary again when /proc/self/exe cannot.
int sweep_command(const SweepArgs& a, const Verbosity& verbosity, const Invocation& invocation);

// syncsim validate: loads a scenario or sweep and says what it holds.
// Also prints the estimated peak memory and output size, and fails like
// run when the estimate exceeds max_memory bytes.
int validate_command(const std::string& scenario_path, double max_memory);

// syncsim topology --dot: the scenario's network as Graphviz DOT, to out_file
// (written whole or not at all) or standard output if it is empty.
int topology_command(const std::string& scenario_path, const std::string& out_file);

// syncsim check: runs scenarios, prints the report, writes JUnit XML if asked.
int check_command(const std::vector<std::string>& paths, const std::string& junit_file,
                  const CheckOptions& options);

// Fails fast, before a long run, if `dir` can never become the output folder:
// it, or its nearest existing ancestor, is not a folder, or a file cannot be
// created in it (no such file system path under /proc, a read-only mount, no
// permission). The probe creates the missing folders and one file, then
// removes both, so a run that fails later leaves no empty folder behind;
// write_outputs still reports what a probe cannot foresee (a full disk).
void check_output_folder(const std::filesystem::path& dir);

// Runs a command, turning the exceptions that mean bad input (ScenarioError,
// ml::DataError, a simulated time overflow, out of memory) into exit code 2
// with their message on stderr, and anything else into 1 (an internal error).
int exit_code_of(const std::function<int()>& command);

}  // namespace app
