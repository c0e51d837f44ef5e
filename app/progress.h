// Progress and log lines on stderr: what a person watching a long run (or a
// CI log) sees. The one place besides timing.csv that reads the wall clock;
// nothing it computes flows back into the simulation or its CSVs.
//
//   live   one line rewritten in place ('\r') about every 0.25 s: simulated
//          time, % of the stop condition, last test accuracy, events per wall
//          second, ETA. The default when stderr is a terminal.
//   plain  the same figures as a new line every 30 s (CI logs show that a long
//          run is alive; a short one prints nothing). The default otherwise.
//   never  nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include "algorithms/runtime/monitor.h"
#include "app/uses_syncsim.h"
#include "run/run.h"  // ProgressEvent, ProgressSample

namespace app {

// error: errors only; warn: and warnings; info (default): and progress,
// results, sweep points; debug: and details (data loaded, commands spawned).
enum class LogLevel { error, warn, info, debug };
enum class ProgressMode { automatic, live, plain, never };

// Parse "error"/"warn"/"info"/"debug" and "auto"/"live"/"plain"/"never";
// nullopt for anything else.
std::optional<LogLevel> parse_log_level(const std::string& text);
std::optional<ProgressMode> parse_progress_mode(const std::string& text);

// The largest fraction of the run done among the stop condition's limits
// (simulated time, epochs, steps; target accuracy as accuracy / target),
// clamped to [0, 1]. 0 if there is no limit.
double progress_fraction(const algo::StopCondition& stop, const ProgressSample& sample);

class ProgressReporter {
 public:
  // mode automatic picks live or plain by isatty(fileno(out)). every_seconds
  // 0 keeps the mode's default interval. Below LogLevel::info it never prints.
  ProgressReporter(ProgressMode mode, LogLevel level, double every_seconds = 0.0,
                   std::FILE* out = stderr);
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  bool enabled() const { return mode_ != ProgressMode::never; }

  // A new run (one algorithm of a scenario) starts.
  void begin(const std::string& label, const algo::StopCondition& stop);
  // Called every few thousand events: cheap unless a line is due.
  void update(const ProgressSample& sample);
  // The run ended: clears the live line.
  void end();

  // For RunOptions::progress: begin, update and end above, by event kind;
  // empty if the reporter never prints. Refers to *this: keep it alive
  // while the callback is in use.
  std::function<void(const ProgressEvent&)> callback();

 private:
  using Clock = std::chrono::steady_clock;
  void print(const ProgressSample& sample, Clock::time_point now);

  // Constant after construction.
  ProgressMode mode_;  // live, plain or never
  double every_seconds_;
  std::FILE* out_;

  // Per run.
  std::string label_;
  algo::StopCondition stop_;
  Clock::time_point started_, last_print_;
  std::uint64_t last_events_ = 0;
  bool line_open_ = false;  // a live line is on screen
};

}  // namespace app
