#include "app/check.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "algorithms/ml/data_error.h"
#include "app/check_means.h"
#include "app/config_node.h"
#include "run/run_record.h"
#include "run/replicates.h"
#include "run/accounting.h"
#include "run/summary_columns.h"

namespace app {
namespace {

bool parse_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> cells;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    cells.push_back(line.substr(start, comma - start));
    if (comma == std::string::npos) return cells;
    start = comma + 1;
  }
}

std::ptrdiff_t column_index(const SummaryTable& table, const std::string& name) {
  const auto it = std::find(table.columns.begin(), table.columns.end(), name);
  return it == table.columns.end() ? -1 : it - table.columns.begin();
}

// The value of `e` for run `run` of `result`, as text (empty: no value).
std::string metric_text(const Expectation& e, const ScenarioResult& result,
                        const SummaryTable& summary, std::size_t run) {
  if (e.accuracy > 0) {
    for (const algo::MetricsRow& row : result.runs[run].rows) {
      if (row.test_accuracy >= e.accuracy) return format_seconds(row.time);
    }
    return "";
  }
  const std::ptrdiff_t c = column_index(summary, e.metric);
  return c < 0 ? "" : summary.rows[run][static_cast<std::size_t>(c)];
}

CheckCase evaluate(const Expectation& e, const ScenarioResult& result, const SummaryTable& summary,
                   std::size_t run) {
  CheckCase c{result.runs[run].label, e.metric, e.text, "", false, ""};
  const std::string text = metric_text(e, result, summary, run);
  if (text.empty()) {
    c.got = e.accuracy > 0 ? "not reached" : "(empty)";
    c.message = e.accuracy > 0 ? "test accuracy never reached " + format_number(e.accuracy)
                               : "summary.csv has no value for " + e.metric + " in this run";
  } else if (e.unit == MetricUnit::text) {
    c.got = text;
    c.passed = text == e.word;
  } else {
    double value = 0.0;
    c.got = e.unit == MetricUnit::duration ? text + "s" : text;
    c.passed = parse_number(text, value) && e.holds(value);
  }
  if (!c.passed) {
    c.message =
        e.where + ": " + (c.message.empty() ? "got " + c.got + ", expected " + e.text : c.message);
  }
  return c;
}

// Whether two cells agree: equal text, or numbers within rtol.
bool cells_match(const std::string& got, const std::string& golden, double rtol) {
  if (got == golden) return true;
  double a = 0.0, b = 0.0;
  if (rtol <= 0 || !parse_number(got, a) || !parse_number(golden, b)) return false;
  return std::abs(a - b) <= rtol * std::max(std::abs(a), std::abs(b));
}

// Writes or refreshes the golden file of `scenario`, returning what it did.
std::string update_golden(const Scenario& scenario, const SummaryTable& summary) {
  const std::filesystem::path path = golden_path(scenario.file);
  const std::string content = csv_text(summary);
  std::string before;
  const bool existed = std::filesystem::exists(path);
  if (existed) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    before = text.str();
  }
  if (existed && before == content) return "golden " + path.string() + " unchanged";
  write_file_atomically(path, content);
  return std::string(existed ? "updated" : "created") + " golden " + path.string();
}

}  // namespace

int ScenarioCheck::failures() const {
  return static_cast<int>(
      std::count_if(cases.begin(), cases.end(), [](const CheckCase& c) { return !c.passed; }));
}

std::vector<std::string> collect_scenarios(const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& arg : args) {
    std::error_code ec;
    if (fs::is_regular_file(arg, ec)) {
      files.push_back(arg);
      continue;
    }
    if (!fs::is_directory(arg, ec)) throw ScenarioError(arg, 0, 0, "", "no such file or folder");
    std::vector<std::string> found;
    for (const auto& entry : fs::recursive_directory_iterator(arg, ec)) {
      const std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) {
        found.push_back(entry.path().string());
      }
    }
    if (ec) throw ScenarioError(arg, 0, 0, "", "cannot read folder: " + ec.message());
    if (found.empty()) throw ScenarioError(arg, 0, 0, "", "no *.yaml or *.yml scenario in folder");
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

std::filesystem::path golden_path(const std::string& scenario_file) {
  const std::filesystem::path p(scenario_file);
  return p.parent_path() / (p.stem().string() + ".golden.csv");
}

