// The statistics of a replicated run (README, "Replicates"), computed from
// its summary.csv table: one row per (algorithm, seed).
//
//   summary_stats.csv  algorithm, metric, n, mean, sd, half_width_95, low_95,
//                      high_95: per algorithm (scenario order) and numeric
//                      summary metric (summary.csv's column order)
//   paired.csv         algorithm, reference, metric, n, mean_diff, sd_diff,
//                      half_width_95, low_95, high_95: per algorithm other than
//                      the reference, the difference algorithm - reference
//                      seed by seed, and the interval of its mean
//
// n counts the seeds with a value (time_to_target_s is empty where the target
// was not reached); a metric without any value has no row. Cells are exact
// shortest decimals (format_number); "" where n < 2 leaves the spread unknown.
#pragma once

#include <string>
#include <vector>

#include "run/outputs.h"
#include "run/statistics.h"

namespace syncsim {

struct MetricStats {
  std::string algorithm;
  std::string metric;
  MeanInterval interval;
};

// Per algorithm (first-appearance order) and numeric metric of `summary`.
std::vector<MetricStats> summary_stats(const SummaryTable& summary);

struct PairedStats {
  std::string algorithm, reference, metric;
  MeanInterval difference;  // of algorithm - reference, paired by seed
};

// Per algorithm other than `reference` and numeric metric. REQUIRES:
// `reference` is an algorithm of `summary`.
std::vector<PairedStats> paired_stats(const SummaryTable& summary, const std::string& reference);

std::string summary_stats_csv(const std::vector<MetricStats>& stats);
std::string paired_csv(const std::vector<PairedStats>& stats);

// The stats of (algorithm, metric), or nullptr.
const MetricStats* find_stats(const std::vector<MetricStats>& stats, const std::string& algorithm,
                              const std::string& metric);

}  // namespace syncsim
