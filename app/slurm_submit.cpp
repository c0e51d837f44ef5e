#include "app/slurm_submit.h"

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "app/child_process.h"
#include "app/sweep_runner.h"
#include "run/safe_file.h"

namespace app {
namespace fs = std::filesystem;
namespace {

constexpr int kBadInput = 2;

int refuse(const std::string& message) {
  std::fprintf(stderr, "syncsim: %s\n", message.c_str());
  return kBadInput;
}

struct Sbatch {
  bool ok = false;
  std::string output;  // sbatch's stdout and stderr
};

// Runs `sbatch --parsable [extra...] script`, its output in OUT/slurm/sbatch.log.
Sbatch run_sbatch(const std::string& sbatch, std::vector<std::string> extra, const fs::path& script,
                  const fs::path& log) {
  std::vector<std::string> args = {sbatch, "--parsable"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(script.string());
  std::error_code ec;
  fs::remove(log, ec);  // the previous submission's; spawn_logged creates it exclusively
  const pid_t pid = spawn_logged(sbatch, std::move(args), log);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::ifstream in(log, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return {WIFEXITED(status) && WEXITSTATUS(status) == 0, text.str()};
}

}  // namespace

std::optional<std::string> slurm_flags_error(const SweepArgs& a, bool slurm) {
  if (!slurm) {
    if (a.slurm_tasks) return std::string("--slurm-tasks goes with --slurm");
    if (!a.slurm_options.empty()) return std::string("--slurm-option goes with --slurm");
    return std::nullopt;
  }
  const char* other = a.collect          ? "--collect"
                      : a.force          ? "--force"
                      : a.shard != "1/1" ? "--shard"
                                         : nullptr;
  if (!other) return std::nullopt;
  return std::string(
             "--slurm submits every shard of the sweep and a collect job: it does not go "
             "with ") +
         other;
}

SlurmSweep slurm_sweep_of(const SweepPlan& plan, const SweepArgs& a, const fs::path& out,
                          const Verbosity& verbosity, const Invocation& invocation) {
  SlurmSweep s;
  std::error_code ec;
  s.self = self_binary(invocation.command_line.at(0).c_str());
  s.scenario_path = fs::absolute(a.scenario_path, ec).lexically_normal().string();
  s.out = fs::absolute(out, ec).lexically_normal().string();
  while (s.out.size() > 1 && s.out.back() == '/') s.out.pop_back();
  s.job_name = plan.scenario(0).name;
  s.seed = a.seed;
  s.max_memory = a.max_memory_text;
  if (verbosity.quiet) s.log_flags.push_back("-q");
  if (verbosity.level != "info") {
    s.log_flags.insert(s.log_flags.end(), {"--log-level", verbosity.level});
  }
  s.jobs = a.jobs;
  return s;
}

std::optional<std::string> find_on_path(const std::string& name, const std::string& path_list) {
  std::size_t start = 0;
  while (start <= path_list.size()) {
    const std::size_t colon = std::min(path_list.find(':', start), path_list.size());
    const std::string dir = path_list.substr(start, colon - start);
    start = colon + 1;
    if (dir.empty()) continue;  // the working directory: not where sbatch is looked for
    const fs::path candidate = fs::path(dir) / name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
  }
  return std::nullopt;
}

std::optional<std::string> prepare_slurm(const std::vector<std::string>& options,
                                         const std::vector<std::string>& directive_texts,
                                         bool dry_run, int& exit_code) {
  exit_code = 0;
  for (const std::string& option : options) {
    if (const auto error = slurm_option_error(option)) {
      exit_code = refuse("--slurm-option: " + *error);
      return std::nullopt;
    }
  }
  for (const std::string& text : directive_texts) {
    if (const auto error = slurm_path_error(text)) {
      exit_code = refuse("--slurm: " + *error);
      return std::nullopt;
    }
  }
  if (dry_run) return std::string();
  const char* path = std::getenv("PATH");
  std::optional<std::string> sbatch = find_on_path("sbatch", path ? path : "");
  if (!sbatch) {
    exit_code = refuse(
        "--slurm: sbatch is not on PATH (is this a Slurm login node?); --slurm-dry-run "
        "writes the scripts without submitting them");
  }
  return sbatch;
}

int write_and_submit(const SlurmScripts& scripts, const std::string& sbatch) {
  const fs::path dir = scripts.out / "slurm";
  const fs::path array = dir / scripts.array_name, collect = dir / "collect.sh";
  try {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
    syncsim::write_file_atomically(array, scripts.array_text);
    syncsim::write_file_atomically(collect, scripts.collect_text);
  } catch (const std::runtime_error& e) {
    return refuse(e.what());
  }
  if (sbatch.empty()) {
    std::printf("slurm: wrote %s and %s (%s); nothing submitted\n", array.c_str(), collect.c_str(),
                scripts.what.c_str());
    return 0;
  }
  const fs::path log = dir / "sbatch.log";
  const Sbatch first = run_sbatch(sbatch, {}, array, log);
  const std::optional<std::string> array_id = first.ok ? sbatch_job_id(first.output) : std::nullopt;
  if (!array_id) return refuse("sbatch refused " + array.string() + ": " + last_line(log));
  const Sbatch second = run_sbatch(sbatch, {"--dependency=afterok:" + *array_id}, collect, log);
  const std::optional<std::string> collect_id =
      second.ok ? sbatch_job_id(second.output) : std::nullopt;
  if (!collect_id) {
    return refuse("array job " + *array_id + " is submitted, but sbatch refused " +
                  collect.string() + ": " + last_line(log) + " (once the array has ended, run " +
                  "the same command with --collect instead of --slurm)");
  }
  std::printf("slurm: array job %s (%s), collect job %s (after the array ends well)\n",
              array_id->c_str(), scripts.what.c_str(), collect_id->c_str());
  std::printf("slurm: logs in %s, outputs in %s\n", dir.c_str(), scripts.out.c_str());
  return 0;
}

std::vector<int> shards_to_run(const std::vector<std::size_t>& incomplete, int tasks) {
  std::vector<int> shards;
  for (const std::size_t p : incomplete) shards.push_back(static_cast<int>(p % tasks) + 1);
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  return shards;
}

int submit_sweep_to_slurm(const SweepPlan& plan, SlurmSweep sweep, const SlurmRequest& request) {
  int code = 0;
  const std::optional<std::string> sbatch =
      prepare_slurm(request.options, {sweep.out, sweep.job_name}, request.dry_run, code);
  if (!sbatch) return code;
  try {
    check_sweep_folder(plan, sweep.out);
  } catch (const std::invalid_argument& e) {
    return refuse(e.what());
  }
  const std::vector<std::size_t> incomplete = incomplete_points(plan, sweep.out);
  const int points = static_cast<int>(plan.size());
  sweep.tasks = std::min(request.tasks.value_or(kDefaultSlurmTasks), points);
  sweep.shards = shards_to_run(incomplete, sweep.tasks);
  sweep.options = request.options;
  const std::string what = std::to_string(incomplete.size()) + " of " + std::to_string(points) +
                           " points to run in " + std::to_string(sweep.shards.size()) + " of " +
                           std::to_string(sweep.tasks) + " shards";
  return write_and_submit(
      {sweep.out, "array.sh", slurm_array_script(sweep), slurm_collect_script(sweep), what},
      *sbatch);
}

}  // namespace app
