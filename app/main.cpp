// syncsim: the command line.
//
//   syncsim run SCENARIO.yaml [-o DIR] [--seed N] [--threads N] [--trace] [--events] [--links]
//   syncsim sweep SCENARIO.yaml [-o DIR] [--jobs N] [--shard I/N] [--collect]
//   syncsim validate SCENARIO.yaml
//   syncsim topology SCENARIO.yaml --dot [-o FILE]
//   syncsim check DIR_OR_FILES... [--junit FILE] [--update-golden] ...
//
// Exit codes: 0 success; 2 bad input (command line, scenario, data files,
// output folder); 3 a run diverged (NaN or Inf in the loss or parameters; its
// outputs are written, with the step in summary.csv's status column); 1 an
// internal error (a bug: please report it), or for `check`, any failed
// assertion.
#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <vector>

#include "algorithms/ml/data_error.h"
#include "app/check.h"
#include "app/check_report.h"
#include "app/config_node.h"
#include "app/outputs.h"
#include "app/progress.h"
#include "app/runner.h"
#include "app/scenario_loader.h"
#include "app/sweep_plan.h"
#include "app/sweep_runner.h"
#include "app/world.h"
#include "sim/simulator.h"
#include "sim/time.h"

namespace {

constexpr int kExitBadInput = 2;
constexpr int kExitInternal = 1;
constexpr int kExitCheckFailed = 1;  // `check`: an assertion failed
constexpr int kExitDiverged = 3;

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
  const fs::path probe = dir / ".syncsim-write-probe";
  const bool writable = static_cast<bool>(std::ofstream(probe)) && fs::exists(probe, ec);
  fs::remove(probe, ec);
  undo();
  if (!writable) {
    throw std::runtime_error("cannot write in output folder " + dir.string());
  }
}

// --quiet, --log-level, --progress: how much run and sweep say on stderr.
struct Verbosity {
  bool quiet = false;
  std::string level = "info";
  std::string progress = "auto";
  double progress_every = 0.0;
  app::LogLevel log_level() const {
    return quiet ? app::LogLevel::error : *app::parse_log_level(level);
  }
};

void add_verbosity(CLI::App* command, Verbosity& v) {
  command->add_flag("-q,--quiet", v.quiet, "Errors only: no progress, no result lines");
  command->add_option("--log-level", v.level, "error, warn, info (default) or debug")
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}));
  command
      ->add_option("--progress", v.progress,
                   "auto (default: a live line on a terminal, else a line every 30 s), live, "
                   "plain or never")
      ->check(CLI::IsMember({"auto", "live", "plain", "never"}));
  command
      ->add_option("--progress-every", v.progress_every,
                   "Seconds between progress updates (default 0.25 live, 30 plain)")
      ->check(CLI::PositiveNumber);
}

int run_command(const std::string& scenario_path, const std::string& out_dir,
                std::optional<std::uint64_t> seed, int threads, const app::OutputsSpec& extra,
                const Verbosity& verbosity) {
  if (!app::SweepPlan::load_file(scenario_path, seed).axes().empty()) {
    std::cerr << scenario_path << ": has a 'sweep:' block: run it with 'syncsim sweep "
              << scenario_path << "'\n";
    return kExitBadInput;
  }
  app::Scenario scenario = app::load_scenario(scenario_path);
  if (seed) scenario.seed = *seed;
  scenario.math_threads = threads;
  scenario.outputs.trace = scenario.outputs.trace || extra.trace;
  scenario.outputs.events = scenario.outputs.events || extra.events;
  scenario.outputs.links = scenario.outputs.links || extra.links;
  const std::filesystem::path dir = out_dir.empty() ? std::filesystem::path("runs") / scenario.name
                                                    : std::filesystem::path(out_dir);
  try {
    check_output_folder(dir);
  } catch (const std::runtime_error& e) {
    std::cerr << "syncsim: " << e.what() << '\n';
    return kExitBadInput;
  }
  app::ProgressReporter progress(*app::parse_progress_mode(verbosity.progress),
                                 verbosity.log_level(), verbosity.progress_every);
  const app::ScenarioResult result = app::run_scenario(scenario, &progress);
  std::vector<std::filesystem::path> files;
  try {
    files = app::write_outputs(dir, result);
  } catch (const std::runtime_error& e) {
    std::cerr << "syncsim: " << e.what() << '\n';
    return kExitBadInput;
  }
  if (verbosity.log_level() >= app::LogLevel::info) {
    for (const app::RunResult& run : result.runs) {
      const algo::RunTotals& t = run.totals;
      std::printf("%s/%s: %d worker(s), stopped by %s at %.3f s simulated (%lld steps, %.2f epochs)\n",
                  scenario.name.c_str(), run.label.c_str(), run.workers, t.stop_reason.c_str(),
                  sim::to_seconds(t.time), static_cast<long long>(t.steps), t.epochs);
      char accuracy[64] = "no test accuracy (math: none)";
      if (t.evaluated) std::snprintf(accuracy, sizeof accuracy, "test accuracy %.4f", t.final_test_accuracy);
      std::printf("  %s, throughput %.0f samples/s simulated, %.1f MB sent, %.1f s wall\n",
                  accuracy, t.throughput, t.bytes_total / 1e6, run.wall_seconds);
    }
    std::printf("  CSVs in %s/:", dir.string().c_str());
    for (const auto& f : files) std::printf(" %s", f.filename().string().c_str());
    std::printf("\n");
  }
  // A diverged run is reported even with --quiet: its exit status is 3.
  int code = 0;
  for (const app::RunResult& run : result.runs) {
    if (!run.totals.diverged_at_step) continue;
    std::fflush(stdout);
    std::cerr << "syncsim: " << scenario.name << '/' << run.label << ": " << run.totals.status
              << " (NaN or Inf in the training loss or parameters; lower the learning rate)\n";
    code = kExitDiverged;
  }
  return code;
}

