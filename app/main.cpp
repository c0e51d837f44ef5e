// syncsim: the command line.
//
//   syncsim run SCENARIO.yaml [-o DIR] [--seed N]
//   syncsim validate SCENARIO.yaml
//   syncsim topology SCENARIO.yaml --dot [-o FILE]
//   syncsim check DIR_OR_FILES... [--junit FILE] [--update-golden] ...
//
// Exit codes: 0 success; 2 bad input (command line, scenario, data files,
// output folder); 1 an internal error (a bug: please report it), or for
// `check`, any failed assertion.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>

#include "algorithms/ml/data_error.h"
#include "app/check.h"
#include "app/check_report.h"
#include "app/config_node.h"
#include "app/outputs.h"
#include "app/runner.h"
#include "app/scenario_loader.h"
#include "app/world.h"

namespace {

constexpr int kExitBadInput = 2;
constexpr int kExitInternal = 1;
constexpr int kExitCheckFailed = 1;  // `check`: an assertion failed

int run_command(const std::string& scenario_path, const std::string& out_dir,
                std::optional<std::uint64_t> seed) {
  app::Scenario scenario = app::load_scenario(scenario_path);
  if (seed) scenario.seed = *seed;
  const std::filesystem::path dir = out_dir.empty() ? std::filesystem::path("runs") / scenario.name
                                                    : std::filesystem::path(out_dir);
  const app::ScenarioResult result = app::run_scenario(scenario);
  std::vector<std::filesystem::path> files;
  try {
    files = app::write_outputs(dir, result);
  } catch (const std::runtime_error& e) {
    std::cerr << "syncsim: " << e.what() << '\n';
    return kExitBadInput;
  }
  for (const app::RunResult& run : result.runs) {
    const algo::RunTotals& t = run.totals;
    std::printf("%s/%s: %d worker(s), stopped by %s at %.3f s simulated (%lld steps, %.2f epochs)\n",
                scenario.name.c_str(), run.label.c_str(), run.workers, t.stop_reason.c_str(),
                sim::to_seconds(t.time), static_cast<long long>(t.steps), t.epochs);
    std::printf("  test accuracy %.4f, throughput %.0f samples/s simulated, %.1f MB sent, "
                "%.1f s wall\n",
                t.final_test_accuracy, t.throughput, t.bytes_total / 1e6, run.wall_seconds);
  }
  std::printf("  CSVs in %s/:", dir.string().c_str());
  for (const auto& f : files) std::printf(" %s", f.filename().string().c_str());
  std::printf("\n");
  return 0;
}

int validate_command(const std::string& scenario_path) {
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
  run->add_option("--seed", seed, "Override the scenario's root seed");

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
    if (*run) return run_command(scenario_path, out_dir, seed);
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
  } catch (const std::exception& e) {
    std::cerr << "syncsim: internal error: " << e.what() << '\n';
    return kExitInternal;
  }
}
