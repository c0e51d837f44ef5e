#include "app/check_means.h"

#include <cmath>

#include "run/replicate_stats.h"

namespace app {
namespace {

// "0.8 [0.79, 0.81]": a mean and its 95% interval (just the mean for one seed).
std::string describe(const MeanInterval& m) {
  if (std::isnan(m.half_width)) return format_number(m.mean);
  return format_number(m.mean) + " [" + format_number(m.low) + ", " + format_number(m.high) + "]";
}

bool compare(bool above, double a, double b) { return above ? a > b : a < b; }

}  // namespace

CheckCase evaluate_mean(const Expectation& e, const SummaryTable& summary,
                        const std::string& label) {
  CheckCase c{label, e.key(), e.text, "", false, ""};
  const std::vector<MetricStats> stats = summary_stats(summary);
  const MetricStats* mine = find_stats(stats, label, e.metric);
  if (mine == nullptr) {
    c.got = "(empty)";
    c.message = e.where + ": summary.csv has no value for " + e.metric + " in any seed of this run";
    return c;
  }
  c.got = describe(mine->interval);
  if (e.versus.empty()) {
    c.passed = e.holds(mine->interval.mean);
  } else if (const MetricStats* other = find_stats(stats, e.versus, e.metric); other == nullptr) {
    c.got += " vs (empty)";
  } else {
    const MeanInterval& a = mine->interval;
    const MeanInterval& b = other->interval;
    c.got += " vs " + e.versus + " " + describe(b);
    c.passed = compare(e.above, a.mean, b.mean);
    if (e.separation == Expectation::Separation::disjoint) {
      // NaN bounds (one seed) compare false: no interval, no separation.
      c.passed = c.passed && compare(e.above, e.above ? a.low : a.high, e.above ? b.high : b.low);
    } else if (e.separation == Expectation::Separation::paired) {
      const std::vector<PairedStats> paired = paired_stats(summary, e.versus);
      c.passed = false;
      for (const PairedStats& p : paired) {
        if (p.algorithm != label || p.metric != e.metric) continue;
        const MeanInterval& d = p.difference;
        c.got += ", difference " + describe(d);
        c.passed = compare(e.above, e.above ? d.low : d.high, 0.0);
      }
    }
  }
  if (!c.passed) c.message = e.where + ": got " + c.got + ", expected " + e.text;
  return c;
}

}  // namespace app
