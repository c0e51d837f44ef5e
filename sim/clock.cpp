#include "sim/clock.h"

#include <cmath>
#include <stdexcept>

namespace sim {

NodeClock::NodeClock(const ClockParams& params, RandomStream walk_stream)
    : walk_ppm_(params.drift_walk_ppm),
      walk_interval_(params.walk_interval),
      drift_ppm_(params.drift_ppm),
      anchor_local_(params.offset),
      next_walk_(params.walk_interval),
      walk_stream_(walk_stream) {
  if (!std::isfinite(drift_ppm_) || drift_ppm_ <= -1e6) {
    throw std::invalid_argument("clock drift must be finite and > -1e6 ppm");
  }
  if (!std::isfinite(walk_ppm_) || walk_ppm_ < 0) {
    throw std::invalid_argument("clock drift_walk_ppm must be finite and >= 0");
  }
  if (walk_interval_ <= 0) throw std::invalid_argument("clock walk interval must be > 0");
}

Time NodeClock::local_time(Time true_time) {
  advance_walk(true_time);
  const Time elapsed = true_time - anchor_true_;
  return anchor_local_ + elapsed +
         static_cast<Time>(std::llround(drift_ppm_ * 1e-6 * static_cast<double>(elapsed)));
}

void NodeClock::step(Time true_time, Time correction) {
  reanchor(true_time);
  anchor_local_ += correction;
}

Time NodeClock::true_duration(Time local) const {
  return static_cast<Time>(std::llround(static_cast<double>(local) / (1.0 + drift_ppm_ * 1e-6)));
}

void NodeClock::advance_walk(Time true_time) {
  if (walk_ppm_ == 0.0) return;
  const double per_step = walk_ppm_ * std::sqrt(to_seconds(walk_interval_));
  while (next_walk_ <= true_time) {
    reanchor(next_walk_);
    drift_ppm_ += per_step * walk_stream_.normal();
    next_walk_ += walk_interval_;
  }
}

void NodeClock::reanchor(Time true_time) {
  const Time elapsed = true_time - anchor_true_;
  anchor_local_ += elapsed +
                   static_cast<Time>(std::llround(drift_ppm_ * 1e-6 * static_cast<double>(elapsed)));
  anchor_true_ = true_time;
}

}  // namespace sim
