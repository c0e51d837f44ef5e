#include "app/slurm_replicates.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "app/child_process.h"
#include "app/slurm_scripts.h"
#include "app/slurm_submit.h"
#include "run/replicates.h"

namespace app {
namespace fs = std::filesystem;
namespace {

// Passed on to both scripts, so the collect job merges what the tasks ran.
std::string common_flags(const SlurmReplicates& r) {
  std::string flags;
  if (!r.max_memory.empty()) flags += " --max-memory " + shell_word(r.max_memory);
  for (const std::string& f : r.flags) flags += " " + shell_word(f);
  return flags;
}

// An #SBATCH value: sbatch reads double quotes (slurm_path_error excludes them).
std::string directive_value(const std::string& value) {
  return value.find(' ') == std::string::npos ? value : '"' + value + '"';
}

void header(std::ostringstream& text, const SlurmReplicates& r, const std::string& what) {
  text << "#!/bin/sh\n"
       << "# Written by `syncsim run --slurm` for the replicates of '" << r.job_name
       << "': " << what << ".\n";
}

}  // namespace

fs::path replicate_folder(const fs::path& out, std::uint64_t seed) {
  return out / "slurm" / ("seed-" + std::to_string(seed));
}

std::string slurm_replicates_array_script(const SlurmReplicates& r) {
  std::ostringstream text;
  header(text, r,
         "array task I runs the replicates r with r % " + std::to_string(r.tasks) +
             " == I - 1, each into slurm/seed-<seed>/");
  text << "#SBATCH --job-name=" << directive_value(r.job_name) << '\n'
       << "#SBATCH --array=" << slurm_array_ranges(r.shards) << '\n'
       << "#SBATCH --cpus-per-task=1\n"
       << "#SBATCH --output=" << directive_value(r.out + "/slurm/replicates-%A-%a.log") << '\n';
  for (const std::string& option : r.options) text << "#SBATCH " << option << '\n';
  text << "case \"$SLURM_ARRAY_TASK_ID\" in\n";
  for (const int task : r.shards) {
    text << "  " << task << ") seeds=\"";
    for (int i = task - 1; i < r.replicates; i += r.tasks) {
      text << (i >= r.tasks ? " " : "") << replicate_seed(r.root_seed, i);
    }
    text << "\" ;;\n";
  }
  text << "  *) echo \"task $SLURM_ARRAY_TASK_ID has no replicates\" >&2; exit 2 ;;\n"
       << "esac\n"
       << "for seed in $seeds; do\n"
       << "  # A run publishes its files at once: run.json means complete.\n"
       << "  [ -e " << shell_word(r.out + "/slurm/seed-") << "\"$seed\"/run.json ] && continue\n"
       << "  " << shell_word(r.self) << " run " << shell_word(r.scenario_path) << " -o "
       << shell_word(r.out + "/slurm/seed-") << "\"$seed\" --seed \"$seed\" --replicates 1 "
       << "--force" << common_flags(r) << '\n'
       << "  code=$?  # 3: the replicate diverged; its files are written, its status says so\n"
       << "  [ \"$code\" = 0 ] || [ \"$code\" = 3 ] || exit \"$code\"\n"
       << "done\n";
  return text.str();
}

std::string slurm_replicates_collect_script(const SlurmReplicates& r) {
  std::ostringstream text;
  header(text, r, "their merged files in the output folder, once every task has ended well");
  text << "#SBATCH --job-name=" << directive_value(r.job_name + "-collect") << '\n'
       << "#SBATCH --cpus-per-task=1\n"
       << "#SBATCH --output=" << directive_value(r.out + "/slurm/collect-%j.log") << '\n';
  for (const std::string& option : r.options) text << "#SBATCH " << option << '\n';
  text << "exec " << shell_word(r.self) << " run " << shell_word(r.scenario_path) << " -o "
       << shell_word(r.out) << " --replicates " << r.replicates;
  if (r.seed) text << " --seed " << *r.seed;
  text << common_flags(r) << " --force --collect\n";
  return text.str();
}

std::optional<std::string> run_slurm_flags_error(const ReplicateArgs& args, int replicates) {
  const bool slurm = args.slurm || args.slurm_dry_run;
  if (!slurm && (args.slurm_tasks || !args.slurm_options.empty())) {
    return std::string(args.slurm_tasks ? "--slurm-tasks" : "--slurm-option") +
           " goes with --slurm";
  }
  if (slurm && args.collect) {
    return std::string(
        "--slurm submits the replicates and a collect job: it does not go with "
        "--collect");
  }
  if ((slurm || args.collect) && replicates < 2) {
    return std::string(slurm ? "--slurm" : "--collect") +
           " spreads the replicates of a run over a Slurm job array: give the scenario "
           "replicates: N (N > 1) or --replicates N (a sweep: syncsim sweep --slurm)";
  }
  return std::nullopt;
}

SlurmReplicates slurm_replicates_of(const Scenario& scenario, const std::string& scenario_path,
                                    const fs::path& out, std::optional<std::uint64_t> seed,
                                    const OutputsSpec& extra, const Verbosity& verbosity,
                                    const ReplicateArgs& args) {
  SlurmReplicates r;
  std::error_code ec;
  r.self = self_binary(args.argv0);
  r.scenario_path = fs::absolute(scenario_path, ec).lexically_normal().string();
  r.out = fs::absolute(out, ec).lexically_normal().string();
  while (r.out.size() > 1 && r.out.back() == '/') r.out.pop_back();
  r.job_name = scenario.name;
  r.root_seed = scenario.seed;
  r.replicates = scenario.replicates;
  r.seed = seed;
  r.max_memory = args.max_memory_text;
  if (extra.trace) r.flags.push_back("--trace");
  if (extra.events) r.flags.push_back("--events");
  if (extra.links) r.flags.push_back("--links");
  if (verbosity.quiet) r.flags.push_back("-q");
  if (verbosity.level != "info") r.flags.insert(r.flags.end(), {"--log-level", verbosity.level});
  return r;
}

int submit_replicates_to_slurm(SlurmReplicates r, const ReplicateArgs& args) {
  int code = 0;
  const std::optional<std::string> sbatch =
      prepare_slurm(args.slurm_options, {r.out, r.job_name}, args.slurm_dry_run, code);
  if (!sbatch) return code;
  std::vector<std::size_t> incomplete;
  for (int i = 0; i < r.replicates; ++i) {
    std::error_code ec;
    if (!fs::exists(replicate_folder(r.out, replicate_seed(r.root_seed, i)) / "run.json", ec)) {
      incomplete.push_back(static_cast<std::size_t>(i));
    }
  }
  if (incomplete.empty()) {
    std::fprintf(stderr, "replicates: every replicate is complete: nothing to submit to Slurm\n");
    return -1;
  }
  r.tasks = std::min(args.slurm_tasks.value_or(kDefaultSlurmTasks), r.replicates);
  r.shards = shards_to_run(incomplete, r.tasks);
  r.options = args.slurm_options;
  const std::string what = std::to_string(incomplete.size()) + " of " +
                           std::to_string(r.replicates) + " replicates to run in " +
                           std::to_string(r.shards.size()) + " of " + std::to_string(r.tasks) +
                           " tasks";
  return write_and_submit({r.out, "replicates.sh", slurm_replicates_array_script(r),
                           slurm_replicates_collect_script(r), what},
                          *sbatch);
}

}  // namespace app
