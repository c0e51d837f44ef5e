// The files a run leaves in its output folder (DESIGN.md, "Outputs"):
//   metrics.csv    one row per evaluation point
//   summary.csv    one row per algorithm run, the same columns for every
//                  scenario (run/summary_columns.h)
//   staleness.csv  applied updates by staleness (a histogram)
//   partition.csv  each worker's shard: size and samples per class
//   nodes.csv      bytes sent by each node
//   clocks.csv     only if the scenario models clocks: every node's local
//                  time and error (local - true) at each evaluation point
//   suspicions.csv only with a failure detector: every change of the
//                  monitor's opinion of a node (suspect / trust)
// Opt-in (the scenario's `outputs:` keys; see OutputsSpec):
//   events.csv     every message send and receive: true and local time, Lamport
//   trace.json     compute, send, receive and wait spans per node (Chrome
//                  trace-event format, for Perfetto)
//   links.csv      bytes and utilisation of each link direction per time bucket
//   rounds.csv     federated runs only: one row per server round (run/fl_outputs.h)
//   clients.csv    federated runs only: one row per client
//   timing.csv     wall time and events per wall second: the only file that
//                  differs between two runs of the same scenario and seed, kept
//                  out of summary.csv so that the CSVs above are byte-identical
// Written by the CLI beside them (run/run_record.h):
//   run.json       how the folder was made: build, commit, scenario hash and
//                  text, seed, threads, host, start and wall time, command line;
//                  like timing.csv, it differs from run to run
// A run publishes its folder whole (run/output_folder.h): a failed or killed
// run leaves the previous complete run, never a mix.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "run/result.h"
#include "run/output_folder.h"  // OutputFile, OutputFolder
#include "run/safe_file.h"      // write_file_atomically

namespace syncsim {

// Shortest decimal text that reads back as exactly `value` (std::to_chars), so
// CSV values are exact and identical on every run; "nan" for any NaN.
std::string format_number(double value);
// Exact decimal seconds of a simulated time ("0.558108003"), as in the CSVs.
std::string format_seconds(sim::Time t);

// One row per evaluation point / algorithm / histogram bin; the first column
// names the algorithm (its label), so a comparison run is one file to plot.
std::string metrics_csv(const ScenarioResult& r);
std::string summary_csv(const ScenarioResult& r);

// summary.csv as cells: its header and one row per run (the exact text of
// each cell), for readers that need a column by name (syncsim check).
struct SummaryTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // each of columns.size()
};
SummaryTable summary_table(const ScenarioResult& r);
std::string csv_text(const SummaryTable& table);  // header line, then one line per row
// The inverse of csv_text for text it wrote (no quoting, '\n' line ends).
SummaryTable read_summary_table(const std::string& csv);
std::string staleness_csv(const ScenarioResult& r);
std::string timing_csv(const ScenarioResult& r);
// partition.csv: algorithm, node, samples, then the shard's count of each
// class (class0, class1, ...), one row per worker/client in worker order.
std::string partition_csv(const ScenarioResult& r);
std::string nodes_csv(const ScenarioResult& r);
// clocks.csv: algorithm, node, true_time_s, local_time_s, error_s (exact
// decimal seconds), one row per node per evaluation point.
std::string clocks_csv(const ScenarioResult& r);
// suspicions.csv: algorithm, true_time_s, monitor_local_time_s, node, event
// (suspect | trust), node_up (1: the node was up, so a suspicion was false).
std::string suspicions_csv(const ScenarioResult& r);

// events.csv: algorithm, true_time_ns, node, local_time_ns, lamport, kind
// (send/receive), peer, tag, bytes_message, message (a send and its receive
// share the number), in the order the events happened.
std::string events_csv(const ScenarioResult& r);
// trace.json: one process per algorithm run, one thread per node; compute and
// wait as complete events, sends as async spans from start to delivery,
// receives as instants. Timestamps are microseconds with exactly three
// decimals (integer nanoseconds), so the file is byte-identical across runs.
std::string trace_json(const ScenarioResult& r);
// links.csv: algorithm, link, from, to, start_s, end_s, bytes_carried, utilisation
// (bytes / (bandwidth x bucket length)), busy_fraction (of the bucket with a
// flow draining), one row per bucket of each link direction that carried bytes.
std::string links_csv(const ScenarioResult& r);

// The files above that `r` has, each with its whole content, in the order
// listed (run/output_folder.h publishes them together).
std::vector<OutputFile> output_files(const ScenarioResult& r);

// Creates `dir` if needed and writes the files above in place, one by one
// (a sweep point's folder, fresh and marked done afterwards; a run's folder
// is published whole by OutputFolder instead). Throws std::runtime_error
// naming the path if the folder or a file cannot be written, or if a file
// is in the way that is not a regular file (run/safe_file.h); files already
// renamed into place by then are removed again.
std::vector<std::filesystem::path> write_outputs(const std::filesystem::path& dir,
                                                 const ScenarioResult& r);
// The same for files already made (output_files(r) and a run.json, or a
// replicated run's merged files, run/replicates.h).
std::vector<std::filesystem::path> write_files(const std::filesystem::path& dir,
                                               const std::vector<OutputFile>& files);

}  // namespace syncsim
