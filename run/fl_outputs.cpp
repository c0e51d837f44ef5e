#include "run/fl_outputs.h"

#include <algorithm>
#include <sstream>

#include "run/outputs.h"  // format_number, format_seconds

namespace syncsim {

bool has_fl_metrics(const ScenarioResult& r) {
  return std::any_of(r.runs.begin(), r.runs.end(),
                     [](const RunResult& run) { return run.fl.has_value(); });
}

bool has_fl_rounds(const ScenarioResult& r) {
  return std::any_of(r.runs.begin(), r.runs.end(),
                     [](const RunResult& run) { return run.fl && !run.fl->asynchronous; });
}

bool has_fl_steps(const ScenarioResult& r) {
  return std::any_of(r.runs.begin(), r.runs.end(),
                     [](const RunResult& run) { return run.fl && run.fl->asynchronous; });
}

std::string steps_csv(const ScenarioResult& result) {
  std::ostringstream out;
  out << "algorithm,step,time_s,time_local_s,started,aggregated,staleness_mean,staleness_max,"
         "dropped_late,dropped_offline,dropped_crashed,dropped_unreachable,lost,bytes_down,"
         "bytes_up\n";
  for (const RunResult& r : result.runs) {
    if (!r.fl) continue;
    for (const algo::FlStepRow& row : r.fl->steps) {
      const double mean = row.aggregated > 0 ? static_cast<double>(row.staleness_sum) /
                                                   static_cast<double>(row.aggregated)
                                             : 0.0;
      out << r.label << ',' << row.step << ',' << format_seconds(row.time) << ','
          << format_seconds(row.time_local) << ',' << row.started << ',' << row.aggregated << ','
          << format_number(mean) << ',' << row.staleness_max << ',' << row.late << ','
          << row.offline << ',' << row.crashed << ',' << row.unreachable << ',' << row.lost << ','
          << format_number(row.bytes_down) << ',' << format_number(row.bytes_up) << '\n';
    }
  }
  return out.str();
}

std::string rounds_csv(const ScenarioResult& result) {
  std::ostringstream out;
  out << "algorithm,round,start_s,end_s,duration_s,start_local_s,end_local_s,selected,reported,"
         "dropped_late,dropped_offline,dropped_crashed,dropped_unreachable,lost,bytes_down,"
         "bytes_up\n";
  for (const RunResult& r : result.runs) {
    if (!r.fl) continue;
    for (const algo::FlRoundRow& row : r.fl->rounds) {
      out << r.label << ',' << row.round << ',' << format_seconds(row.start) << ','
          << format_seconds(row.end) << ',' << format_seconds(row.end - row.start) << ','
          << format_seconds(row.start_local) << ',' << format_seconds(row.end_local) << ','
          << row.selected << ',' << row.reported << ',' << row.late << ',' << row.offline << ','
          << row.crashed << ',' << row.unreachable << ',' << row.lost << ','
          << format_number(row.bytes_down) << ',' << format_number(row.bytes_up) << '\n';
    }
  }
  return out.str();
}

std::string clients_csv(const ScenarioResult& result) {
  std::ostringstream out;
  out << "algorithm,node,rounds_selected,rounds_reported,bytes_down,bytes_up,accuracy\n";
  for (const RunResult& r : result.runs) {
    if (!r.fl) continue;
    for (const algo::FlClientRow& row : r.fl->clients) {
      out << r.label << ',' << row.node << ',' << row.selected << ',' << row.reported << ','
          << format_number(row.bytes_down) << ',' << format_number(row.bytes_up) << ','
          << (row.accuracy ? format_number(*row.accuracy) : std::string()) << '\n';
    }
  }
  return out.str();
}

std::optional<double> nearest_rank_percentile(std::vector<double> values, int p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const auto n = static_cast<long long>(values.size());
  const long long rank = (static_cast<long long>(p) * n + 99) / 100;  // ceil(p n / 100)
  return values[static_cast<std::size_t>(std::max(rank, 1LL) - 1)];
}

std::optional<double> client_accuracy_percentile(const RunResult& run, int p) {
  if (!run.fl) return std::nullopt;
  std::vector<double> accuracies;
  for (const algo::FlClientRow& row : run.fl->clients) {
    if (row.accuracy) accuracies.push_back(*row.accuracy);
  }
  return nearest_rank_percentile(std::move(accuracies), p);
}

}  // namespace syncsim
