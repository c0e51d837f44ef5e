#include "sim/clock.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace sim {
namespace {

// `gained` limited to the range between 0 and `total`.
Time correction_clamp(Time gained, Time total) {
  return total > 0 ? std::clamp<Time>(gained, 0, total) : std::clamp<Time>(gained, total, 0);
}

}  // namespace

double walk_reflect(double drift, double low, double high) {
  if (drift >= low && drift <= high) return drift;
  // Reflection is periodic with period 2 * width: fold into one period, then
  // mirror its upper half. fmod is exact, so the fold adds no rounding.
  const double width = high - low;
  double folded = std::fmod(drift - low, 2 * width);
  if (folded < 0) folded += 2 * width;
  if (folded > width) folded = 2 * width - folded;
  return low + folded;
}

NodeClock::NodeClock(const ClockParams& params, RandomStream walk_stream)
    : walk_ppm_(params.drift_walk_ppm),
      walk_interval_(params.walk_interval),
      walk_low_(std::min(-kWalkBoundPpm, params.drift_ppm)),
      walk_high_(std::max(kWalkBoundPpm, params.drift_ppm)),
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
  finish_slew(true_time);
  const Time elapsed = true_time - anchor_true_;
  // While slewing (true_time < slew_end_ here) both rate terms are rounded together.
  const double slew_part =
      slewing() ? slew_ppm_ * 1e-6 * static_cast<double>(true_time - slew_start_) : 0.0;
  return anchor_local_ + elapsed +
         static_cast<Time>(
             std::llround(drift_ppm_ * 1e-6 * static_cast<double>(elapsed) + slew_part));
}

void NodeClock::step(Time true_time, Time correction) {
  advance_walk(true_time);
  finish_slew(true_time);
  reanchor(true_time);
  anchor_local_ += correction;
}

void NodeClock::slew(Time true_time, Time correction, double rate_ppm) {
  if (!(rate_ppm > 0.0 && rate_ppm < 1e6)) {
    throw std::invalid_argument("clock slew rate must be in (0, 1e6) ppm");
  }
  advance_walk(true_time);
  finish_slew(true_time);
  if (slewing()) {  // take over the remainder of the running slew
    const Time gained = slewed(true_time);
    anchor_local_ += gained;
    correction += slew_total_ - gained;
    slew_ppm_ = 0.0;
  }
  if (correction == 0) return;
  const double magnitude = std::abs(static_cast<double>(correction));
  slew_ppm_ = correction > 0 ? rate_ppm : -rate_ppm;
  slew_start_ = true_time;
  slew_end_ = true_time + std::max<Time>(1, std::llround(magnitude / (rate_ppm * 1e-6)));
  slew_total_ = correction;
}

Time NodeClock::slewed(Time true_time) const {
  if (!slewing()) return 0;
  if (true_time >= slew_end_) return slew_total_;
  const Time gained = static_cast<Time>(
      std::llround(slew_ppm_ * 1e-6 * static_cast<double>(true_time - slew_start_)));
  // Never past the total, whatever the rounding of the end time.
  return correction_clamp(gained, slew_total_);
}

void NodeClock::finish_slew(Time true_time) {
  if (!slewing() || true_time < slew_end_) return;
  anchor_local_ += slew_total_;
  slew_ppm_ = 0.0;
}

Time NodeClock::true_duration(Time local) const {
  // The rate is > 0: the constructor refuses drift <= -1e6 ppm and the walk
  // stays within [walk_low_, walk_high_].
  const double duration = static_cast<double>(local) / (1.0 + drift_ppm_ * 1e-6);
  if (!(std::abs(duration) < 9.2e18)) {
    throw TimeOverflow("a local duration of " + format_time(local) +
                       " lasts longer than simulated time can hold on a clock at " +
                       std::to_string(drift_ppm_) + " ppm");
  }
  return static_cast<Time>(std::llround(duration));
}

void NodeClock::advance_walk(Time true_time) {
  if (walk_ppm_ == 0.0) return;
  const double per_step = walk_ppm_ * std::sqrt(to_seconds(walk_interval_));
  while (next_walk_ <= true_time) {
    reanchor(next_walk_);
    // normal(0, 1), not normal(): its 0 + 1 * x keeps every walk bit for bit as it was.
    drift_ppm_ =
        walk_reflect(drift_ppm_ + per_step * walk_stream_.normal(0.0, 1.0), walk_low_, walk_high_);
    next_walk_ += walk_interval_;
  }
}

void NodeClock::reanchor(Time true_time) {
  const Time elapsed = true_time - anchor_true_;
  anchor_local_ +=
      elapsed + static_cast<Time>(std::llround(drift_ppm_ * 1e-6 * static_cast<double>(elapsed)));
  anchor_true_ = true_time;
}

}  // namespace sim
