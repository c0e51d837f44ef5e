// syncsim sweep, validate, topology and check, and the mapping of errors to
// exit codes that every subcommand shares.
#include "app/commands.h"
#include "app/topology_dot.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <vector>

#include "algorithms/ml/data_error.h"
#include "app/check_report.h"
#include "app/child_process.h"
#include "app/cli_numbers.h"
#include "app/config_node.h"
#include "app/memory_budget.h"
#include "app/scenario_loader.h"
#include "app/slurm_submit.h"
#include "app/sweep_plan.h"
#include "app/sweep_runner.h"
#include "app/units.h"
#include "run/outputs.h"
#include "run/resource_estimate.h"
#include "run/world.h"
#include "sim/simulator.h"
#include "sim/time.h"

namespace app {

int sweep_command(const SweepArgs& a, const Verbosity& verbosity, const Invocation& invocation) {
  const SweepPlan plan = SweepPlan::load_file(a.scenario_path, a.seed);
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
      run_point(plan, *a.point, out, a.max_memory, invocation.command_line, invocation.start);
    } catch (const OutputError& e) {
      std::cerr << "syncsim: " << e.what() << '\n';
      return kExitBadInput;
    }
    return 0;
  }
  const auto shard = parse_shard(a.shard);
  if (!shard) {
    std::cerr << "syncsim: --shard: expected I/N with 1 <= I <= N <= " << kMaxShards << ", got '"
              << a.shard << "'\n";
    return kExitBadInput;
  }
  const bool slurm = a.slurm || a.slurm_dry_run;
  if (const auto error = slurm_flags_error(a, slurm)) {
    std::cerr << "syncsim: " << *error << '\n';
    return kExitBadInput;
  }
  if (a.force && (a.collect || shard->second != 1)) {
    std::cerr << "syncsim: --force clears every point of the sweep: it does not go with "
              << (a.collect ? "--collect" : "--shard")
              << " (clear the folder, then run the shards)\n";
    return kExitBadInput;
  }
  plan.validate_all(a.max_memory);
  try {
    check_output_folder(out);
  } catch (const std::runtime_error& e) {
    std::cerr << "syncsim: " << e.what() << '\n';
    return kExitBadInput;
  }
  if (slurm) {
    if (!incomplete_points(plan, out).empty()) {
      return submit_sweep_to_slurm(plan, slurm_sweep_of(plan, a, out, verbosity, invocation),
                                   {a.slurm_dry_run, a.slurm_tasks, a.slurm_options});
    }
    std::cerr << "sweep: every point is complete: nothing to submit to Slurm\n";
  }
  SweepOptions options;
  options.scenario_path = a.scenario_path;
  options.seed = a.seed;
  options.out = out;
  options.self = self_binary(invocation.command_line.at(0).c_str());
  options.jobs = a.jobs;
  options.shard = shard->first;
  options.shards = shard->second;
  options.collect_only = a.collect || slurm;
  options.force = a.force;
  options.level = verbosity.log_level();
  options.max_memory = a.max_memory_text;
  return run_sweep(plan, options);
}

int validate_command(const std::string& scenario_path, double max_memory) {
  const SweepPlan plan = SweepPlan::load_file(scenario_path, std::nullopt);
  if (!plan.axes().empty()) {
    plan.validate_all(max_memory);
    std::printf("%s: valid sweep of %zu points over %zu axes\n", scenario_path.c_str(), plan.size(),
                plan.axes().size());
    return 0;
  }
  const Scenario scenario = load_scenario(scenario_path);
  std::string labels;
  for (const AlgorithmChoice& a : scenario.algorithms) {
    labels += (labels.empty() ? "" : ", ") + a.label;
  }
  check_memory_budget(scenario, max_memory);
  std::string replicates;
  if (scenario.replicates > 1) {
    replicates =
        ", " + std::to_string(scenario.replicates) + " replicates (seeds " +
        std::to_string(scenario.seed) + " to " +
        std::to_string(scenario.seed + static_cast<std::uint64_t>(scenario.replicates - 1)) + ")";
  }
  std::printf("%s: valid scenario '%s' (%s)%s\n", scenario_path.c_str(), scenario.name.c_str(),
              labels.c_str(), replicates.c_str());
  const ResourceEstimate e = estimate_resources(scenario);
  std::printf("  estimated peak memory %s (budget %s), outputs %s, %.3g s simulated\n",
              format_bytes(e.peak_bytes()).c_str(), format_bytes(max_memory).c_str(),
              format_bytes(e.output_bytes).c_str(), e.sim_seconds);
  return 0;
}

