// The two batch scripts `syncsim sweep --slurm` submits, as text: a job array
// whose task I runs shard I/N of the sweep (`syncsim sweep --shard I/N`, the
// same binary, scenario and flags), and a collect job that writes
// summary.csv once the array has ended well. Pure functions, so the text is
// tested without a cluster; app/slurm_submit.h writes and submits them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace app {

// What the scripts run. Paths are absolute: a batch job starts wherever
// Slurm puts it. out and job_name pass slurm_path_error.
struct SlurmSweep {
  std::string self;                    // the syncsim binary
  std::string scenario_path;           // the sweep's scenario file
  std::string out;                     // OUT
  std::string job_name;                // the sweep's name, for squeue
  std::optional<std::uint64_t> seed;   // --seed, passed on
  std::string max_memory;              // --max-memory as given ("": the default)
  std::vector<std::string> log_flags;  // -q / --log-level, passed on
  int jobs = 1;                        // points at a time in each task (and its CPUs)
  int tasks = 1;                       // N: the array's shards
  std::vector<int> shards;             // the shards to submit (1..N, ascending)
  std::vector<std::string> options;    // --slurm-option values, one #SBATCH line each
};

// The job-array script. REQUIRES: shards is not empty.
std::string slurm_array_script(const SlurmSweep& sweep);

// The collect script (`syncsim sweep --collect`).
std::string slurm_collect_script(const SlurmSweep& sweep);

// "1-3,5,7-8": a Slurm --array index list of ascending numbers.
std::string slurm_array_ranges(const std::vector<int>& ascending);

// Why `option` cannot be an #SBATCH line (it must start with '-' and hold no
// control character), or nullopt if it can.
std::optional<std::string> slurm_option_error(const std::string& option);

// Why `text` (OUT, the sweep's name) cannot go into an #SBATCH line, or
// nullopt if it can.
std::optional<std::string> slurm_path_error(const std::string& text);

// The job id in `sbatch --parsable`'s output: its first line that is "123"
// or "123;cluster" (warnings may come before it), or nullopt if none is.
std::optional<std::string> sbatch_job_id(const std::string& output);

// `text` as one word for /bin/sh: single-quoted where it needs to be.
std::string shell_word(const std::string& text);

}  // namespace app
