#include "app/outputs.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace app {
namespace {

template <class T>
std::string optional_cell(const std::optional<T>& value) {
  if (!value) return "";
  if constexpr (std::is_floating_point_v<T>) {
    return format_number(*value);
  } else {
    return std::to_string(*value);
  }
}

// Exact decimal seconds from integer nanoseconds ("0.558108003", "3", "-0.5"),
// so the time column carries no binary rounding noise.
std::string seconds(sim::Time t) {
  const bool negative = t < 0;
  const std::uint64_t magnitude =
      negative ? 0 - static_cast<std::uint64_t>(t) : static_cast<std::uint64_t>(t);
  std::string text = std::to_string(magnitude / 1'000'000'000ULL);
  std::uint64_t fraction = magnitude % 1'000'000'000ULL;
  if (fraction != 0) {
    char digits[16];
    std::snprintf(digits, sizeof digits, ".%09llu", static_cast<unsigned long long>(fraction));
    std::string f(digits);
    while (f.back() == '0') f.pop_back();
    text += f;
  }
  return negative ? "-" + text : text;
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
    out << content;
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw std::runtime_error("error while writing " + temporary.string());
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    throw std::runtime_error("cannot rename " + temporary.string() + " to " + path.string());
  }
}

}  // namespace

std::string format_number(double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("nan");
}

std::string metrics_csv(const ScenarioResult& result) {
  std::ostringstream out;
  // consensus_distance only when a decentralised algorithm reported one.
  bool consensus = false;
  for (const RunResult& r : result.runs) {
    for (const algo::MetricsRow& row : r.rows) consensus = consensus || row.consensus_distance;
  }
  out << "algorithm,sim_time_s,step,samples,epochs,train_loss,test_loss,test_accuracy,"
         "throughput_samples_per_s,bytes_sent,staleness_mean,staleness_max,updates_dropped"
      << (consensus ? ",consensus_distance\n" : "\n");
  for (const RunResult& r : result.runs) {
    for (const algo::MetricsRow& row : r.rows) {
      out << r.label << ',' << seconds(row.time) << ',' << row.step << ',' << row.samples << ','
          << format_number(row.epochs) << ',' << optional_cell(row.train_loss) << ','
          << (row.evaluated ? format_number(row.test_loss) : "") << ','
          << (row.evaluated ? format_number(row.test_accuracy) : "") << ','
          << format_number(row.throughput) << ',' << format_number(row.bytes_sent) << ','
          << optional_cell(row.staleness_mean) << ',' << optional_cell(row.staleness_max) << ','
          << row.updates_dropped;
      if (consensus) out << ',' << optional_cell(row.consensus_distance);
      out << '\n';
    }
  }
  return out.str();
}

std::string summary_csv(const ScenarioResult& result) {
  std::ostringstream out;
  out << "scenario,algorithm,kind,seed,workers,stop_reason,sim_time_s,steps,samples,epochs,"
         "final_accuracy,final_test_loss,best_accuracy,target_accuracy,time_to_target_s,"
         "throughput_samples_per_s,bytes_total,staleness_mean,staleness_p50,staleness_p99,"
         "staleness_max,updates_applied,updates_dropped,events_processed";
  const Scenario& s = result.scenario;
  const bool clocks = s.models_clocks();
  if (s.splits_dropped()) out << ",updates_dropped_offline,updates_dropped_late";
  if (clocks) out << ",clock_error_max_s,clock_error_mean_s,clock_skew_s,sync_messages,sync_bytes";
  if (s.failure_detector) out << ",heartbeat_messages,heartbeat_bytes,suspicions,false_suspicions";
  // Only timing-only runs get the column, so real runs' files are unchanged.
  if (s.timing_only) out << ",math";
  out << '\n';
  const double target = s.stop.target_accuracy;
  for (const RunResult& r : result.runs) {
    const algo::RunTotals& t = r.totals;
    out << s.name << ',' << r.label << ',' << r.kind << ',' << s.seed << ',' << r.workers << ','
        << t.stop_reason << ',' << seconds(t.time) << ',' << t.steps << ',' << t.samples << ','
        << format_number(t.epochs) << ','
        << (t.evaluated ? format_number(t.final_test_accuracy) : "") << ','
        << (t.evaluated ? format_number(t.final_test_loss) : "") << ','
        << (t.evaluated ? format_number(t.best_test_accuracy) : "") << ','
        << (target > 0 ? format_number(target) : "") << ','
        << (t.time_to_target ? seconds(*t.time_to_target) : "") << ','
        << format_number(t.throughput) << ',' << format_number(t.bytes_total) << ','
        << optional_cell(t.staleness_mean) << ',' << optional_cell(t.staleness_p50) << ','
        << optional_cell(t.staleness_p99) << ',' << optional_cell(t.staleness_max) << ','
        << t.updates_applied << ',' << t.updates_dropped << ',' << t.events_processed;
    if (s.splits_dropped()) {
      out << ',' << t.updates_dropped_offline << ','
          << t.updates_dropped - t.updates_dropped_offline;
    }
    if (clocks) {
      out << ',' << format_number(r.final_error_max_s) << ','
          << format_number(r.final_error_mean_s) << ',' << format_number(r.final_skew_s) << ','
          << r.sync_messages << ',' << format_number(r.sync_bytes);
    }
    if (s.failure_detector) {
      out << ',' << r.heartbeat_messages << ',' << format_number(r.heartbeat_bytes) << ','
          << r.suspicions << ',' << r.false_suspicions;
    }
    if (s.timing_only) out << ",none";
    out << '\n';
  }
  return out.str();
}