int topology_command(const std::string& scenario_path, const std::string& out_file) {
  const Scenario scenario = load_scenario(scenario_path);
  const topology::Topology topo = build_topology(scenario);
  if (out_file.empty()) {
    write_topology_dot(std::cout, scenario, topo);
    return 0;
  }
  // Written whole or not at all, never through a link or onto a device.
  try {
    std::ostringstream dot;
    write_topology_dot(dot, scenario, topo);
    write_file_atomically(out_file, dot.str());
  } catch (const std::runtime_error& e) {
    std::cerr << "syncsim: " << e.what() << '\n';
    return kExitBadInput;
  }
  std::printf("%s: %d nodes, %d links -> %s\n", scenario.name.c_str(), topo.node_count(),
              topo.link_count(), out_file.c_str());
  return 0;
}

int check_command(const std::vector<std::string>& paths, const std::string& junit_file,
                  const CheckOptions& options) {
  // Every scenario is loaded before any runs: a typo in the last file should
  // not cost the runtime of the others.
  std::vector<Scenario> scenarios;
  int bad = 0;
  for (const std::string& path : collect_scenarios(paths)) {
    try {
      scenarios.push_back(load_scenario(path));
      if (options.max_memory > 0) check_memory_budget(scenarios.back(), options.max_memory);
    } catch (const ScenarioError& e) {
      std::cerr << e.what() << '\n';
      ++bad;
    }
  }
  if (!options.out_dir.empty()) {
    std::set<std::string> names;
    for (const Scenario& s : scenarios) {
      if (!names.insert(s.name).second) {
        std::cerr << s.file << ": another scenario is also named '" << s.name
                  << "': --out would write both to one folder\n";
        ++bad;
      }
    }
  }
  if (!junit_file.empty()) {
    try {
      require_replaceable_file(junit_file);  // before the runs, not after them
    } catch (const std::runtime_error& e) {
      std::cerr << "syncsim: " << e.what() << '\n';
      ++bad;
    }
  }
  if (bad > 0) return kExitBadInput;
  if (options.faults.flip_average_sign) {
    std::cerr << "syncsim check: TEST FAULT flip_average_sign injected: every average is negated, "
                 "results are deliberately wrong\n";
  }
  if (options.faults.vanish_update) {
    std::cerr << "syncsim check: TEST FAULT vanish_update injected: one update disappears in "
                 "flight unrecorded, the accounting is deliberately wrong\n";
  }
  std::vector<ScenarioCheck> checks;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    std::cerr << "[" << i + 1 << "/" << scenarios.size() << "] " << scenarios[i].file << '\n';
    checks.push_back(check_scenario(scenarios[i], options));
    for (const std::string& note : checks.back().notes) std::cout << note << '\n';
  }
  std::cout << format_report(checks);
  if (!junit_file.empty()) {
    try {
      write_file_atomically(junit_file, junit_xml(checks));
    } catch (const std::runtime_error& e) {
      std::cerr << "syncsim: " << e.what() << '\n';
      return kExitBadInput;
    }
    std::cout << "JUnit XML in " << junit_file << '\n';
  }
  bool failed = false;
  for (const ScenarioCheck& c : checks) {
    if (c.bad_input) return kExitBadInput;
    failed = failed || !c.error.empty() || c.failures() > 0;
  }
  return failed ? kExitCheckFailed : 0;
}

int exit_code_of(const std::function<int()>& command) {
  try {
    return command();
  } catch (const ScenarioError& e) {
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

}  // namespace app
