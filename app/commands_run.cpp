// syncsim run, and the output-folder probe that run and sweep share.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <vector>

#include "app/commands.h"
#include "app/child_process.h"
#include "app/config_node.h"
#include "app/memory_budget.h"
#include "app/progress.h"
#include "app/replicate_runner.h"
#include "app/scenario_loader.h"
#include "app/slurm_replicates.h"
#include "app/sweep_plan.h"
#include "run/accounting.h"
#include "run/outputs.h"
#include "run/previous_outputs.h"
#include "run/run.h"
#include "run/run_record.h"
#include "sim/time.h"

namespace app {

// Fails fast, before a long run, if `dir` can never become the output folder:
// it, or its nearest existing ancestor, is not a folder, or a file cannot be
// created in it (no such file system path under /proc, a read-only mount, no
// permission). The probe creates the missing folders and one file, then
// removes both, so a run that fails later leaves no empty folder behind;
// write_outputs still reports what a probe cannot foresee (a full disk).
void check_output_folder(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path existing = fs::absolute(dir, ec);
  std::vector<fs::path> missing;  // deepest first
  while (!ec && !fs::exists(existing, ec) && existing.has_relative_path()) {
    missing.push_back(existing);
    existing = existing.parent_path();
  }
  if (!ec && fs::exists(existing, ec) && !fs::is_directory(existing, ec)) {
    throw std::runtime_error("cannot create output folder " + dir.string() + ": " +
                             existing.string() + " is not a folder");
  }
  std::vector<fs::path> created;
  auto undo = [&] {
    std::error_code ignored;
    for (auto it = created.rbegin(); it != created.rend(); ++it) fs::remove(*it, ignored);
  };
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (!fs::create_directory(*it, ec) || ec) {
      undo();
      throw std::runtime_error("cannot create output folder " + dir.string() + ": " +
                               (ec ? ec.message() : it->string() + " appeared meanwhile"));
    }
    created.push_back(*it);
  }
  // A name of this process's own: the shards of a sweep, started together
  // by a Slurm array, probe one folder at the same moment.
  const fs::path probe = dir / (".syncsim-write-probe-" + std::to_string(::getpid()));
  const bool writable = static_cast<bool>(std::ofstream(probe)) && fs::exists(probe, ec);
  fs::remove(probe, ec);
  undo();
  if (!writable) {
    throw std::runtime_error("cannot write in output folder " + dir.string());
  }
}