std::vector<CheckCase> evaluate_expectations(const ScenarioResult& result) {
  return evaluate_expectations(std::vector<ScenarioResult>{result});
}

std::vector<CheckCase> evaluate_expectations(const std::vector<ScenarioResult>& replicates) {
  std::vector<SummaryTable> summaries;
  for (const ScenarioResult& r : replicates) summaries.push_back(summary_table(r));
  const SummaryTable all = replicate_summary(replicates);
  const Scenario& scenario = replicates.front().scenario;
  std::vector<CheckCase> cases;
  for (const Expectation& e : scenario.expectations) {
    if (e.mean) {
      for (const AlgorithmChoice& a : scenario.algorithms) {
        if (e.label.empty() || e.label == a.label) cases.push_back(evaluate_mean(e, all, a.label));
      }
      continue;
    }
    for (std::size_t r = 0; r < replicates.size(); ++r) {
      for (std::size_t run = 0; run < replicates[r].runs.size(); ++run) {
        if (!e.label.empty() && e.label != replicates[r].runs[run].label) continue;
        cases.push_back(evaluate(e, replicates[r], summaries[r], run));
        // With replicates, each seed's case names its seed.
        if (replicates.size() > 1) {
          cases.back().label += " seed " + std::to_string(replicates[r].scenario.seed);
        }
      }
    }
  }
  return cases;
}

std::vector<CheckCase> compare_golden(const SummaryTable& golden, const SummaryTable& got,
                                      double rtol, const std::string& golden_name) {
  const std::ptrdiff_t got_label = column_index(got, "algorithm");
  const std::ptrdiff_t golden_label = column_index(golden, "algorithm");
  std::vector<CheckCase> cases;
  std::set<std::string> labels_run;
  std::vector<std::string> labels_seen;
  for (const std::vector<std::string>& row : got.rows) {
    const std::string& label = row[static_cast<std::size_t>(got_label)];
    labels_run.insert(label);
    CheckCase c{label, "golden", golden_name, "", false, ""};
    // The k-th row of a label (its k-th replicate) against the golden's k-th.
    const std::size_t nth =
        static_cast<std::size_t>(std::count(labels_seen.begin(), labels_seen.end(), label));
    labels_seen.push_back(label);
    const std::vector<std::string>* want = nullptr;
    std::size_t found = 0;
    for (const auto& g : golden.rows) {
      if (golden_label >= 0 && g[static_cast<std::size_t>(golden_label)] == label &&
          found++ == nth) {
        want = &g;
      }
    }
    if (want == nullptr) {
      c.got = "no golden row";
      c.message = golden_name + " has no row for run '" + label + "'";
      cases.push_back(c);
      continue;
    }
    std::vector<std::string> differences;
    for (std::size_t i = 0; i < got.columns.size(); ++i) {
      const std::ptrdiff_t j = column_index(golden, got.columns[i]);
      if (j < 0) {
        // A column added since the golden was written matters only where it has a value.
        if (!row[i].empty()) differences.push_back(got.columns[i] + " (not in golden)");
      } else if (!cells_match(row[i], (*want)[static_cast<std::size_t>(j)], rtol)) {
        differences.push_back(got.columns[i] + " " + row[i] + " (golden " +
                              (*want)[static_cast<std::size_t>(j)] + ")");
      }
    }
    for (const std::string& column : golden.columns) {
      if (column_index(got, column) < 0) differences.push_back(column + " (only in golden)");
    }
    c.passed = differences.empty();
    c.got = c.passed                  ? "matches"
            : differences.size() == 1 ? "1 column differs"
                                      : std::to_string(differences.size()) + " columns differ";
    if (!c.passed) c.message = golden_name + ": " + join(differences, "; ");
    cases.push_back(c);
  }
  for (const auto& g : golden.rows) {
    const std::string label = golden_label >= 0 ? g[static_cast<std::size_t>(golden_label)] : "";
    if (labels_run.count(label) == 0) {
      cases.push_back(
          {label, "golden", golden_name, "no such run", false,
           golden_name + " has a row for run '" + label + "', which the scenario no longer has"});
    }
  }
  return cases;
}