std::string clocks_csv(const ScenarioResult& result) {
  std::ostringstream out;
  out << "algorithm,node,true_time_s,local_time_s,error_s\n";
  for (const RunResult& r : result.runs) {
    for (const RunResult::ClockSample& c : r.clock_samples) {
      out << r.label << ',' << c.node << ',' << seconds(c.true_time) << ','
          << seconds(c.local_time) << ',' << seconds(c.local_time - c.true_time) << '\n';
    }
  }
  return out.str();
}

std::string suspicions_csv(const ScenarioResult& result) {
  std::ostringstream out;
  out << "algorithm,true_time_s,monitor_local_time_s,node,event,node_up\n";
  for (const RunResult& r : result.runs) {
    for (const RunResult::SuspicionEvent& e : r.suspicion_events) {
      out << r.label << ',' << seconds(e.true_time) << ',' << seconds(e.monitor_local) << ','
          << e.node << ',' << (e.suspected ? "suspect" : "trust") << ',' << (e.node_up ? 1 : 0)
          << '\n';
    }
  }
  return out.str();
}

std::string staleness_csv(const ScenarioResult& result) {
  std::ostringstream out;
  out << "algorithm,staleness,updates\n";
  for (const RunResult& r : result.runs) {
    for (const auto& [staleness, count] : r.staleness_histogram) {
      out << r.label << ',' << staleness << ',' << count << '\n';
    }
  }
  return out.str();
}

std::string nodes_csv(const ScenarioResult& result) {
  std::ostringstream out;
  out << "algorithm,node,bytes_sent\n";
  for (const RunResult& r : result.runs) {
    for (const RunResult::NodeTraffic& t : r.traffic) {
      out << r.label << ',' << t.node << ',' << format_number(t.bytes_sent) << '\n';
    }
  }
  return out.str();
}

std::string timing_csv(const ScenarioResult& result) {
  std::ostringstream out;
  // math_s: host seconds of tensor math (gradient jobs, evaluations, and the
  // optimizer steps and averaging outside the jobs: MathTimer), summed over
  // threads; simulation_s = wall_time_s - math_s when threads = 1: the
  // simulator's overhead (engine, network, messages, parameter copies).
  out << "algorithm,wall_time_s,events_processed,events_per_wall_s,threads,math_s,simulation_s\n";
  for (const RunResult& r : result.runs) {
    const double events = static_cast<double>(r.totals.events_processed);
    out << r.label << ',' << format_number(r.wall_seconds) << ',' << r.totals.events_processed
        << ',' << format_number(r.wall_seconds > 0 ? events / r.wall_seconds : 0.0) << ','
        << r.threads << ',' << format_number(r.math_seconds) << ','
        << format_number(r.wall_seconds - r.math_seconds) << '\n';
  }
  return out.str();
}

std::string partition_csv(const ScenarioResult& result) {
  std::size_t classes = 0;
  for (const RunResult& r : result.runs) {
    for (const algo::ShardStats& shard : r.partition) {
      classes = std::max(classes, shard.class_counts.size());
    }
  }
  std::ostringstream out;
  out << "algorithm,node,samples";
  for (std::size_t c = 0; c < classes; ++c) out << ",class" << c;
  out << '\n';
  for (const RunResult& r : result.runs) {
    for (const algo::ShardStats& shard : r.partition) {
      out << r.label << ',' << shard.node << ',' << shard.samples;
      for (std::size_t c = 0; c < classes; ++c) {
        out << ',' << (c < shard.class_counts.size() ? shard.class_counts[c] : 0);
      }
      out << '\n';
    }
  }
  return out.str();
}

std::vector<std::filesystem::path> write_outputs(const std::filesystem::path& dir,
                                                 const ScenarioResult& r) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    throw std::runtime_error("cannot create output folder " + dir.string() +
                             (ec ? ": " + ec.message() : ""));
  }
  std::vector<std::pair<const char*, std::string>> files = {
      {"metrics.csv", metrics_csv(r)},
      {"summary.csv", summary_csv(r)},
      {"staleness.csv", staleness_csv(r)},
      {"nodes.csv", nodes_csv(r)},
      {"timing.csv", timing_csv(r)},
      {"partition.csv", partition_csv(r)},
  };
  if (r.scenario.models_clocks()) files.push_back({"clocks.csv", clocks_csv(r)});
  if (r.scenario.failure_detector) files.push_back({"suspicions.csv", suspicions_csv(r)});
  std::vector<std::filesystem::path> written;
  try {
    for (const auto& [name, content] : files) {
      write_file_atomically(dir / name, content);
      written.push_back(dir / name);
    }
  } catch (...) {
    for (const auto& path : written) std::filesystem::remove(path, ec);
    throw;
  }
  return written;
}

}  // namespace app
