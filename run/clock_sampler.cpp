#include "run/clock_sampler.h"

#include <algorithm>
#include <cmath>

namespace syncsim {

ClockSampler::ClockSampler(sim::Simulator& sim, std::vector<sim::NodeClock>& clocks,
                           std::vector<Target> targets, sim::Time interval)
    : sim_(&sim), clocks_(&clocks), targets_(std::move(targets)), interval_(interval) {}

void ClockSampler::launch() { sim_->spawn_daemon(run(), "clock sampler"); }

sim::Task ClockSampler::run() {
  while (true) {
    sample();
    co_await sim_->sleep(interval_);
  }
}

void ClockSampler::sample() {
  const sim::Time now = sim_->now();
  sim::Time lowest = sim::kTimeMax, highest = -sim::kTimeMax;
  for (const Target& t : targets_) {
    const sim::Time local = (*clocks_)[static_cast<std::size_t>(t.host)].local_time(now);
    samples_.push_back({now, t.name, local});
    const double error = std::abs(sim::to_seconds(local - now));
    error_max_s_ = std::max(error_max_s_, error);
    error_sum_s_ += error;
    lowest = std::min(lowest, local);
    highest = std::max(highest, local);
  }
  const double skew = sim::to_seconds(highest - lowest);
  skew_max_s_ = std::max(skew_max_s_, skew);
  skew_sum_s_ += skew;
  ++instants_;
}

double ClockSampler::error_mean_s() const {
  const auto readings = static_cast<double>(instants_) * static_cast<double>(targets_.size());
  return readings > 0 ? error_sum_s_ / readings : 0.0;
}

double ClockSampler::skew_mean_s() const {
  return instants_ > 0 ? skew_sum_s_ / static_cast<double>(instants_) : 0.0;
}

}  // namespace syncsim