SummaryTable read_summary_csv(const std::string& text, const std::string& file) {
  SummaryTable table;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cells = split_commas(line);
    if (table.columns.empty()) {
      // A golden file written before a column was renamed compares under the new name.
      for (std::string& name : cells) name = current_summary_name(name);
      table.columns = std::move(cells);
      if (column_index(table, "algorithm") < 0) {
        throw ScenarioError(file, number, 1, "", "not a summary.csv: no 'algorithm' column");
      }
      continue;
    }
    if (cells.size() != table.columns.size()) {
      throw ScenarioError(file, number, 1, "",
                          std::to_string(cells.size()) + " cells, but the header has " +
                              std::to_string(table.columns.size()));
    }
    table.rows.push_back(std::move(cells));
  }
  if (table.columns.empty()) throw ScenarioError(file, 0, 0, "", "empty golden file");
  return table;
}

ScenarioCheck check_scenario(const Scenario& scenario, const CheckOptions& options) {
  ScenarioCheck check;
  check.file = scenario.file;
  check.name = scenario.name;
  const auto start = std::chrono::steady_clock::now();
  const auto started_at = std::chrono::system_clock::now();
  try {
    RunOptions run_options;
    run_options.test_faults = options.faults;
    const std::vector<ScenarioResult> replicates = run_replicates(scenario, run_options);
    check.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!options.out_dir.empty()) {
      const std::filesystem::path dir = options.out_dir / scenario.name;
      // The scenario file is read again for run.json (check loads every
      // scenario before the first runs).
      RunRecord record;
      record.command_line = options.command_line;
      record.scenario_file = scenario.file;
      record.scenario_text = ConfigNode::read_file(scenario.file);
      record.start = started_at;
      record.wall_seconds = check.wall_seconds;
      std::vector<ReplicateFiles> replicate_files;
      for (const ScenarioResult& r : replicates) {
        replicate_files.push_back({r.scenario.seed, output_files(r)});
      }
      std::vector<OutputFile> files = merge_replicates(scenario, replicate_files);
      files.push_back({"run.json", run_json(record, replicates.front())});
      try {
        OutputFolder folder(dir);
        folder.stage(files);
        folder.publish();
      } catch (const std::runtime_error& e) {
        throw ScenarioError(dir.string(), 0, 0, "", e.what());
      }
      check.notes.push_back("CSVs in " + dir.string());
    }
    check.cases = evaluate_expectations(replicates);
    // The identity is checked on every run, asserted or not (a bug if it fails).
    for (const ScenarioResult& result : replicates) {
      for (const RunResult& run : result.runs) {
        if (!accounting_broken(run)) continue;
        check.cases.push_back(
            {run.label, "accounting", "produced = applied + dropped + lost + outstanding",
             run.totals.status, false,
             scenario.file + ": " + run.label + " (seed " + std::to_string(result.scenario.seed) +
                 "): " + run.totals.status});
      }
    }
    const SummaryTable summary = replicate_summary(replicates);
    const std::filesystem::path golden = golden_path(scenario.file);
    const std::string golden_name = golden.filename().string();
    if (options.update_golden) {
      try {
        check.notes.push_back(update_golden(scenario, summary));
      } catch (const std::runtime_error& e) {
        throw ScenarioError(golden.string(), 0, 0, "", e.what());
      }
    } else if (std::filesystem::exists(golden)) {
      std::ifstream in(golden, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      if (!in) throw std::runtime_error("cannot read " + golden.string());
      const auto more = compare_golden(read_summary_csv(text.str(), golden.string()), summary,
                                       options.golden_rtol, golden_name);
      check.cases.insert(check.cases.end(), more.begin(), more.end());
    } else if (options.require_golden) {
      check.cases.push_back({"", "golden", golden_name, "missing", false,
                             golden.string() + " does not exist (write it with --update-golden)"});
    }
    if (check.cases.empty()) {
      // No assertion: that the scenario runs at all is still worth a line.
      for (const ScenarioResult& r : replicates) {
        for (const RunResult& run : r.runs) {
          check.cases.push_back({run.label, "run", "completes", run.totals.stop_reason, true, ""});
        }
      }
    }
  } catch (const ScenarioError& e) {
    check.error = e.what();
    check.bad_input = true;
  } catch (const ml::DataError& e) {
    check.error = e.what();
    check.bad_input = true;
  } catch (const std::exception& e) {
    check.error = std::string("internal error: ") + e.what();
  }
  if (check.wall_seconds == 0.0) {
    check.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return check;
}

}  // namespace app
