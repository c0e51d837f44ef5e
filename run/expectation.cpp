#include "run/expectation.h"

#include <cmath>

namespace syncsim {

const std::map<std::string, MetricUnit>& summary_metrics() {
  static const std::map<std::string, MetricUnit> metrics = {
      {"workers", MetricUnit::number},
      {"stop_reason", MetricUnit::text},
      {"sim_time_s", MetricUnit::duration},
      {"steps", MetricUnit::number},
      {"samples", MetricUnit::number},
      {"epochs", MetricUnit::number},
      {"final_accuracy", MetricUnit::number},
      {"final_test_loss", MetricUnit::number},
      {"best_accuracy", MetricUnit::number},
      {"time_to_target_s", MetricUnit::duration},
      {"throughput_samples_per_s", MetricUnit::number},
      {"bytes_total", MetricUnit::bytes},
      {"staleness_mean", MetricUnit::number},
      {"staleness_p50", MetricUnit::number},
      {"staleness_p99", MetricUnit::number},
      {"staleness_max", MetricUnit::number},
      {"updates_applied", MetricUnit::number},
      {"updates_dropped", MetricUnit::number},
      {"updates_dropped_late", MetricUnit::number},
      {"updates_dropped_offline", MetricUnit::number},
      {"updates_dropped_crashed", MetricUnit::number},
      {"updates_dropped_stale", MetricUnit::number},
      {"updates_dropped_unreachable", MetricUnit::number},
      {"updates_dropped_superseded", MetricUnit::number},
      {"updates_dropped_rolled_back", MetricUnit::number},
      {"updates_dropped_aborted", MetricUnit::number},
      {"events_processed", MetricUnit::number},
      {"clock_error_max_s", MetricUnit::duration},
      {"clock_error_mean_s", MetricUnit::duration},
      {"clock_skew_s", MetricUnit::duration},
      {"clock_skew_mean_s", MetricUnit::duration},
      {"sync_messages", MetricUnit::number},
      {"sync_bytes", MetricUnit::bytes},
      // Byzantine nodes or a robust aggregator (docs/robustness-and-privacy.md).
      {"byzantine_sent", MetricUnit::number},
      {"rejected", MetricUnit::number},
      {"byzantine_rejected", MetricUnit::number},
      // Differential privacy (docs/robustness-and-privacy.md).
      {"epsilon", MetricUnit::number},
      {"delta", MetricUnit::number},
      // Update accounting, with faults. dropped_<reason>: the older spelling
      // of updates_dropped_<reason>, read from that column.
      {"crashes", MetricUnit::number},
      {"updates_produced", MetricUnit::number},
      {"updates_lost", MetricUnit::number},
      {"updates_outstanding", MetricUnit::number},
      {"dropped_stale", MetricUnit::number},
      {"dropped_late", MetricUnit::number},
      {"dropped_offline", MetricUnit::number},
      {"dropped_crashed", MetricUnit::number},
      {"dropped_unreachable", MetricUnit::number},
      {"dropped_superseded", MetricUnit::number},
      {"dropped_rolled_back", MetricUnit::number},
      {"dropped_aborted", MetricUnit::number},
      {"rpc_retries", MetricUnit::number},
  };
  return metrics;
}

bool Expectation::holds(double got) const {
  if (std::isnan(got)) return false;
  switch (op) {
    case Op::ge:
      return got >= a;
    case Op::le:
      return got <= a;
    case Op::gt:
      return got > a;
    case Op::lt:
      return got < a;
    case Op::eq:
      return got == a;
    case Op::within_relative:
      return std::abs(got - b) <= a / 100.0 * std::abs(b);
    case Op::within_absolute:
      return std::abs(got - b) <= a;
    case Op::between:
      return a <= got && got <= b;
  }
  return false;
}

MetricUnit metric_unit(const std::string& metric) {
  if (metric.rfind(kTimeToAccuracy, 0) == 0) return MetricUnit::duration;
  const auto it = summary_metrics().find(metric);
  return it == summary_metrics().end() ? MetricUnit::number : it->second;
}

}  // namespace syncsim
