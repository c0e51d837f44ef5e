#include "run/replicate_stats.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <sstream>

#include "run/expectation.h"

namespace syncsim {
namespace {

std::ptrdiff_t column(const SummaryTable& table, const std::string& name) {
  const auto it = std::find(table.columns.begin(), table.columns.end(), name);
  return it == table.columns.end() ? -1 : it - table.columns.begin();
}

// Exact: summary cells are shortest decimals that read back to the same double.
bool number_of(const std::string& cell, double& value) {
  if (cell.empty()) return false;
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  return ec == std::errc() && end == cell.data() + cell.size() && std::isfinite(value);
}

// The numeric metrics of the table, in its column order.
std::vector<std::size_t> metric_columns(const SummaryTable& table) {
  std::vector<std::size_t> result;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const auto it = summary_metrics().find(table.columns[c]);
    if (it != summary_metrics().end() && it->second != MetricUnit::text) result.push_back(c);
  }
  return result;
}

std::vector<std::string> algorithms_of(const SummaryTable& table) {
  std::vector<std::string> labels;
  const auto a = static_cast<std::size_t>(column(table, "algorithm"));
  for (const auto& row : table.rows) {
    if (std::find(labels.begin(), labels.end(), row[a]) == labels.end()) labels.push_back(row[a]);
  }
  return labels;
}

std::string cell(double value) { return std::isnan(value) ? "" : format_number(value); }

void interval_cells(std::ostringstream& out, const MeanInterval& m) {
  out << m.n << ',' << cell(m.mean) << ',' << cell(m.sd) << ',' << cell(m.half_width) << ','
      << cell(m.low) << ',' << cell(m.high) << '\n';
}

}  // namespace

std::vector<MetricStats> summary_stats(const SummaryTable& summary) {
  const auto a = static_cast<std::size_t>(column(summary, "algorithm"));
  std::vector<MetricStats> stats;
  for (const std::string& label : algorithms_of(summary)) {
    for (std::size_t c : metric_columns(summary)) {
      std::vector<double> values;
      for (const auto& row : summary.rows) {
        double v = 0.0;
        if (row[a] == label && number_of(row[c], v)) values.push_back(v);
      }
      if (!values.empty()) stats.push_back({label, summary.columns[c], mean_interval(values)});
    }
  }
  return stats;
}

std::vector<PairedStats> paired_stats(const SummaryTable& summary, const std::string& reference) {
  const auto a = static_cast<std::size_t>(column(summary, "algorithm"));
  const auto s = static_cast<std::size_t>(column(summary, "seed"));
  std::vector<PairedStats> stats;
  for (const std::string& label : algorithms_of(summary)) {
    if (label == reference) continue;
    for (std::size_t c : metric_columns(summary)) {
      // The reference's value of each seed, then this algorithm's rows in order.
      std::map<std::string, double> base;
      for (const auto& row : summary.rows) {
        double v = 0.0;
        if (row[a] == reference && number_of(row[c], v)) base[row[s]] = v;
      }
      std::vector<double> differences;
      for (const auto& row : summary.rows) {
        double v = 0.0;
        const auto it = base.find(row[s]);
        if (row[a] == label && it != base.end() && number_of(row[c], v)) {
          differences.push_back(v - it->second);
        }
      }
      if (!differences.empty()) {
        stats.push_back({label, reference, summary.columns[c], mean_interval(differences)});
      }
    }
  }
  return stats;
}

std::string summary_stats_csv(const std::vector<MetricStats>& stats) {
  std::ostringstream out;
  out << "algorithm,metric,n,mean,sd,half_width_95,low_95,high_95\n";
  for (const MetricStats& m : stats) {
    out << m.algorithm << ',' << m.metric << ',';
    interval_cells(out, m.interval);
  }
  return out.str();
}

std::string paired_csv(const std::vector<PairedStats>& stats) {
  std::ostringstream out;
  out << "algorithm,reference,metric,n,mean_diff,sd_diff,half_width_95,low_95,high_95\n";
  for (const PairedStats& p : stats) {
    out << p.algorithm << ',' << p.reference << ',' << p.metric << ',';
    interval_cells(out, p.difference);
  }
  return out.str();
}

const MetricStats* find_stats(const std::vector<MetricStats>& stats, const std::string& algorithm,
                              const std::string& metric) {
  for (const MetricStats& m : stats) {
    if (m.algorithm == algorithm && m.metric == metric) return &m;
  }
  return nullptr;
}

}  // namespace syncsim
