// `syncsim check`: runs scenarios, evaluates their `expect:` assertions and
// golden summaries; app/check_report.h renders the results (README, "Regression
// checks in CI").
//
// Golden summaries: SCENARIO.golden.csv beside SCENARIO.yaml holds the
// summary.csv of an accepted run. When it exists, every run's summary row is
// compared with the golden row of the same label, column by column: text
// exactly, numbers exactly unless a relative tolerance is given (runs give
// the same bytes whatever machine built the binary, at the stated ISA
// baseline, but a different compiler, SYNCSIM_ISA or Eigen version may round
// the model's float math differently). `--update-golden`
// rewrites them, naming each file it writes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "app/uses_syncsim.h"
#include "run/outputs.h"
#include "run/run.h"
#include "run/scenario.h"

namespace app {

struct CheckOptions {
  bool update_golden = false;     // write SCENARIO.golden.csv instead of comparing
  bool require_golden = false;    // a missing golden file is a failure
  double golden_rtol = 0.0;       // numbers match if |got - golden| <= rtol * max(|got|, |golden|)
  std::filesystem::path out_dir;  // if set, each scenario's CSVs go to out_dir/<name>
  std::vector<std::string> command_line;  // argv, for those folders' run.json
  TestFaults faults;                      // test-only (hidden --test-fault)
  double max_memory = 0;                  // bytes: each scenario's memory budget (0: none)
};

// One assertion on one run: a testcase of the report.
struct CheckCase {
  std::string label;     // the run; "" for a case about the whole scenario
  std::string metric;    // the metric, "golden", or "run" (a scenario without assertions)
  std::string expected;  // the expression as written, or the golden file name
  std::string got;       // the measured value as summary.csv writes it
  bool passed = false;
  std::string message;  // why it failed, and where the assertion is written
};

struct ScenarioCheck {
  std::string file;  // as given on the command line or found in a folder
  std::string name;  // the scenario's name
  double wall_seconds = 0.0;
  std::vector<CheckCase> cases;
  std::string error;               // the run could not complete (then cases is empty)
  bool bad_input = false;          // ... because of its input (a data file): exit status 2
  std::vector<std::string> notes;  // golden files written, output folders

  int failures() const;
};

// The scenario files named by args: files as given; folders expanded to the
// *.yaml and *.yml files below them, recursively, in sorted order. Throws
// ScenarioError for an argument that does not exist or a folder without any.
std::vector<std::string> collect_scenarios(const std::vector<std::string>& args);

// SCENARIO.golden.csv beside SCENARIO.yaml.
std::filesystem::path golden_path(const std::string& scenario_file);

// Each expectation of result.scenario on each run it applies to, in the
// order written, runs in scenario order.
std::vector<CheckCase> evaluate_expectations(const ScenarioResult& result);
// The same over the replicates of one scenario (run/replicates.h), in
// replicate order: an assertion on a metric holds for every seed (one case
// per seed, its label "LABEL seed N"); on mean_<metric>, one case per run label.
std::vector<CheckCase> evaluate_expectations(const std::vector<ScenarioResult>& replicates);

// One case per run of `got` and per golden row without a run: a run passes
// when its row equals the golden row of the same label (see CheckOptions).
std::vector<CheckCase> compare_golden(const SummaryTable& golden, const SummaryTable& got,
                                      double rtol, const std::string& golden_name);

// Reads a summary CSV (no quoting: summary cells never contain commas).
// Throws ScenarioError naming the file and line if rows and header disagree.
SummaryTable read_summary_csv(const std::string& text, const std::string& file);

// Runs one loaded scenario and checks it. Never throws for a failing run:
// the problem is recorded in `error`.
ScenarioCheck check_scenario(const Scenario& scenario, const CheckOptions& options);

}  // namespace app
