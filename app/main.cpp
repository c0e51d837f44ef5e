// syncsim: the command line.
//
//   syncsim run SCENARIO.yaml [-o DIR] [--seed N]
//   syncsim validate SCENARIO.yaml
//   syncsim topology SCENARIO.yaml --dot [-o FILE]
//
// Exit codes: 0 success; 2 bad input (command line, scenario, data files,
// output folder); 3 a run diverged (NaN or Inf in the loss or parameters; its
// outputs are written, with the step in summary.csv's status column); 1 an
// internal error (a bug: please report it).
#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include "algorithms/ml/data_error.h"
#include "app/config_node.h"
#include "app/outputs.h"
#include "app/runner.h"
#include "app/scenario_loader.h"
#include "app/world.h"
#include "sim/simulator.h"
#include "sim/time.h"

namespace {

constexpr int kExitBadInput = 2;
constexpr int kExitInternal = 1;
constexpr int kExitDiverged = 3;

// Fails fast, before a long run, if `dir` can never become the output folder:
// it, or its nearest existing ancestor, is not a folder. Creates nothing, so a
// run that fails later leaves no empty folder behind; write_outputs still
// reports the errors this cannot foresee (permissions, a full disk).
void check_output_folder(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path existing = std::filesystem::absolute(dir, ec);
  while (!ec && !std::filesystem::exists(existing, ec) && existing.has_relative_path()) {
    existing = existing.parent_path();
  }
  if (!ec && std::filesystem::exists(existing, ec) &&
      !std::filesystem::is_directory(existing, ec)) {
    throw std::runtime_error("cannot create output folder " + dir.string() + ": " +
                             existing.string() + " is not a folder");
  }
}

int run_command(const std::string& scenario_path, const std::string& out_dir,
                std::optional<std::uint64_t> seed) {
  app::Scenario scenario = app::load_scenario(scenario_path);
  if (seed) scenario.seed = *seed;
  const std::filesystem::path dir = out_dir.empty() ? std::filesystem::path("runs") / scenario.name
                                                    : std::filesystem::path(out_dir);
  try {
    check_output_folder(dir);
  } catch (const std::runtime_error& e) {
    std::cerr << "syncsim: " << e.what() << '\n';
    return kExitBadInput;
  }
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

  std::string validate_path;
  CLI::App* validate = cli.add_subcommand("validate", "Check a scenario without running it");
  validate->add_option("scenario", validate_path, "Scenario YAML file")->required();

  std::string topology_path, dot_file;
  bool dot = false;
  CLI::App* topo = cli.add_subcommand("topology", "Write a scenario's network as Graphviz DOT");
  topo->add_option("scenario", topology_path, "Scenario YAML file")->required();
  topo->add_flag("--dot", dot, "DOT output (the only format; render with `dot -Tsvg`)")->required();
  topo->add_option("-o,--out", dot_file, "Output file (default: standard output)");

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