struct SweepArgs {
  std::string scenario_path, out_dir, shard = "1/1";
  std::optional<std::uint64_t> seed;
  int jobs = 1;
  bool collect = false;
  std::optional<std::size_t> point;  // internal: the point process's own point
};

// "2/5" -> {2, 5}; nullopt unless 1 <= i <= n.
std::optional<std::pair<int, int>> parse_shard(const std::string& text) {
  int i = 0, n = 0;
  char slash = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &i, &slash, &n, &extra) != 3 || slash != '/' || i < 1 ||
      n < 1 || i > n) {
    return std::nullopt;
  }
  return std::pair(i, n);
}

int sweep_command(const SweepArgs& a, const Verbosity& verbosity, const char* argv0) {
  const app::SweepPlan plan = app::SweepPlan::load_file(a.scenario_path, a.seed);
  const std::filesystem::path out = a.out_dir.empty()
                                        ? std::filesystem::path("runs") / plan.scenario(0).name
                                        : std::filesystem::path(a.out_dir);
  if (a.point) {
    if (*a.point >= plan.size()) {
      std::cerr << "syncsim: --point " << *a.point << ": the sweep has " << plan.size()
                << " points\n";
      return kExitBadInput;
    }
    try {
      app::run_point(plan, *a.point, out);
    } catch (const app::OutputError& e) {
      std::cerr << "syncsim: " << e.what() << '\n';
      return kExitBadInput;
    }
    return 0;
  }
  const auto shard = parse_shard(a.shard);
  if (!shard) {
    std::cerr << "syncsim: --shard: expected I/N with 1 <= I <= N, got '" << a.shard << "'\n";
    return kExitBadInput;
  }
  plan.validate_all();
  try {
    check_output_folder(out);
  } catch (const std::runtime_error& e) {
    std::cerr << "syncsim: " << e.what() << '\n';
    return kExitBadInput;
  }
  app::SweepOptions options;
  options.scenario_path = a.scenario_path;
  options.seed = a.seed;
  options.out = out;
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  options.self = ec ? std::string(argv0) : self.string();
  options.jobs = a.jobs;
  options.shard = shard->first;
  options.shards = shard->second;
  options.collect_only = a.collect;
  options.level = verbosity.log_level();
  return app::run_sweep(plan, options);
}

int validate_command(const std::string& scenario_path) {
  const app::SweepPlan plan = app::SweepPlan::load_file(scenario_path, std::nullopt);
  if (!plan.axes().empty()) {
    plan.validate_all();
    std::printf("%s: valid sweep of %zu points over %zu axes\n", scenario_path.c_str(), plan.size(),
                plan.axes().size());
    return 0;
  }
  const app::Scenario scenario = app::load_scenario(scenario_path);
  std::string labels;
  for (const app::AlgorithmChoice& a : scenario.algorithms) {
    labels += (labels.empty() ? "" : ", ") + a.label;
  }
  std::printf("%s: valid scenario '%s' (%s)\n", scenario_path.c_str(), scenario.name.c_str(),
              labels.c_str());
  return 0;
}

