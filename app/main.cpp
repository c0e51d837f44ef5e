// syncsim: the command line.
//
//   syncsim run SCENARIO.yaml [-o DIR] [--seed N] [--threads N] [--trace] [--events] [--links]
//               [--replicates N] [--jobs N] [--slurm ... | --collect]
//   syncsim sweep SCENARIO.yaml [-o DIR] [--jobs N] [--shard I/N] [--collect]
//                 [--slurm [--slurm-tasks N] [--slurm-option=OPT ...] [--slurm-dry-run]]
//   syncsim validate SCENARIO.yaml
//   (run, sweep, validate and check take --max-memory SIZE)
//   syncsim topology SCENARIO.yaml --dot [-o FILE]
//   syncsim check DIR_OR_FILES... [--junit FILE] [--update-golden] ...
//   syncsim testbed SCENARIO.yaml [-o DIR]      as root: replay on a real network (docs/testbed.md)
//   syncsim calibrate SCENARIO.yaml [-o DIR] [--sizes SIZE,...] [--repeats N]
//   syncsim reference [--format text|markdown]   every scenario key (docs/scenario-reference.md)
//   syncsim reference --summary-columns   summary.csv's columns (docs/outputs.md)
//   syncsim --version    version, commit, build type, ISA and flags, compiler
//
// Exit codes: 0 success; 2 bad input (command line, scenario, data files,
// output folder); 3 a run diverged (NaN or Inf in the loss or parameters; its
// outputs are written, with the step in summary.csv's status column); 1 an
// internal error (a bug: please report it), or for `check`, any failed
// assertion or a run whose update accounting does not add up (`run` too:
// its outputs are written, with the difference in summary.csv's status).
#include <CLI/CLI.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app/cli_help.h"
#include "app/cli_numbers.h"
#include "app/commands.h"
#include "app/memory_budget.h"
#include "run/build_info.h"
#include "run/summary_columns.h"
#include "app/scenario_loader.h"
#include "app/schema.h"
#include "app/testbed_command.h"

