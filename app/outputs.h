// The files a run leaves in its output folder (DESIGN.md, "Outputs"):
//   metrics.csv    one row per evaluation point
//   summary.csv    one row per algorithm run
//   staleness.csv  applied updates by staleness (a histogram)
//   partition.csv  each worker's shard: size and samples per class
//   nodes.csv      bytes sent by each node
//   clocks.csv     only if the scenario models clocks: every node's local
//                  time and error (local - true) at each evaluation point
//   timing.csv     wall time and events per wall second: the only file that
//                  differs between two runs of the same scenario and seed, kept
//                  out of summary.csv so that the CSVs above are byte-identical
// Each file is written under a temporary name and renamed when complete, so
// a failed run never leaves a half-written file under a real name.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "app/runner.h"

namespace app {

// Shortest decimal text that reads back as exactly `value` (std::to_chars), so
// CSV values are exact and identical on every run; "nan" for any NaN.
std::string format_number(double value);

// One row per evaluation point / algorithm / histogram bin; the first column
// names the algorithm (its label), so a comparison run is one file to plot.
std::string metrics_csv(const ScenarioResult& r);
std::string summary_csv(const ScenarioResult& r);
std::string staleness_csv(const ScenarioResult& r);
std::string timing_csv(const ScenarioResult& r);
// partition.csv: algorithm, node, samples, then the shard's count of each
// class (class0, class1, ...), one row per worker/client in worker order.
std::string partition_csv(const ScenarioResult& r);
std::string nodes_csv(const ScenarioResult& r);
// clocks.csv: algorithm, node, true_time_s, local_time_s, error_s (exact
// decimal seconds), one row per node per evaluation point.
std::string clocks_csv(const ScenarioResult& r);

// Creates `dir` if needed and writes the files above. Throws std::runtime_error
// naming the path if the folder or a file cannot be written; files already
// renamed into place by then are removed again.
std::vector<std::filesystem::path> write_outputs(const std::filesystem::path& dir,
                                                 const ScenarioResult& r);

}  // namespace app
