#include "app/replicate_runner.h"

#include <chrono>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "app/child_process.h"
#include "run/replicate_stats.h"
#include "run/replicates.h"
#include "run/run.h"

namespace app {
namespace fs = std::filesystem;
namespace {

struct Outcome {
  std::vector<ReplicateFiles> files;  // in replicate order
  int code = 0;                       // 0, or 3 if a replicate diverged
};

Outcome run_in_process(const Scenario& scenario, const ReplicateRunOptions& o) {
  ProgressReporter progress(*parse_progress_mode(o.verbosity.progress), o.verbosity.log_level(),
                            o.verbosity.progress_every);
  RunOptions options;
  options.progress = progress.callback();
  options.math_threads = o.threads;
  Outcome outcome;
  for (int r = 0; r < scenario.replicates; ++r) {
    const ScenarioResult result = syncsim::run(replicate_scenario(scenario, r), options);
    for (const RunResult& run : result.runs) {
      if (!run.totals.diverged_at_step) continue;
      std::fflush(stdout);
      std::cerr << "syncsim: " << scenario.name << '/' << run.label << " seed "
                << result.scenario.seed << ": " << run.totals.status
                << " (NaN or Inf in the training loss or parameters; lower the learning rate)\n";
      outcome.code = kExitDiverged;
    }
    outcome.files.push_back({result.scenario.seed, output_files(result)});
  }
  return outcome;
}

// A fresh folder for the workers' outputs, beside the output folder.
fs::path make_work_folder(const OutputFolder& folder) {
  const fs::path parent = folder.dir().parent_path();
  const std::string base = "." + folder.dir().filename().string() + ".replicates-";
  for (int attempt = 0; attempt < 100; ++attempt) {
    const fs::path path =
        parent / (base + std::to_string(::getpid()) + "." + std::to_string(attempt));
    std::error_code ec;
    if (fs::create_directory(path, ec) && !ec) return path;
  }
  throw std::runtime_error("cannot create a folder for the replicates in " + parent.string());
}

std::vector<OutputFile> read_outputs(const fs::path& dir) {
  std::vector<OutputFile> files;
  for (const std::string& name : output_file_names()) {
    if (name == "run.json") continue;  // the worker's own; the merged folder gets one of its own
    std::ifstream in(dir / name, std::ios::binary);
    if (!in) continue;
    std::ostringstream text;
    text << in.rdbuf();
    files.emplace_back(name, text.str());
  }
  return files;
}

Outcome run_in_processes(const Scenario& scenario, const ReplicateRunOptions& o,
                         const fs::path& work) {
  const int threads = std::max(1, o.threads / o.jobs);
  const LogLevel level = o.verbosity.log_level();
  auto folder_of = [&](int r) {
    return work / ("seed-" + std::to_string(replicate_seed(scenario.seed, r)));
  };
  std::map<pid_t, int> running;  // pid -> replicate
  Outcome outcome;
  int next = 0, finished = 0, failed = 0;
  while (next < scenario.replicates || !running.empty()) {
    while (failed == 0 && next < scenario.replicates && static_cast<int>(running.size()) < o.jobs) {
      const std::string seed = std::to_string(replicate_seed(scenario.seed, next));
      std::vector<std::string> args = {o.self,
                                       "run",
                                       o.scenario_path,
                                       "-o",
                                       folder_of(next).string(),
                                       "--seed",
                                       seed,
                                       "--replicates",
                                       "1",
                                       "--threads",
                                       std::to_string(threads),
                                       "--quiet"};
      if (o.extra.trace) args.push_back("--trace");
      if (o.extra.events) args.push_back("--events");
      if (o.extra.links) args.push_back("--links");
      running[spawn_logged(o.self, std::move(args), work / ("seed-" + seed + ".log"))] = next;
      ++next;
    }
    if (running.empty()) break;
    const ChildExit exit = wait_any_child();
    const auto it = running.find(exit.pid);
    if (it == running.end()) continue;  // not ours
    const int r = it->second;
    running.erase(it);
    ++finished;
    const std::uint64_t seed = replicate_seed(scenario.seed, r);
    const fs::path log = work / ("seed-" + std::to_string(seed) + ".log");
    if (exit.code == kExitDiverged) {
      std::cerr << "syncsim: seed " << seed << ": " << last_line(log) << '\n';
      outcome.code = kExitDiverged;
    } else if (exit.code != 0) {
      std::cerr << "syncsim: replicate with seed " << seed << " failed (" << exit.why
                << "): " << last_line(log) << '\n';
      if (failed++ == 0) outcome.code = exit.code == kExitBadInput ? kExitBadInput : kExitInternal;
      continue;
    }
    if (level >= LogLevel::info) {
      std::fprintf(stderr, "replicates: [%d/%d] seed %llu done\n", finished, scenario.replicates,
                   static_cast<unsigned long long>(seed));
    }
  }
  if (failed > 0) return outcome;
  for (int r = 0; r < scenario.replicates; ++r) {
    outcome.files.push_back({replicate_seed(scenario.seed, r), read_outputs(folder_of(r))});
  }
  return outcome;
}

// One block per algorithm: mean +- the 95% half-width over the seeds.
void print_summary(const Scenario& scenario, const std::vector<OutputFile>& files) {
  SummaryTable summary;
  for (const OutputFile& f : files) {
    if (f.first == "summary.csv") summary = read_summary_table(f.second);
  }
  const std::vector<MetricStats> stats = summary_stats(summary);
  auto value = [&](const std::string& label, const char* metric, double scale, const char* format) {
    const MetricStats* m = find_stats(stats, label, metric);
    if (m == nullptr) return std::string("-");
    char text[96];
    std::snprintf(text, sizeof text, format, m->interval.mean * scale,
                  m->interval.half_width * scale);
    return std::string(text);
  };
  const std::uint64_t last = replicate_seed(scenario.seed, scenario.replicates - 1);
  std::printf("%s: %d replicates (seeds %llu to %llu); mean +- 95%% half-width (Student t)\n",
              scenario.name.c_str(), scenario.replicates,
              static_cast<unsigned long long>(scenario.seed),
              static_cast<unsigned long long>(last));
  for (const AlgorithmChoice& a : scenario.algorithms) {
    std::printf("  %s: test accuracy %s, %s s simulated, throughput %s samples/s, %s MB sent\n",
                a.label.c_str(), value(a.label, "final_test_accuracy", 1, "%.4f +- %.4f").c_str(),
                value(a.label, "sim_time_s", 1, "%.3f +- %.3f").c_str(),
                value(a.label, "throughput_samples_per_s", 1, "%.0f +- %.0f").c_str(),
                value(a.label, "bytes_sent", 1e-6, "%.1f +- %.1f").c_str());
  }
}

}  // namespace

namespace {

// Merges the replicates' files in replicate order, adds run.json, publishes
// them into `folder` and prints the summary. Returns `code`, or 2 if the
// folder cannot be written.
int publish_merged(const Scenario& scenario, OutputFolder& folder,
                   const ReplicateRunOptions& options, const Outcome& outcome) {
  std::vector<OutputFile> files = merge_replicates(scenario, outcome.files);
  RunRecord record = options.record;
  record.wall_seconds =
      std::chrono::duration<double>(std::chrono::system_clock::now() - record.start).count();
  const int threads = std::max(1, options.threads / std::max(1, options.jobs));
  files.push_back({"run.json", run_json(record, scenario, threads)});
  std::vector<fs::path> published;
  try {
    folder.stage(files);
    published = folder.publish();
  } catch (const std::runtime_error& e) {
    std::cerr << "syncsim: " << e.what() << '\n';
    return kExitBadInput;
  }
  if (options.verbosity.log_level() >= LogLevel::info) {
    print_summary(scenario, files);
    std::printf("  outputs in %s/:", options.out_dir.string().c_str());
    for (const auto& f : published) std::printf(" %s", f.filename().string().c_str());
    std::printf("\n");
  }
  return outcome.code;
}

}  // namespace

int run_replicated(const Scenario& scenario, OutputFolder& folder,
                   const ReplicateRunOptions& options) {
  Outcome outcome;
  if (options.jobs <= 1) {
    outcome = run_in_process(scenario, options);
  } else {
    const fs::path work = make_work_folder(folder);
    try {
      outcome = run_in_processes(scenario, options, work);
    } catch (...) {
      std::error_code ec;
      fs::remove_all(work, ec);
      throw;
    }
    std::error_code ec;
    fs::remove_all(work, ec);
    if (outcome.files.empty()) return outcome.code;
  }
  return publish_merged(scenario, folder, options, outcome);
}

int collect_replicated(const Scenario& scenario, OutputFolder& folder,
                       const ReplicateRunOptions& options, const fs::path& from) {
  Outcome outcome;
  for (int r = 0; r < scenario.replicates; ++r) {
    const std::uint64_t seed = replicate_seed(scenario.seed, r);
    const fs::path dir = from / ("seed-" + std::to_string(seed));
    std::error_code ec;
    if (!fs::exists(dir / "run.json", ec)) {  // published last-or-never with the others
      std::cerr << "replicates: cannot collect: replicate " << r << " (seed " << seed
                << ") is not complete in " << dir.string() << '\n';
      return kExitInternal;
    }
    outcome.files.push_back({seed, read_outputs(dir)});
  }
  return publish_merged(scenario, folder, options, outcome);
}

}  // namespace app
