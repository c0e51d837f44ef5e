#include "run/outputs.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "run/fl_outputs.h"
#include "run/summary_columns.h"

namespace syncsim {
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

}  // namespace

std::string format_seconds(sim::Time t) { return seconds(t); }

std::string format_number(double value) {
  // A diverged run's NaNs: one spelling, whatever their sign bit.
  if (std::isnan(value)) return "nan";
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("nan");
}

std::string metrics_csv(const ScenarioResult& result) {
  std::ostringstream out;
  // Every column in every scenario, empty where it does not apply, so the
  // metrics of different scenarios concatenate (docs/outputs.md).
  out << "algorithm,sim_time_s,steps,samples,epochs,train_loss,test_loss,test_accuracy,"
         "throughput_samples_per_s,bytes_sent_cum,staleness_mean,staleness_max,"
         "updates_dropped_cum,consensus_distance,byzantine_sent,rejected\n";
  for (const RunResult& r : result.runs) {
    for (const algo::MetricsRow& row : r.rows) {
      out << r.label << ',' << seconds(row.time) << ',' << row.step << ',' << row.samples << ','
          << format_number(row.epochs) << ',' << optional_cell(row.train_loss) << ','
          << (row.evaluated ? format_number(row.test_loss) : "") << ','
          << (row.evaluated ? format_number(row.test_accuracy) : "") << ','
          << format_number(row.throughput) << ',' << format_number(row.bytes_sent) << ','
          << optional_cell(row.staleness_mean) << ',' << optional_cell(row.staleness_max) << ','
          << row.updates_dropped << ',' << optional_cell(row.consensus_distance);
      if (r.totals.contributions_counted) {
        out << ',' << row.byzantine_sent << ',' << row.rejected;
      } else {
        out << ",,";
      }
      out << '\n';
    }
  }
  return out.str();
}

SummaryTable summary_table(const ScenarioResult& result) {
  SummaryTable table;
  for (const SummaryColumn& c : summary_columns()) table.columns.push_back(c.name);
  for (const RunResult& r : result.runs) {
    const SummaryCellInput in{result.scenario, r};
    std::vector<std::string> row;
    for (const SummaryColumn& c : summary_columns()) {
      row.push_back(column_applies(c.applies, result.scenario, r) ? c.cell(in) : std::string());
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::string summary_csv(const ScenarioResult& result) { return csv_text(summary_table(result)); }

std::string csv_text(const SummaryTable& table) {
  std::ostringstream out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << cells[i];
    out << '\n';
  };
  line(table.columns);
  for (const auto& row : table.rows) line(row);
  return out.str();
}

SummaryTable read_summary_table(const std::string& csv) {
  SummaryTable table;
  std::istringstream in(csv);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::size_t start = 0;
    for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos;
         start = comma + 1) {
      cells.push_back(line.substr(start, comma - start));
    }
    cells.push_back(line.substr(start));
    if (table.columns.empty()) {
      table.columns = std::move(cells);
    } else {
      table.rows.push_back(std::move(cells));
    }
  }
  return table;
}

std::string clocks_csv(const ScenarioResult& result) {
  std::ostringstream out;
  out << "algorithm,node,true_time_s,local_time_s,error_s\n";
  for (const RunResult& r : result.runs) {
    for (const RunResult::ClockSample& c : r.clock_samples) {
      out << r.label << ',' << c.node << ',' << seconds(c.true_time) << ',' << seconds(c.local_time)
          << ',' << seconds(c.local_time - c.true_time) << '\n';
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

std::string events_csv(const ScenarioResult& result) {
  std::ostringstream out;
  out << "algorithm,true_time_ns,node,local_time_ns,lamport,kind,peer,tag,bytes_message,message\n";
  for (const RunResult& r : result.runs) {
    for (const sim::Recorder::MessageEvent& e : r.messages) {
      out << r.label << ',' << e.true_time << ',' << r.node_names[static_cast<std::size_t>(e.node)]
          << ',' << e.local_time << ',' << e.lamport << ',' << (e.receive ? "receive" : "send")
          << ',' << r.node_names[static_cast<std::size_t>(e.peer)] << ',' << e.tag << ','
          << format_number(e.bytes) << ',' << e.message << '\n';
    }
  }
  return out.str();
}

std::string links_csv(const ScenarioResult& result) {
  std::ostringstream out;
  out << "algorithm,link,from,to,start_s,end_s,bytes_carried,utilisation,busy_fraction\n";
  for (const RunResult& r : result.runs) {
    for (const RunResult::LinkSample& l : r.link_samples) {
      const double length = sim::to_seconds(l.end - l.start);
      out << r.label << ',' << l.link << ',' << l.from << ',' << l.to << ',' << seconds(l.start)
          << ',' << seconds(l.end) << ',' << format_number(l.bytes) << ','
          << format_number(length > 0 ? l.bytes / (l.bandwidth * length) : 0.0) << ','
          << format_number(length > 0 ? sim::to_seconds(l.busy) / length : 0.0) << '\n';
    }
  }
  return out.str();
}

std::vector<OutputFile> output_files(const ScenarioResult& r) {
  std::vector<OutputFile> files = {
      {"metrics.csv", metrics_csv(r)},     {"summary.csv", summary_csv(r)},
      {"staleness.csv", staleness_csv(r)}, {"nodes.csv", nodes_csv(r)},
      {"timing.csv", timing_csv(r)},       {"partition.csv", partition_csv(r)},
  };
  if (r.scenario.models_clocks()) files.push_back({"clocks.csv", clocks_csv(r)});
  if (r.scenario.failure_detector) files.push_back({"suspicions.csv", suspicions_csv(r)});
  if (r.scenario.outputs.events) files.push_back({"events.csv", events_csv(r)});
  if (r.scenario.outputs.trace) files.push_back({"trace.json", trace_json(r)});
  if (r.scenario.outputs.links) files.push_back({"links.csv", links_csv(r)});
  if (has_fl_rounds(r)) files.push_back({"rounds.csv", rounds_csv(r)});
  if (has_fl_steps(r)) files.push_back({"steps.csv", steps_csv(r)});
  if (has_fl_metrics(r)) files.push_back({"clients.csv", clients_csv(r)});
  return files;
}

std::vector<std::filesystem::path> write_outputs(const std::filesystem::path& dir,
                                                 const ScenarioResult& r) {
  return write_files(dir, output_files(r));
}

std::vector<std::filesystem::path> write_files(const std::filesystem::path& dir,
                                               const std::vector<OutputFile>& files) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    throw std::runtime_error("cannot create output folder " + dir.string() +
                             (ec ? ": " + ec.message() : ""));
  }
  // Every name is checked before any is written: a FIFO among them must not
  // cost the other files their previous contents.
  for (const auto& [name, content] : files) require_replaceable_file(dir / name);
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

}  // namespace syncsim