namespace {

// --max-memory SIZE: the estimated peak memory a scenario may need
// (app/memory_budget.h); kept as text so sweeps pass it on verbatim.
std::string check_size(const std::string& value) {
  return app::parse_memory_budget(value)
             ? std::string()
             : "expected a size greater than zero such as 8GiB or 512MB, got '" + value + "'";
}

void add_max_memory(CLI::App* command, std::string& text) {
  command
      ->add_option("--max-memory", text,
                   "Refuse scenarios whose estimated peak memory exceeds SIZE (e.g. 8GiB, "
                   "512MB; default 3/4 of physical memory)")
      ->check(check_size);
}

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
  // Recorded in every run folder's run.json.
  const app::Invocation invocation{{argv, argv + argc}, std::chrono::system_clock::now()};
  CLI::App cli{"syncsim: a deterministic simulator of distributed deep-learning clusters"};
  cli.require_subcommand(1);
  cli.set_version_flag(
      "--version",
      [] {
        std::string text = syncsim::version_text();
        text.pop_back();  // CLI11 ends the line itself
        return text;
      },
      "Print the version, git commit, build type, ISA and flags, and compiler, then exit");
  cli.footer(app::help_footer());

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
  app::ReplicateArgs replicate_args;
  replicate_args.argv0 = argv[0];
  run->add_option("--replicates", replicate_args.replicates,
                  "Run every algorithm with this many seeds (seed, seed+1, ...), overriding "
                  "the scenario's replicates:")
      ->check(CLI::Range(1, app::kMaxReplicates));
  run->add_option("-j,--jobs", replicate_args.jobs,
                  "Replicates run at a time, in worker processes (default: one per hardware "
                  "thread; 1: in this process); outputs are byte-identical for every value")
      ->check(CLI::Range(1, 4096));
  run->add_flag("--slurm", replicate_args.slurm,
                "Submit the replicates to Slurm as a job array and a collect job, print their "
                "ids and exit");
  run->add_option("--slurm-tasks", replicate_args.slurm_tasks,
                  "Array tasks for --slurm (default: a replicate per task)")
      ->transform(decimal(1, app::kMaxReplicates));
  run->add_option("--slurm-option", replicate_args.slurm_options,
                  "An sbatch option for both jobs, as --slurm-option=--partition=x (repeatable)")
      ->allow_extra_args(false);
  run->add_flag("--slurm-dry-run", replicate_args.slurm_dry_run,
                "With --slurm: write the scripts into OUT/slurm/ without submitting them");
  run->add_flag("--collect", replicate_args.collect,
                "Run nothing: merge the replicates --slurm ran (OUT/slurm/seed-*) into OUT");
  app::Verbosity verbosity;
  add_verbosity(run, verbosity);
  std::string max_memory_text;
  add_max_memory(run, max_memory_text);
  std::string max_output_text;
  run->add_option("--max-output", max_output_text,
                  "Refuse a run whose estimated output files exceed SIZE (default: the free "
                  "space where it writes)")
      ->check(check_size);
  bool force = false;
  run->add_flag("--force", force,
                "Run into a folder that is not empty: replace the previous run's outputs (CSVs, "
                "run.json, the figures in plots/); other files stay");

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
  sweep->add_flag("--force", sweep_args.force,
                  "Start over: clear the previous sweep's or run's outputs in the folder (points/, "
                  "summary.csv, the figures in plots/); other files stay");
  sweep->add_flag("--slurm", sweep_args.slurm,
                  "Submit the sweep to Slurm as a job array (a shard per task) and a collect "
                  "job, print their ids and exit");
  sweep
      ->add_option("--slurm-tasks", sweep_args.slurm_tasks,
                   "Array tasks (shards) for --slurm (default: a point per task, at most 1000)")
      ->transform(decimal(1, app::kMaxShards));
  sweep
      ->add_option("--slurm-option", sweep_args.slurm_options,
                   "An sbatch option for both jobs, as --slurm-option=--partition=x (repeatable)")
      ->allow_extra_args(false);
  sweep->add_flag("--slurm-dry-run", sweep_args.slurm_dry_run,
                  "With --slurm: write the scripts into OUT/slurm/ without submitting them");
  sweep->add_option("--point", sweep_args.point, "(internal) run one point in this process")
      ->transform(decimal(0, app::kMaxShards))
      ->group("");
  add_verbosity(sweep, verbosity);
  add_max_memory(sweep, max_memory_text);

  std::string validate_path;
  CLI::App* validate = cli.add_subcommand("validate", "Check a scenario without running it");
  validate->add_option("scenario", validate_path, "Scenario YAML file")->required();
  add_max_memory(validate, max_memory_text);

  std::string topology_path, dot_file;
  bool dot = false;
  CLI::App* topo = cli.add_subcommand("topology", "Write a scenario's network as Graphviz DOT");
  topo->add_option("scenario", topology_path, "Scenario YAML file")->required();
  topo->add_flag("--dot", dot, "DOT output (the only format; render with `dot -Tsvg`)")->required();
  topo->add_option("-o,--out", dot_file, "Output file (default: standard output)");

  std::string reference_format = "text";
  CLI::App* reference = cli.add_subcommand(
      "reference", "Print every scenario key: type, unit, default, allowed values, meaning");
  reference
      ->add_option("--format", reference_format,
                   "text (default) or markdown (what docs/scenario-reference.md holds)")
      ->check(CLI::IsMember({"text", "markdown"}));
  bool summary_columns = false;
  reference->add_flag("--summary-columns", summary_columns,
                      "Print summary.csv's columns instead, as docs/outputs.md's Markdown table");

