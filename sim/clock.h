// NodeClock: one node's local clock, read as a function of true (simulated) time.
//
//   local(t) = offset + t + drift_ppm * 1e-6 * t        (plus corrections, below)
//
// computed piecewise from an anchor (true time T0, local time L0) as
//   local(t) = L0 + (t - T0) + llround(drift_ppm * 1e-6 * (t - T0))
// so the floating-point part is rounded once per reading, to the nanosecond.
// The anchor moves whenever the rate changes (a random-walk step) and a step
// correction adds to L0; a slew adds a separately rounded term (see slew()).
//
// Random-walk drift (optional): at every multiple k * walk_interval of true
// time, drift_ppm += drift_walk_ppm * sqrt(walk_interval in s) * N(0, 1), the
// normals drawn in order from the clock's own stream. drift_walk_ppm is thus
// the standard deviation of the drift change per sqrt-second. The walk stays
// within [-kWalkBoundPpm, +kWalkBoundPpm] (the range a fixed drift_ppm may
// take), widened to include the starting drift if a normal draw began
// outside it: a step past a bound reflects off it (walk_reflect), so the rate
// 1 + drift * 1e-6 stays above zero and a clock never stops or runs
// backwards. The steps are applied lazily by the readings, which is why
// readings must come in non-decreasing true time.
//
// Each node reads only its own clock; the engine runs on true time.
#pragma once

#include <cstdint>

#include "sim/random.h"
#include "sim/time.h"

namespace sim {

// The largest rate error a random walk reaches, in ppm (10%: far beyond any
// crystal, well short of a clock that stops).
inline constexpr double kWalkBoundPpm = 1e5;

// `drift` folded into [low, high] by reflection at the bounds, as many times
// as it takes (a step may cross the whole range); a drift inside is returned
// unchanged, bit for bit. REQUIRES: low < high, all finite.
double walk_reflect(double drift, double low, double high);

struct ClockParams {
  Time offset = 0;               // local - true at true time 0
  double drift_ppm = 0.0;        // rate error in parts per million (+50: gains 50 us per s)
  double drift_walk_ppm = 0.0;   // random-walk step sd per sqrt-second; 0: fixed drift
  Time walk_interval = kSecond;  // true time between random-walk steps; > 0
};

class NodeClock {
 public:
  // A perfect clock: local == true.
  NodeClock() : NodeClock(ClockParams{}, RandomStream(0)) {}
  // Throws std::invalid_argument for a non-finite drift, drift <= -1e6 ppm,
  // a negative walk sd or a walk_interval <= 0.
  NodeClock(const ClockParams& params, RandomStream walk_stream);

  // The local reading at true time `true_time`.
  // REQUIRES: true_time >= every true time passed before (to this clock).
  Time local_time(Time true_time);
  // The current rate error, after the walk steps up to the last reading.
  double drift_ppm() const { return drift_ppm_; }

  // Step correction: from `true_time` on, the clock reads `correction` more.
  void step(Time true_time, Time correction);

  // Slew correction (as ntpd/chrony do for small offsets): the clock runs
  // rate_ppm faster (correction > 0) or slower until it has gained exactly
  // `correction`, which takes |correction| / (rate_ppm * 1e-6) of true time
  // (rounded to the ns). While slewing, drift and slew are rounded together
  // in each reading, so readings do not go back; from the end on the clock
  // has gained exactly `correction` (the reading may move by 1 ns there, or
  // at a random-walk step during the slew, where the rounding splits). A slew
  // started during another takes over its remainder.
  // REQUIRES: true_time >= every true time passed before; rate_ppm in (0, 1e6).
  // Throws std::invalid_argument for a rate outside that range.
  void slew(Time true_time, Time correction, double rate_ppm);
  bool slewing() const { return slew_ppm_ != 0.0; }

  // The true duration a local duration lasts at the current rate (to the
  // nearest ns): how long a node that sleeps `local` by its clock really waits.
  // Never negative for local >= 0 (the rate is always > 0); throws
  // TimeOverflow if it does not fit in simulated time.
  Time true_duration(Time local) const;

 private:
  void advance_walk(Time true_time);
  void reanchor(Time true_time);
  // The part of the current slew gained by true_time (all of it once over),
  // rounded on its own.
  Time slewed(Time true_time) const;
  // Ends the slew if true_time has reached its end: its correction joins the anchor.
  void finish_slew(Time true_time);

  // Constant after construction.
  double walk_ppm_;
  Time walk_interval_;
  double walk_low_, walk_high_;  // the walk's bounds in ppm (see the top of this file)

  // Updated by readings and corrections.
  double drift_ppm_;
  Time anchor_true_ = 0;
  Time anchor_local_;
  Time next_walk_;         // true time of the next random-walk step
  double slew_ppm_ = 0.0;  // extra rate while slewing (signed); 0: not slewing
  Time slew_start_ = 0;    // true time the slew began
  Time slew_end_ = 0;      // true time it has gained slew_total_
  Time slew_total_ = 0;    // the correction being slewed in
  RandomStream walk_stream_;
};

}  // namespace sim
