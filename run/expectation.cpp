#include "run/expectation.h"

#include <cmath>

#include "run/summary_columns.h"

namespace syncsim {

const std::map<std::string, MetricUnit>& summary_metrics() {
  static const std::map<std::string, MetricUnit> metrics = [] {
    std::map<std::string, MetricUnit> m;
    for (const SummaryColumn& c : summary_columns()) {
      if (c.metric) m.emplace(c.name, *c.metric);
    }
    return m;
  }();
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
  const auto it = summary_metrics().find(current_summary_name(metric));
  return it == summary_metrics().end() ? MetricUnit::number : it->second;
}

}  // namespace syncsim
