// Running a sweep: every point in its own process and folder, resumable, and
// spread over machines by shards.
//
//   OUT/points/0007-<values>/   one point: point.yaml (the point's scenario,
//                               written first), the usual CSVs and run.json
//                               (its scenario_text is the sweep file), log.txt (the
//                               point process's stdout and stderr), and `done`
//                               (written last, atomically: the point is
//                               complete) or `failed` (why it is not)
//   OUT/summary.csv             point, point_dir, one column per axis, then
//                               the points' summary.csv columns; rows in point
//                               order, whatever the jobs or shards
//
// A point is complete when its `done` exists; a rerun skips complete points
// and runs the others after clearing their folders (the user's files stay).
// --force starts over: it first clears what an earlier sweep or run wrote in
// OUT (points/, summary.csv, run output files, report files in plots/) and
// keeps the user's files (run/previous_outputs.h). A shard i/n runs the points p
// with p % n == i - 1. The process that finds every point complete writes
// summary.csv (or `--collect` does, once every shard is done).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/progress.h"
#include "app/sweep_plan.h"

namespace app {

struct SweepOptions {
  std::string scenario_path;          // passed on to the point processes
  std::optional<std::uint64_t> seed;  // --seed, passed on too
  std::filesystem::path out;          // OUT
  std::string self;                   // the syncsim binary to run points with
  int jobs = 1;                       // point processes at a time
  int shard = 1, shards = 1;          // this process runs shard `shard` of `shards`
  bool collect_only = false;          // only write summary.csv
  bool force = false;                 // start over (run/previous_outputs.h); whole sweeps only
  LogLevel level = LogLevel::info;
  std::string max_memory;  // --max-memory as given, passed on ("": the default)
};

// Runs this shard's incomplete points and collects summary.csv if every point
// is then complete. Returns the exit code: 0 success (this shard's points
// done), 2 bad input (OUT holds another sweep's points, or a point failed with
// exit 2), 1 otherwise (a point failed or crashed; each is reported on stderr
// with its folder). REQUIRES: plan.validate_all() has passed.
int run_sweep(const SweepPlan& plan, const SweepOptions& options);

// A point's folder or files cannot be written (bad input: exit 2).
struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The body of a point process: runs point `point` into its folder under
// `out`, writing `done` last. Errors propagate as exceptions: OutputError,
// ScenarioError, ml::DataError, or anything else for an internal error.
// The point's scenario must fit max_memory bytes (app/memory_budget.h);
// command_line and start go to the point's run.json.
void run_point(const SweepPlan& plan, std::size_t point, const std::filesystem::path& out,
               double max_memory, const std::vector<std::string>& command_line,
               std::chrono::system_clock::time_point start);

// The collected table (see above). Throws std::runtime_error naming the first
// point that is not complete.
std::string collect_summary(const SweepPlan& plan, const std::filesystem::path& out);

// Throws std::invalid_argument if OUT holds a run or another sweep's points
// (what run_sweep refuses), with the fix in the message.
void check_sweep_folder(const SweepPlan& plan, const std::filesystem::path& out);

// The points of the sweep in OUT that are not complete yet, ascending.
std::vector<std::size_t> incomplete_points(const SweepPlan& plan, const std::filesystem::path& out);

// "a", "\"a,b\"": RFC 4180 quoting, only where needed.
std::string csv_cell(const std::string& text);

}  // namespace app