int run_command(const std::string& scenario_path, const std::string& out_dir,
                std::optional<std::uint64_t> seed, int threads, const OutputsSpec& extra,
                const Verbosity& verbosity, const Invocation& invocation, double max_memory,
                std::optional<double> max_output, const ReplicateArgs& replicates, bool force) {
  if (!SweepPlan::load_file(scenario_path, seed).axes().empty()) {
    std::cerr << scenario_path << ": has a 'sweep:' block: run it with 'syncsim sweep "
              << scenario_path << "'\n";
    return kExitBadInput;
  }
  // The text is kept for run.json: its hash names exactly the bytes that ran.
  const std::string scenario_text = ConfigNode::read_file(scenario_path);
  Scenario scenario = load_scenario_string(scenario_text, scenario_path);
  if (seed) scenario.seed = *seed;
  if (replicates.replicates) scenario.replicates = *replicates.replicates;
  scenario.outputs.trace = scenario.outputs.trace || extra.trace;
  scenario.outputs.events = scenario.outputs.events || extra.events;
  scenario.outputs.links = scenario.outputs.links || extra.links;
  const bool slurm = replicates.slurm || replicates.slurm_dry_run;
  if (const auto error = run_slurm_flags_error(replicates, scenario.replicates)) {
    std::cerr << "syncsim: " << *error << '\n';
    return kExitBadInput;
  }
  // Replicates in worker processes each need the estimate at once.
  const int at_once =
      scenario.replicates > 1 && replicates.jobs != 1
          ? std::min(scenario.replicates,
                     replicates.jobs > 0 ? replicates.jobs : algo::MathPool::hardware_threads())
          : 1;
  check_memory_budget(scenario, max_memory / at_once);
  const std::filesystem::path dir = out_dir.empty() ? std::filesystem::path("runs") / scenario.name
                                                    : std::filesystem::path(out_dir);
  if (max_output) {
    check_output_budget(scenario, *max_output, "--max-output");
  } else if (const auto space = free_space(dir)) {
    check_output_budget(scenario, *space, "the space free on the file system of " + dir.string());
  }
  // Locked from before the run until its folder is published whole.
  std::optional<OutputFolder> folder;
  try {
    check_output_folder(dir);
    folder.emplace(dir);
    // Publishing replaces the previous run's files: only when asked to.
    // A mount point holds this run's own staging folder (run/output_folder.h).
    std::vector<std::string> entries = folder_entries(dir);
    const std::string staging = "." + folder->dir().filename().string() + ".staging-";
    std::erase_if(entries, [&](const std::string& e) {
      return e.rfind(staging, 0) == 0 || ((slurm || replicates.collect) && e == "slurm");
    });
    if (!force && !entries.empty()) {
      throw std::runtime_error(describe_non_empty(dir, entries) +
                               ": add --force to replace the previous run's outputs (its CSVs, "
                               "run.json and the figures in plots/; other files stay), or write "
                               "to another folder with -o");
    }
  } catch (const std::runtime_error& e) {
    std::cerr << "syncsim: " << e.what() << '\n';
    return kExitBadInput;
  }
  if (scenario.replicates > 1) {
    ReplicateRunOptions options{scenario_path,
                                self_binary(replicates.argv0),
                                replicates.jobs,
                                threads,
                                extra,
                                verbosity,
                                dir,
                                {}};
    if (options.jobs == 0) {
      options.jobs = std::min(scenario.replicates, algo::MathPool::hardware_threads());
    }
    options.record.command_line = invocation.command_line;
    options.record.scenario_file = scenario_path;
    options.record.scenario_text = scenario_text;
    options.record.start = invocation.start;
    if (slurm) {
      const int code = submit_replicates_to_slurm(
          slurm_replicates_of(scenario, scenario_path, dir, seed, extra, verbosity, replicates),
          replicates);
      if (code >= 0) return code;  // else every replicate is complete: collect them here
    }
    if (slurm || replicates.collect) {
      return collect_replicated(scenario, *folder, options, dir / "slurm");
    }
    return run_replicated(scenario, *folder, options);
  }
  ProgressReporter progress(*parse_progress_mode(verbosity.progress), verbosity.log_level(),
                            verbosity.progress_every);
  RunOptions options;
  options.progress = progress.callback();
  options.math_threads = threads;
  const ScenarioResult result = syncsim::run(scenario, options);
  RunRecord record;
  record.command_line = invocation.command_line;
  record.scenario_file = scenario_path;
  record.scenario_text = scenario_text;
  record.start = invocation.start;
  record.wall_seconds =
      std::chrono::duration<double>(std::chrono::system_clock::now() - invocation.start).count();
  std::vector<OutputFile> outputs = output_files(result);
  outputs.push_back({"run.json", run_json(record, result)});
  std::vector<std::filesystem::path> files;
  try {
    folder->stage(outputs);
    files = folder->publish();
  } catch (const std::runtime_error& e) {
    std::cerr << "syncsim: " << e.what() << '\n';
    return kExitBadInput;
  }
  if (verbosity.log_level() >= LogLevel::info) {
    for (const RunResult& run : result.runs) {
      const algo::RunTotals& t = run.totals;
      std::printf(
          "%s/%s: %d worker(s), stopped by %s at %.3f s simulated (%lld steps, %.2f epochs)\n",
          scenario.name.c_str(), run.label.c_str(), run.workers, t.stop_reason.c_str(),
          sim::to_seconds(t.time), static_cast<long long>(t.steps), t.epochs);
      char accuracy[64] = "no test accuracy (math: none)";
      if (t.evaluated)
        std::snprintf(accuracy, sizeof accuracy, "test accuracy %.4f", t.final_test_accuracy);
      std::printf("  %s, throughput %.0f samples/s simulated, %.1f MB sent, %.1f s wall\n",
                  accuracy, t.throughput, t.bytes_sent / 1e6, run.wall_seconds);
    }
    std::printf("  outputs in %s/:", dir.string().c_str());
    for (const auto& f : files) std::printf(" %s", f.filename().string().c_str());
    std::printf("\n");
  }
  // A diverged run is reported even with --quiet: its exit status is 3.
  int code = 0;
  for (const RunResult& run : result.runs) {
    if (!run.totals.diverged_at_step) continue;
    std::fflush(stdout);
    std::cerr << "syncsim: " << scenario.name << '/' << run.label << ": " << run.totals.status
              << " (NaN or Inf in the training loss or parameters; lower the learning rate)\n";
    code = kExitDiverged;
  }
  // Every update not counted exactly once is a bug of syncsim's, not of the input.
  for (const RunResult& run : result.runs) {
    if (!accounting_broken(run)) continue;
    std::fflush(stdout);
    std::cerr << "syncsim: " << scenario.name << '/' << run.label << ": " << run.totals.status
              << " (a bug in syncsim: please report it)\n";
    code = 1;
  }
  return code;
}

}  // namespace app
