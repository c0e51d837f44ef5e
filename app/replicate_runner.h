// `syncsim run` of a scenario with replicates > 1 (run/replicates.h): the
// replicates run in this process one after the other (jobs 1) or in worker
// processes of this binary, `jobs` at a time, each `syncsim run --seed S+r`
// into a folder of its own; their files are merged in replicate order, so
// the output is byte-identical whatever `jobs` is.
#pragma once

#include <filesystem>
#include <string>

#include "app/commands.h"
#include "run/output_folder.h"
#include "run/run_record.h"

namespace app {

struct ReplicateRunOptions {
  std::string scenario_path;  // what the worker processes load
  std::string self;           // this binary
  int jobs = 1;               // replicates at a time; 1: in this process
  int threads = 1;            // math threads in all (each of `jobs` workers gets a share)
  OutputsSpec extra;          // --trace, --events, --links
  Verbosity verbosity;
  std::filesystem::path out_dir;  // the output folder as the user named it, for messages
  RunRecord record;               // run.json's, wall time filled in when the files are staged
};

// Runs every replicate of `scenario`, stages and publishes the merged files
// into `folder`, prints the summary (mean +- 95% half-width per algorithm).
// Returns the exit code: 0, 3 if a replicate diverged (outputs complete), or
// the first failing worker's 2 or 1 (nothing published), its log's last line
// on stderr. REQUIRES: scenario.replicates > 1.
int run_replicated(const Scenario& scenario, OutputFolder& folder,
                   const ReplicateRunOptions& options);

// `syncsim run --collect`: the replicates that ran one per folder,
// from/seed-<seed>/ (`syncsim run --slurm`, app/slurm_replicates.h), merged
// and published into `folder` as run_replicated does. Returns 0, 2 if the
// folder cannot be written, or 1 naming the first replicate whose folder
// holds no run.json (nothing published).
int collect_replicated(const Scenario& scenario, OutputFolder& folder,
                       const ReplicateRunOptions& options, const std::filesystem::path& from);

}  // namespace app
