// `expect:` in a scenario: assertions on the summary metrics of its runs,
// evaluated by `syncsim check` (app/check.h); the CLI reads them with
// app/expectation_loader.h.
//
//   expect:
//     final_accuracy: ">= 0.85"                  # every run of the scenario
//     time_to_accuracy@0.80: "<= 40s"
//     bytes_sent: "within 2% of 1.2GB"
//     ring:                                      # only the run labelled `ring`
//       staleness_p99: "between 0 and 8"
//
// A key with a scalar value is a metric and applies to every run; a key with
// a map value is a run label and its metrics apply to that run only.
// Metrics are summary.csv's numeric columns, `stop_reason`, and
// `time_to_accuracy@X` (the simulated time of the first evaluation whose test
// accuracy is >= X; "not reached" fails every comparison). A column's older
// name (bytes_total, final_accuracy, dropped_<reason>, ...: docs/outputs.md)
// still works and reads the column under its current name.
//
// Expressions (the value must be quoted in YAML: `>` and `<` start YAML syntax):
//   >= V, <= V, > V, < V, == V      V in the metric's unit
//   within X% of V                  |got - V| <= X/100 * |V|
//   within X of V                   |got - V| <= X (X in the metric's unit)
//   between A and B                 A <= got <= B (A <= B)
//   == WORD                         stop_reason only
// With replicates (run/replicates.h) the forms above hold for every seed's
// run; `mean_<metric>` asserts on the mean over the seeds instead, with the
// same forms or, under a run label, against another run's mean:
//   ps_ssp:
//     mean_final_accuracy: "above ps_sync"            # the means compare so
//     mean_throughput_samples_per_s: "above ps_sync, disjoint"   # and the 95%
//                                                     # intervals do not overlap
//     mean_sim_time_s: "below ps_sync, paired"        # the 95% interval of the
//                                                     # seed-by-seed difference
//                                                     # lies below 0
// Units: metrics in seconds take durations ("40s", "1.5ms"; a bare number
// only for 0, as everywhere in scenarios), byte counts take sizes ("1.2GB",
// "64MiB" or a plain number of bytes), all others plain numbers.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace syncsim {

enum class MetricUnit { number, duration, bytes, text };

struct Expectation {
  enum class Op { ge, le, gt, lt, eq, within_relative, within_absolute, between };

  std::string label;   // the run it applies to; "" for every run
  std::string metric;  // "final_accuracy", "time_to_accuracy@0.8", ...
  std::string text;    // the expression as written, trimmed: ">= 0.85"
  std::string where;   // "file:line:col: expect.key.path", for messages
  MetricUnit unit = MetricUnit::number;
  Op op = Op::ge;
  double a = 0.0, b = 0.0;  // operands, in seconds for durations and bytes for sizes:
                            // V, or (X, V) for within, or (A, B) for between
  std::string word;         // the expected text of a text metric (op eq)
  double accuracy = 0.0;    // X of time_to_accuracy@X; 0 for summary columns
  bool mean = false;        // `mean_<metric>`: the mean over replicates (metric is the column)

  // A comparison with another run's mean (mean only; `op` unused).
  enum class Separation { means, disjoint, paired };
  std::string versus;  // the other run's label; "" for the forms above
  bool above = true;   // above (greater) or below (smaller)
  Separation separation = Separation::means;

  // The name as written: metric, or mean_ + metric.
  std::string key() const { return mean ? "mean_" + metric : metric; }

  // Whether a measured value satisfies the expression (false for NaN).
  // REQUIRES: unit != text.
  bool holds(double got) const;
};

// The unit of a summary.csv column (or of its older name, run/summary_columns.h)
// or of time_to_accuracy@X.
MetricUnit metric_unit(const std::string& metric);

// summary.csv's columns that an expectation may name, and their units, by
// their current names (run/summary_columns.h); the others (scenario,
// algorithm, kind, seed, target_accuracy, status, math) are not results.
const std::map<std::string, MetricUnit>& summary_metrics();

// The prefix of time_to_accuracy@X.
inline constexpr const char* kTimeToAccuracy = "time_to_accuracy@";

}  // namespace syncsim