int topology_command(const std::string& scenario_path, const std::string& out_file) {
  const app::Scenario scenario = app::load_scenario(scenario_path);
  const topology::Topology topo = app::build_topology(scenario);
  if (out_file.empty()) {
    topo.write_graphviz(std::cout);
    return 0;
  }
  // Written whole or not at all, like the run outputs.
  const std::string temporary = out_file + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (out) topo.write_graphviz(out);
    if (!out) {
      std::remove(temporary.c_str());
      std::cerr << "syncsim: cannot write " << out_file << '\n';
      return kExitBadInput;
    }
  }
  if (std::rename(temporary.c_str(), out_file.c_str()) != 0) {
    std::remove(temporary.c_str());
    std::cerr << "syncsim: cannot write " << out_file << '\n';
    return kExitBadInput;
  }
  std::printf("%s: %d nodes, %d links -> %s\n", scenario.name.c_str(), topo.node_count(),
              topo.link_count(), out_file.c_str());
  return 0;
}

int check_command(const std::vector<std::string>& paths, const std::string& junit_file,
                  const app::CheckOptions& options) {
  // Every scenario is loaded before any runs: a typo in the last file should
  // not cost the runtime of the others.
  std::vector<app::Scenario> scenarios;
  int bad = 0;
  for (const std::string& path : app::collect_scenarios(paths)) {
    try {
      scenarios.push_back(app::load_scenario(path));
    } catch (const app::ScenarioError& e) {
      std::cerr << e.what() << '\n';
      ++bad;
    }
  }
  if (!options.out_dir.empty()) {
    std::set<std::string> names;
    for (const app::Scenario& s : scenarios) {
      if (!names.insert(s.name).second) {
        std::cerr << s.file << ": another scenario is also named '" << s.name
                  << "': --out would write both to one folder\n";
        ++bad;
      }
    }
  }
  if (bad > 0) return kExitBadInput;
  if (options.faults.flip_average_sign) {
    std::cerr << "syncsim check: TEST FAULT flip_average_sign injected: every average is negated, "
                 "results are deliberately wrong\n";
  }
  std::vector<app::ScenarioCheck> checks;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    std::cerr << "[" << i + 1 << "/" << scenarios.size() << "] " << scenarios[i].file << '\n';
    checks.push_back(app::check_scenario(scenarios[i], options));
    for (const std::string& note : checks.back().notes) std::cout << note << '\n';
  }
  std::cout << app::format_report(checks);
  if (!junit_file.empty()) {
    try {
      app::write_file_atomically(junit_file, app::junit_xml(checks));
    } catch (const std::runtime_error& e) {
      std::cerr << "syncsim: " << e.what() << '\n';
      return kExitBadInput;
    }
    std::cout << "JUnit XML in " << junit_file << '\n';
  }
  bool failed = false;
  for (const app::ScenarioCheck& c : checks) {
    if (c.bad_input) return kExitBadInput;
    failed = failed || !c.error.empty() || c.failures() > 0;
  }
  return failed ? kExitCheckFailed : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"syncsim: a deterministic simulator of distributed deep-learning clusters"};
  cli.require_subcommand(1);

  std::string scenario_path, out_dir;
  std::optional<std::uint64_t> seed;
  CLI::App* run = cli.add_subcommand("run", "Run a scenario and write its CSV outputs");
  run->add_option("scenario", scenario_path, "Scenario YAML file")->required();
  run->add_option("-o,--out", out_dir, "Output folder (default: runs/<scenario name>)");
  // A validator on the text: CLI11 reads integers with strtoull base 0, so
  // "-1" would wrap to 2^64 - 1 and "010" would be octal.
  run->add_option("--seed", seed, "Override the scenario's root seed")
      ->check([](const std::string& text) {
        std::uint64_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        return ec == std::errc() && end == text.data() + text.size()
                   ? std::string()
                   : "expected a decimal integer from 0 to 18446744073709551615, got '" + text +
                         "'";
      });
  int threads = algo::MathPool::hardware_threads();
  run->add_option("--threads", threads,
                  "Host threads for the workers' math (default: all hardware threads); "
                  "outputs are byte-identical for every value")
      ->check(CLI::Range(1, 1024));
  app::OutputsSpec extra;  // the scenario's `outputs:` keys, from the command line
  run->add_flag("--trace", extra.trace, "Also write trace.json (as outputs: {trace: true})");
  run->add_flag("--events", extra.events, "Also write events.csv (as outputs: {events: true})");
  run->add_flag("--links", extra.links, "Also write links.csv (as outputs: {links: true})");
  Verbosity verbosity;
  add_verbosity(run, verbosity);

  SweepArgs sweep_args;
  CLI::App* sweep = cli.add_subcommand(
      "sweep", "Run every point of a scenario's sweep: block, collect summary.csv");
  sweep->add_option("scenario", sweep_args.scenario_path, "Scenario YAML file with a sweep: block")
      ->required();
  sweep->add_option("-o,--out", sweep_args.out_dir,
                    "Output folder (default: runs/<scenario name>)");
  sweep->add_option("--seed", sweep_args.seed, "Override the scenario's root seed (every point)");
  sweep->add_option("-j,--jobs", sweep_args.jobs, "Points run at a time (default 1)")
      ->check(CLI::Range(1, 4096));
  sweep->add_option("--shard", sweep_args.shard,
                    "Run only shard I of N: the points p with p % N == I - 1 (default 1/1)");
  sweep->add_flag("--collect", sweep_args.collect,
                  "Run nothing: write summary.csv once every point is complete");
  sweep->add_option("--point", sweep_args.point, "(internal) run one point in this process")
      ->group("");
  add_verbosity(sweep, verbosity);

  std::string validate_path;
  CLI::App* validate = cli.add_subcommand("validate", "Check a scenario without running it");
  validate->add_option("scenario", validate_path, "Scenario YAML file")->required();

  std::string topology_path, dot_file;
  bool dot = false;
  CLI::App* topo = cli.add_subcommand("topology", "Write a scenario's network as Graphviz DOT");
  topo->add_option("scenario", topology_path, "Scenario YAML file")->required();
  topo->add_flag("--dot", dot, "DOT output (the only format; render with `dot -Tsvg`)")->required();
  topo->add_option("-o,--out", dot_file, "Output file (default: standard output)");

  std::vector<std::string> check_paths;
  std::string junit_file, check_out, test_fault;
  app::CheckOptions check_options;
  CLI::App* check = cli.add_subcommand(
      "check", "Run scenarios, evaluate their expect: assertions and golden summaries");
  check->add_option("scenarios", check_paths, "Scenario files or folders (searched recursively)")
      ->required();
  check->add_option("--junit", junit_file, "Write a JUnit XML report to this file");
  check->add_flag("--update-golden", check_options.update_golden,
                  "Write each scenario's SCENARIO.golden.csv from this run instead of comparing");
  check->add_flag("--require-golden", check_options.require_golden,
                  "Fail a scenario that has no golden summary");
  check->add_option("--golden-rtol", check_options.golden_rtol,
                    "Relative tolerance for numbers in golden comparisons (default 0: exact)")
      ->check(CLI::Range(0.0, 1.0));
  check->add_option("-o,--out", check_out, "Keep each scenario's CSVs in DIR/<name>");
  // Test-only: proves the regression suite catches a broken algorithm. Hidden
  // from --help (empty group) and reachable only by typing it here.
  check->add_option("--test-fault", test_fault)->group("")->check(
      CLI::IsMember({"flip_average_sign"}));

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    cli.exit(e);
    return kExitBadInput;
  }

  try {
    if (*run) return run_command(scenario_path, out_dir, seed, threads, extra, verbosity);
    if (*sweep) return sweep_command(sweep_args, verbosity, argv[0]);
    if (*topo) return topology_command(topology_path, dot_file);
    if (*check) {
      check_options.out_dir = check_out;
      check_options.faults.flip_average_sign = test_fault == "flip_average_sign";
      return check_command(check_paths, junit_file, check_options);
    }
    return validate_command(validate_path);
  } catch (const app::ScenarioError& e) {
    std::cerr << e.what() << '\n';
    return kExitBadInput;
  } catch (const ml::DataError& e) {
    std::cerr << "syncsim: " << e.what() << '\n';
    return kExitBadInput;
  } catch (const sim::ProcessError& e) {
    // A step or transfer longer than simulated time can hold comes from the
    // scenario's numbers (a tiny FLOP rate or bandwidth), not from a bug.
    try {
      if (e.cause()) std::rethrow_exception(e.cause());
    } catch (const sim::TimeOverflow& overflow) {
      std::cerr << "syncsim: " << overflow.what() << " in process '" << e.process()
                << "': check cluster.*.flops, topology bandwidths, model.layers and batch_size\n";
      return kExitBadInput;
    } catch (...) {
    }
    std::cerr << "syncsim: internal error: " << e.what() << '\n';
    return kExitInternal;
  } catch (const std::bad_alloc&) {
    std::cerr << "syncsim: out of memory: the scenario needs more memory than this machine has "
                 "(fewer or smaller nodes, a smaller model or less data)\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "syncsim: internal error: " << e.what() << '\n';
    return kExitInternal;
  }
}
