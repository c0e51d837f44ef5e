// What a node reads on its own clock, for the decisions it takes by time.
//
// Two kinds of decision, as on real machines:
//   * a timeout ("wait at most 2 s") is a duration on the node's own
//     oscillator, like a timer on a monotonic clock: it lasts
//     local / (1 + drift) of true time, at the rate when it is armed, and a
//     sync step during the wait does not shorten or stretch it
//     (wait_for_local);
//   * a deadline or a stamp another node sent ("the round closes at 12:00:02
//     server time") is compared with the node's own wall-clock reading
//     (local_time), so offsets between nodes matter and clock sync helps.
// Without modelled clocks (RunContext::clocks null) both are true time.
#pragma once

#include "algorithms/runtime/algorithm.h"

namespace algo {

// The node's clock reading now. REQUIRES: readings of one clock come in
// non-decreasing true time (they do: everything reads at sim->now()).
inline sim::Time local_time(RunContext& ctx, topology::NodeId host) {
  const sim::Time now = ctx.sim->now();
  return ctx.clocks ? (*ctx.clocks)[static_cast<std::size_t>(host)].local_time(now) : now;
}

// The true time a timeout of `local` on the node's own clock lasts, armed now
// (NodeClock::true_duration: rounded to the nearest ns). Exactly `local`
// without modelled clocks.
inline sim::Time wait_for_local(RunContext& ctx, topology::NodeId host, sim::Time local) {
  if (!ctx.clocks) return local;
  sim::NodeClock& clock = (*ctx.clocks)[static_cast<std::size_t>(host)];
  clock.local_time(ctx.sim->now());  // applies the random-walk steps due by now
  return clock.true_duration(local);
}

}  // namespace algo
