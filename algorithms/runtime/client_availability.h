// When each federated client is online: per-client schedules of online
// intervals, either given (a trace) or drawn by a seeded diurnal generator.
//
// A schedule is a sorted list of disjoint half-open intervals [start, end)
// of simulated true time; a client is online at t when one of them holds t.
//
// The diurnal generator (DiurnalAvailability) draws each client's schedule as
// an alternating on/off process from the client's own seeded stream:
//   p(t) = trough + (peak - trough) x (1 + cos(2 pi t / period)) / 2
// is the target fraction online at t (peak at t = 0, period, 2 period...,
// trough half a period later). At t = 0 the client is online with
// probability p(0); each online session lasts Exp(mean_session); each
// offline gap that starts at t lasts Exp(mean_session x (1 - p(t)) / p(t)),
// the gap that makes the on/off process stationary at fraction p(t). So the
// fraction online over many clients is p(0) at t = 0 exactly in expectation
// and follows p(t) with a lag of about one session (small when mean_session
// is much shorter than the period). Schedules are extended lazily, forward
// in time, as they are queried; a client's draws never move another's.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/random.h"
#include "sim/time.h"

namespace algo {

struct OnlineInterval {
  sim::Time start = 0;  // inclusive
  sim::Time end = 0;    // exclusive, > start
};

struct DiurnalAvailability {
  sim::Time period = 24 * 3600 * sim::kSecond;   // of the daily pattern, > 0
  sim::Time mean_session = 3600 * sim::kSecond;  // mean online session, > 0
  double peak = 0.5;                             // fraction online at the peak, in (0, 1]
  double trough = 0.1;                           // fraction online at the trough, in (0, peak]
  // p(t) above.
  double fraction_online(sim::Time t) const;
};

class ClientAvailability {
 public:
  // A given schedule per client (clients in FedAvg order). Each client's
  // intervals may come in any order and may overlap or touch: they are
  // sorted and merged. std::invalid_argument on an interval with end <= start
  // or start < 0.
  static ClientAvailability from_intervals(std::vector<std::vector<OnlineInterval>> intervals);
  // Drawn schedules; seeds[c] seeds client c's stream.
  // std::invalid_argument on parameters outside their ranges.
  static ClientAvailability diurnal(const DiurnalAvailability& params,
                                    const std::vector<std::uint64_t>& seeds);

  int clients() const { return static_cast<int>(clients_.size()); }
  // Whether the client is online at t. REQUIRES 0 <= client < clients().
  bool online(int client, sim::Time t);
  // The end of the online session that holds t (when it goes offline);
  // nullopt if the client is offline at t.
  std::optional<sim::Time> online_until(int client, sim::Time t);
  // The first instant after t at which the client comes online; nullopt if
  // it never does (a trace that has ended for it).
  std::optional<sim::Time> next_online(int client, sim::Time t);

 private:
  struct Client {
    std::vector<OnlineInterval> intervals;  // sorted, disjoint, not touching
    // Generator state (diurnal only): intervals are final up to `drawn`.
    std::optional<sim::RandomStream> stream;
    sim::Time drawn = 0;
    bool on = false;  // the state that starts at `drawn`
  };
  // Draws the client's schedule until it is final past t.
  void extend(Client& client, sim::Time t);
  const OnlineInterval* find(int client, sim::Time t);

  std::vector<Client> clients_;
  std::optional<DiurnalAvailability> diurnal_;
};

}  // namespace algo
