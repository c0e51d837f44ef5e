// summary.csv's columns, said once: every scenario's summary has all of them,
// in this order, so the summaries of different scenarios concatenate. A column
// whose feature a scenario does not use (clocks, a failure detector, faults,
// Byzantine counting) has an empty cell, never a 0 that would read as a
// measurement. The same table names the metrics an `expect:` may assert on
// (run/expectation.h), the statistics of a replicated run
// (run/replicate_stats.h), and the columns table of docs/outputs.md
// (`syncsim reference --summary-columns`, checked by the test docs_outputs).
//
// Adding a column is one row in summary_columns() (summary_columns.cpp): its
// name, unit, kind, when it applies, its metric unit, its meaning and its cell.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "run/expectation.h"  // MetricUnit
#include "run/result.h"

namespace syncsim {

// What one cell is computed from: a run of a scenario.
struct SummaryCellInput {
  const Scenario& scenario;
  const RunResult& run;
};

// How a column's value relates to the run (docs/outputs.md, "Names").
enum class ColumnKind {
  identity,    // names the run or repeats a scenario setting
  at_end,      // where the run ended or its state then (sim_time_s, steps, final_test_accuracy)
  cumulative,  // summed over the whole run (bytes_sent, updates_applied)
  over_run,    // a statistic over the run (a mean, a percentile, a maximum)
  outcome,     // text saying how the run ended (stop_reason, status)
};

// When a column has values; elsewhere its cells are empty.
enum class ColumnApplies {
  always,
  clocks,            // the scenario models clocks (clock keys or clock_sync)
  failure_detector,  // the scenario has a failure_detector
  faults,            // the scenario has a faults: list
  contributions,     // the run counted aggregated contributions (Byzantine nodes, a robust rule)
  privacy,           // the run is differentially private (`privacy:`)
  federated,         // a federated run with per-client accuracies (run/fl_outputs.h)
};

struct SummaryColumn {
  std::string name;
  std::string unit;  // for people: "s", "bytes", "updates"; "" for text and identities
  ColumnKind kind;
  ColumnApplies applies;
  // The unit an `expect:` operand takes; none for a column that is not a
  // result (scenario, algorithm, kind, seed, target_accuracy, status, math).
  std::optional<MetricUnit> metric;
  std::string meaning;  // one line, Markdown
  // The cell's exact text; called only where `applies` holds.
  std::function<std::string(const SummaryCellInput&)> cell;
};

// Every column, in summary.csv's order.
const std::vector<SummaryColumn>& summary_columns();

// The column named `name`, or nullptr.
const SummaryColumn* find_summary_column(const std::string& name);

// The current name of a column given by an older name (bytes_total,
// final_accuracy, dropped_<reason>, ...); `name` itself when it is not an
// older name. Scenarios' `expect:` keys and golden summaries keep working.
std::string current_summary_name(const std::string& name);

// The older names and the columns they now read, in a stable order.
const std::vector<std::pair<std::string, std::string>>& summary_aliases();

// Whether a column's feature is in use for `run` of `scenario`.
bool column_applies(ColumnApplies applies, const Scenario& scenario, const RunResult& run);

// The Markdown table of docs/outputs.md's summary.csv section.
std::string summary_columns_markdown();

}  // namespace syncsim
