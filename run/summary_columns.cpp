#include "run/summary_columns.h"

#include <sstream>

#include "run/accounting.h"  // drop_reasons
#include "run/fl_outputs.h"  // client_accuracy_percentile
#include "run/outputs.h"     // format_number, format_seconds

namespace syncsim {
namespace {

using In = SummaryCellInput;
using K = ColumnKind;
using A = ColumnApplies;
using U = MetricUnit;

std::string count(std::int64_t n) { return std::to_string(n); }
std::string number(double x) { return format_number(x); }
template <class T>
std::string optional_number(const std::optional<T>& x) {
  if (!x) return "";
  if constexpr (std::is_floating_point_v<T>) {
    return format_number(*x);
  } else {
    return std::to_string(*x);
  }
}
// Timing-only runs evaluate nothing: their accuracy and loss cells stay empty.
std::string evaluated(const In& in, double x) {
  return in.run.totals.evaluated ? format_number(x) : std::string();
}

std::vector<SummaryColumn> make_columns() {
  std::vector<SummaryColumn> c;
  auto add = [&](SummaryColumn column) { c.push_back(std::move(column)); };
  const std::nullopt_t not_a_metric = std::nullopt;
  // name, unit, kind, applies, expect unit, meaning, cell
  add({"scenario", "", K::identity, A::always, not_a_metric, "the scenario's `name`",
       [](const In& in) { return in.scenario.name; }});
  add({"algorithm", "", K::identity, A::always, not_a_metric, "the run's label",
       [](const In& in) { return in.run.label; }});
  add({"kind", "", K::identity, A::always, not_a_metric, "the algorithm kind",
       [](const In& in) { return in.run.kind; }});
  add({"seed", "", K::identity, A::always, not_a_metric, "the root seed the run used",
       [](const In& in) { return std::to_string(in.scenario.seed); }});
  add({"workers", "nodes", K::identity, A::always, U::number, "nodes that train (workers, clients)",
       [](const In& in) { return count(in.run.workers); }});
  add({"stop_reason", "", K::outcome, A::always, U::text,
       "what ended the run: `sim_time`, `epochs`, `steps`, `target_accuracy`, `no_more_events` "
       "(it stalled), `diverged`",
       [](const In& in) { return in.run.totals.stop_reason; }});
  add({"status", "", K::outcome, A::always, not_a_metric,
       "`ok`, `diverged at step N`, `stalled: ...` or `accounting broken: ...` "
       "([accounting.md](accounting.md))",
       [](const In& in) { return in.run.totals.status; }});
  add({"sim_time_s", "s", K::at_end, A::always, U::duration, "simulated time at the end",
       [](const In& in) { return format_seconds(in.run.totals.time); }});
  add({"steps", "model versions", K::at_end, A::always, U::number,
       "the global model's final version",
       [](const In& in) { return count(in.run.totals.steps); }});
  add({"samples", "samples", K::at_end, A::always, U::number,
       "training samples applied to the global model",
       [](const In& in) { return count(in.run.totals.samples); }});
  add({"epochs", "epochs", K::at_end, A::always, U::number, "`samples` / training-set size",
       [](const In& in) { return number(in.run.totals.epochs); }});
  add({"final_test_accuracy", "fraction", K::at_end, A::always, U::number,
       "test accuracy of the final model (empty with `math: none`)",
       [](const In& in) { return evaluated(in, in.run.totals.final_test_accuracy); }});
  add({"final_test_loss", "loss", K::at_end, A::always, U::number,
       "test loss of the final model (empty with `math: none`)",
       [](const In& in) { return evaluated(in, in.run.totals.final_test_loss); }});
  add({"best_test_accuracy", "fraction", K::over_run, A::always, U::number,
       "best test accuracy of any evaluation (empty with `math: none`)",
       [](const In& in) { return evaluated(in, in.run.totals.best_test_accuracy); }});
  // Fairness across clients (docs/federated.md, "Metrics"): the final model
  // on each client's held-out part (or its shard), nearest-rank percentiles.
  for (const int p : {10, 50, 90}) {
    add({"client_accuracy_p" + std::to_string(p), "fraction", K::at_end, A::federated, U::number,
         "the " + std::to_string(p) +
             "th nearest-rank percentile over clients of the final model's accuracy on each "
             "client's held-out part, or its own shard without `holdout` (clients.csv's "
             "`accuracy`)",
         [p](const In& in) { return optional_number(client_accuracy_percentile(in.run, p)); }});
  }
  add({"target_accuracy", "fraction", K::identity, A::always, not_a_metric,
       "`stop.target_accuracy` (empty without it)", [](const In& in) {
         const double target = in.scenario.stop.target_accuracy;
         return target > 0 ? number(target) : std::string();
       }});
  add({"time_to_target_s", "s", K::over_run, A::always, U::duration,
       "simulated time of the first evaluation at or above `target_accuracy` (empty if never)",
       [](const In& in) {
         const auto& t = in.run.totals.time_to_target;
         return t ? format_seconds(*t) : std::string();
       }});
  add({"throughput_samples_per_s", "samples/s (simulated)", K::over_run, A::always, U::number,
       "`samples` / `sim_time_s`", [](const In& in) { return number(in.run.totals.throughput); }});
  add({"bytes_sent", "bytes", K::cumulative, A::always, U::bytes,
       "bytes sent by all nodes (the real payload sizes)",
       [](const In& in) { return number(in.run.totals.bytes_sent); }});
  add({"staleness_mean", "model versions", K::over_run, A::always, U::number,
       "mean staleness of the applied updates (empty if none)",
       [](const In& in) { return optional_number(in.run.totals.staleness_mean); }});
  add({"staleness_p50", "model versions", K::over_run, A::always, U::number,
       "median staleness of the applied updates",
       [](const In& in) { return optional_number(in.run.totals.staleness_p50); }});
  add({"staleness_p99", "model versions", K::over_run, A::always, U::number,
       "99th percentile of the staleness of the applied updates",
       [](const In& in) { return optional_number(in.run.totals.staleness_p99); }});
  add({"staleness_max", "model versions", K::over_run, A::always, U::number,
       "largest staleness of an applied update",
       [](const In& in) { return optional_number(in.run.totals.staleness_max); }});
  add({"updates_applied", "updates", K::cumulative, A::always, U::number,
       "updates applied to the global model (and still in it)",
       [](const In& in) { return count(in.run.totals.updates_applied); }});
  add({"updates_dropped", "updates", K::cumulative, A::always, U::number,
       "updates dropped, all reasons ([accounting.md](accounting.md))",
       [](const In& in) { return count(in.run.totals.updates_dropped); }});
  // Every run has every reason: 0 where the algorithm never drops for it.
  for (const std::string& reason : drop_reasons()) {
    add({"updates_dropped_" + reason, "updates", K::cumulative, A::always, U::number,
         "updates dropped as `" + reason + "` (0 where the algorithm never drops so)",
         [reason](const In& in) {
           const auto& by = in.run.totals.dropped_by_reason;
           const auto it = by.find(reason);
           return count(it == by.end() ? 0 : it->second);
         }});
  }
  add({"events_processed", "events", K::cumulative, A::always, U::number, "simulator events",
       [](const In& in) { return std::to_string(in.run.totals.events_processed); }});
  // Clocks: over the samples of clocks.csv, every instant and every node.
  add({"clock_error_max_s", "s", K::over_run, A::clocks, U::duration, "largest \\|local - true\\|",
       [](const In& in) { return number(in.run.clock_error_max_s); }});
  add({"clock_error_mean_s", "s", K::over_run, A::clocks, U::duration, "mean \\|local - true\\|",
       [](const In& in) { return number(in.run.clock_error_mean_s); }});
  add({"clock_skew_max_s", "s", K::over_run, A::clocks, U::duration,
       "largest spread: latest minus earliest local clock at one instant",
       [](const In& in) { return number(in.run.clock_skew_max_s); }});
  add({"clock_skew_mean_s", "s", K::over_run, A::clocks, U::duration, "mean spread",
       [](const In& in) { return number(in.run.clock_skew_mean_s); }});
  add({"messages_sent_clock_sync", "messages", K::cumulative, A::clocks, U::number,
       "clock-sync requests and replies",
       [](const In& in) { return count(in.run.sync_messages); }});
  add({"bytes_sent_clock_sync", "bytes", K::cumulative, A::clocks, U::bytes,
       "bytes of those messages", [](const In& in) { return number(in.run.sync_bytes); }});
  add({"messages_sent_heartbeat", "messages", K::cumulative, A::failure_detector, U::number,
       "failure-detector heartbeats",
       [](const In& in) { return count(in.run.heartbeat_messages); }});
  add({"bytes_sent_heartbeat", "bytes", K::cumulative, A::failure_detector, U::bytes,
       "bytes of those heartbeats", [](const In& in) { return number(in.run.heartbeat_bytes); }});
  add({"suspicions", "events", K::cumulative, A::failure_detector, U::number,
       "times the monitor began to suspect a node",
       [](const In& in) { return count(in.run.suspicions); }});
  add({"false_suspicions", "events", K::cumulative, A::failure_detector, U::number,
       "of those, suspicions of a node that was up",
       [](const In& in) { return count(in.run.false_suspicions); }});
  // Update accounting: produced = applied + dropped + lost + outstanding.
  add({"crashes", "crashes", K::cumulative, A::faults, U::number, "host crashes",
       [](const In& in) { return count(in.run.crashes); }});
  add({"updates_produced", "updates", K::cumulative, A::faults, U::number,
       "updates made by workers (empty for an algorithm that does not count them)",
       [](const In& in) {
         return in.run.updates_outstanding ? count(in.run.totals.updates_produced) : "";
       }});
  add({"updates_lost", "updates", K::cumulative, A::faults, U::number,
       "updates a fault lost (a lossy link, a partition, a crashed end or server)",
       [](const In& in) { return count(in.run.totals.updates_lost); }});
  add({"updates_outstanding", "updates", K::at_end, A::faults, U::number,
       "updates in flight, queued or held at the end (empty as `updates_produced`)",
       [](const In& in) { return optional_number(in.run.updates_outstanding); }});
  add({"rpc_retries", "messages", K::cumulative, A::faults, U::number,
       "pushes and joins resent after an RPC timeout",
       [](const In& in) { return count(in.run.totals.rpc_retries); }});
  add({"math", "", K::identity, A::always, not_a_metric,
       "`real`, or `none` for a timing-only run ([timing_only.md](timing_only.md))",
       [](const In& in) { return std::string(in.scenario.timing_only ? "none" : "real"); }});
  // Aggregated contributions (docs/robustness-and-privacy.md).
  add({"byzantine_sent", "contributions", K::cumulative, A::contributions, U::number,
       "contributions from attackers that reached an aggregation",
       [](const In& in) { return count(in.run.totals.byzantine_sent); }});
  add({"rejected", "contributions", K::cumulative, A::contributions, U::number,
       "contributions the rule rejected or down-weighted",
       [](const In& in) { return count(in.run.totals.rejected); }});
  add({"byzantine_rejected", "contributions", K::cumulative, A::contributions, U::number,
       "of those, the attackers'",
       [](const In& in) { return count(in.run.totals.byzantine_rejected); }});
  // Differential privacy (docs/robustness-and-privacy.md).
  add({"epsilon", "", K::at_end, A::privacy, U::number,
       "the privacy spent by the whole run at `delta`, from the RDP accountant: the largest over "
       "the workers or clients (DP-SGD) or the server's rounds (DP-FedAvg); `inf` with "
       "`noise_multiplier: 0`, 0 if nothing was released",
       [](const In& in) { return optional_number(in.run.privacy_epsilon); }});
  add({"delta", "probability", K::identity, A::privacy, U::number,
       "the `privacy.delta` at which `epsilon` is reported",
       [](const In& in) { return number(in.run.privacy_delta); }});
  return c;
}

const char* kind_text(ColumnKind kind) {
  switch (kind) {
    case K::identity:
      return "";
    case K::at_end:
      return "at end";
    case K::cumulative:
      return "cumulative";
    case K::over_run:
      return "over the run";
    case K::outcome:
      return "";
  }
  return "";
}

const char* applies_text(ColumnApplies applies) {
  switch (applies) {
    case A::always:
      return "";
    case A::clocks:
      return "clocks";
    case A::failure_detector:
      return "`failure_detector`";
    case A::faults:
      return "`faults:`";
    case A::contributions:
      return "contributions counted";
    case A::privacy:
      return "`privacy:`";
    case A::federated:
      return "federated, with math";
  }
  return "";
}

}  // namespace

const std::vector<SummaryColumn>& summary_columns() {
  static const std::vector<SummaryColumn> columns = make_columns();
  return columns;
}

const SummaryColumn* find_summary_column(const std::string& name) {
  for (const SummaryColumn& c : summary_columns()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const std::vector<std::pair<std::string, std::string>>& summary_aliases() {
  static const std::vector<std::pair<std::string, std::string>> aliases = [] {
    std::vector<std::pair<std::string, std::string>> a = {
        {"bytes_total", "bytes_sent"},
        {"final_accuracy", "final_test_accuracy"},
        {"best_accuracy", "best_test_accuracy"},
        {"clock_skew_s", "clock_skew_max_s"},
        {"sync_messages", "messages_sent_clock_sync"},
        {"sync_bytes", "bytes_sent_clock_sync"},
        {"heartbeat_messages", "messages_sent_heartbeat"},
        {"heartbeat_bytes", "bytes_sent_heartbeat"},
    };
    for (const std::string& reason : drop_reasons()) {
      a.emplace_back("dropped_" + reason, "updates_dropped_" + reason);
    }
    return a;
  }();
  return aliases;
}

std::string current_summary_name(const std::string& name) {
  for (const auto& [old_name, current] : summary_aliases()) {
    if (old_name == name) return current;
  }
  return name;
}

bool column_applies(ColumnApplies applies, const Scenario& scenario, const RunResult& run) {
  switch (applies) {
    case A::always:
      return true;
    case A::clocks:
      return scenario.models_clocks();
    case A::failure_detector:
      return scenario.failure_detector.has_value();
    case A::faults:
      return scenario.faults.has_value();
    case A::contributions:
      return run.totals.contributions_counted;
    case A::privacy:
      return run.privacy_epsilon.has_value();
    case A::federated:
      return client_accuracy_percentile(run, 50).has_value();
  }
  return false;
}

std::string summary_columns_markdown() {
  std::ostringstream out;
  out << "| column | unit | kind | empty unless | meaning |\n"
      << "| --- | --- | --- | --- | --- |\n";
  for (const SummaryColumn& c : summary_columns()) {
    out << "| `" << c.name << "` | " << c.unit << " | " << kind_text(c.kind) << " | "
        << applies_text(c.applies) << " | " << c.meaning << " |\n";
  }
  return out.str();
}

}  // namespace syncsim