  std::string testbed_path, testbed_out;
  CLI::App* testbed =
      cli.add_subcommand("testbed",
                         "As root: replay a scenario's messages over TCP on a shaped network of "
                         "namespaces, compare with the prediction (docs/testbed.md)");
  testbed->add_option("scenario", testbed_path, "Scenario YAML file (star or tree)")->required();
  testbed->add_option("-o,--out", testbed_out, "Output folder (default: runs/<name>-testbed)");
  std::vector<std::string> calibrate_sizes{"256KiB", "1MiB", "4MiB", "8MiB"};
  int calibrate_repeats = 3;
  CLI::App* calibrate =
      cli.add_subcommand("calibrate",
                         "As root: fit topology.bandwidth_efficiency and message_overhead on the "
                         "testbed, report the error before and after (docs/testbed.md)");
  calibrate->add_option("scenario", testbed_path, "Scenario YAML file (star or tree)")->required();
  calibrate->add_option("-o,--out", testbed_out, "Output folder (default: runs/<name>-testbed)");
  calibrate
      ->add_option("--sizes", calibrate_sizes,
                   "Message sizes to time (default 256KiB 1MiB 4MiB 8MiB)")
      ->delimiter(',')
      ->check(check_size);
  calibrate->add_option("--repeats", calibrate_repeats, "Times each size is sent (default 3)")
      ->transform(decimal(1, 100));
  std::string node_plan;
  int node_rank = 0;
  CLI::App* node = cli.add_subcommand("testbed-node", "")->group("");  // internal
  node->add_option("plan", node_plan)->required();
  node->add_option("rank", node_rank)->required();

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
  check
      ->add_option("--golden-rtol", check_options.golden_rtol,
                   "Relative tolerance for numbers in golden comparisons (default 0: exact)")
      ->check(CLI::Range(0.0, 1.0));
  check->add_option("-o,--out", check_out, "Keep each scenario's CSVs in DIR/<name>");
  // Test-only: proves the regression suite catches a broken algorithm. Hidden
  // from --help (empty group) and reachable only by typing it here.
  check->add_option("--test-fault", test_fault)
      ->group("")
      ->check(CLI::IsMember({"flip_average_sign", "vanish_update"}));
  add_max_memory(check, max_memory_text);

  // Before CLI11, whose "arguments were not expected" names no alternative.
  if (auto message =
          app::misspelled_argument(cli, std::vector<std::string>(argv + 1, argv + argc))) {
    std::cerr << *message << '\n';
    return app::kExitBadInput;
  }
  try {
    cli.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    cli.exit(e);
    return app::kExitBadInput;
  }

  const double max_memory = max_memory_text.empty() ? app::default_memory_budget()
                                                    : *app::parse_memory_budget(max_memory_text);
  return app::exit_code_of([&] {
    if (*run) {
      const std::optional<double> max_output =
          max_output_text.empty() ? std::nullopt : app::parse_memory_budget(max_output_text);
      replicate_args.max_memory_text = max_memory_text;
      return app::run_command(scenario_path, out_dir, seed, threads, extra, verbosity, invocation,
                              max_memory, max_output, replicate_args, force);
    }
    if (*sweep) {
      sweep_args.max_memory = max_memory;
      sweep_args.max_memory_text = max_memory_text;
      return app::sweep_command(sweep_args, verbosity, invocation);
    }
    if (*topo) return app::topology_command(topology_path, dot_file);
    if (*testbed) return app::testbed_command(testbed_path, testbed_out);
    if (*node) return app::testbed_node_command(node_plan, node_rank);
    if (*calibrate) {
      std::vector<std::int64_t> sizes;
      for (const std::string& text : calibrate_sizes) {
        sizes.push_back(static_cast<std::int64_t>(*app::parse_memory_budget(text)));
      }
      return app::calibrate_command(testbed_path, testbed_out, sizes, calibrate_repeats);
    }
    if (*reference && summary_columns) {
      std::cout << syncsim::summary_columns_markdown();
      return 0;
    }
    if (*reference) {
      std::cout << (reference_format == "markdown" ? app::schema::markdown() : app::schema::text());
      return 0;
    }
    if (*check) {
      check_options.out_dir = check_out;
      check_options.command_line = invocation.command_line;
      check_options.faults.flip_average_sign = test_fault == "flip_average_sign";
      check_options.max_memory = max_memory;
      check_options.faults.vanish_update = test_fault == "vanish_update";
      return app::check_command(check_paths, junit_file, check_options);
    }
    return app::validate_command(validate_path, max_memory);
  });
}
