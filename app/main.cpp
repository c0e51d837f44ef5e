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
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/cli_numbers.h"
#include "app/commands.h"

namespace {

void add_verbosity(CLI::App* command, app::Verbosity& v) {
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

// Integer flags read the one way (app/cli_numbers.h): decimal digits in
// [min, max], rewritten without leading zeros so that CLI11's own conversion
// (strtoull base 0, where "010" is octal) sees the decimal value.
CLI::Validator decimal(std::uint64_t min, std::uint64_t max) {
  const std::string range = std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [min, max, range](std::string& text) {
        const std::optional<std::uint64_t> value = app::parse_decimal(text, min, max);
        if (!value) return "expected a decimal integer from " + range + ", got '" + text + "'";
        text = std::to_string(*value);
        return std::string();
      },
      "INT " + range);
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
  run->add_option("--seed", seed, "Override the scenario's root seed")
      ->transform(decimal(0, UINT64_MAX));
  int threads = algo::MathPool::hardware_threads();
  run->add_option("--threads", threads,
                  "Host threads for the workers' math (default: all hardware threads); "
                  "outputs are byte-identical for every value")
      ->transform(decimal(1, 1024));
  app::OutputsSpec extra;  // the scenario's `outputs:` keys, from the command line
  run->add_flag("--trace", extra.trace, "Also write trace.json (as outputs: {trace: true})");
  run->add_flag("--events", extra.events, "Also write events.csv (as outputs: {events: true})");
  run->add_flag("--links", extra.links, "Also write links.csv (as outputs: {links: true})");
  app::Verbosity verbosity;
  add_verbosity(run, verbosity);

  app::SweepArgs sweep_args;
  CLI::App* sweep = cli.add_subcommand(
      "sweep", "Run every point of a scenario's sweep: block, collect summary.csv");
  sweep->add_option("scenario", sweep_args.scenario_path, "Scenario YAML file with a sweep: block")
      ->required();
  sweep->add_option("-o,--out", sweep_args.out_dir,
                    "Output folder (default: runs/<scenario name>)");
  sweep->add_option("--seed", sweep_args.seed, "Override the scenario's root seed (every point)")
      ->transform(decimal(0, UINT64_MAX));
  sweep->add_option("-j,--jobs", sweep_args.jobs, "Points run at a time (default 1)")
      ->transform(decimal(1, 4096));
  sweep->add_option("--shard", sweep_args.shard,
                    "Run only shard I of N: the points p with p % N == I - 1 (default 1/1)");
  sweep->add_flag("--collect", sweep_args.collect,
                  "Run nothing: write summary.csv once every point is complete");
  sweep->add_option("--point", sweep_args.point, "(internal) run one point in this process")
      ->transform(decimal(0, app::kMaxShards))
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
    return app::kExitBadInput;
  }

  return app::exit_code_of([&] {
    if (*run) return app::run_command(scenario_path, out_dir, seed, threads, extra, verbosity);
    if (*sweep) return app::sweep_command(sweep_args, verbosity, argv[0]);
    if (*topo) return app::topology_command(topology_path, dot_file);
    if (*check) {
      check_options.out_dir = check_out;
      check_options.faults.flip_average_sign = test_fault == "flip_average_sign";
      return app::check_command(check_paths, junit_file, check_options);
    }
    return app::validate_command(validate_path);
  });
}
