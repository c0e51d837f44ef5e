// UpdateLedger: where each gradient a parameter server's workers produce
// stands, so that every one ends up counted exactly once as applied, dropped
// (with a reason) or lost, and the rest are outstanding when the run ends.
//
// An update is (worker, seq): the worker's seq-th push. Once RPC retries are
// on, an update can travel as several copies (the original push and its
// retries) and a server may see it more than once, so the Monitor's counts
// cannot simply follow messages. The ledger tracks, per open update, the
// copies on the network or in the server's inbox, whether the server holds
// it for a later update, and whether its worker will still retry it. It is
// lost once none of these holds. It is bookkeeping, not a model: no
// simulated node reads it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "algorithms/runtime/monitor.h"

namespace algo {

class UpdateLedger {
 public:
  explicit UpdateLedger(Monitor& monitor) : monitor_(&monitor) {}

  // The worker pushed update seq; `retrying`: it will resend it on timeout.
  void produced(int worker, std::int64_t seq, bool retrying);
  // A copy went on the network / a copy was lost in flight (or with the
  // server's inbox when it crashed).
  void copy_sent(int worker, std::int64_t seq);
  void copy_lost(int worker, std::int64_t seq);
  // The server took a copy out of its inbox; it must then hold, apply or
  // drop the update, or ignore the copy (a duplicate).
  void copy_received(int worker, std::int64_t seq);
  void ignored(int worker, std::int64_t seq);
  // The server keeps the update for a later model update.
  void hold(int worker, std::int64_t seq);
  // Final fates. Return false (and count nothing) if the update was already
  // settled, e.g. a retried copy of an applied gradient.
  bool applied(int worker, std::int64_t seq);
  bool dropped(int worker, std::int64_t seq, const std::string& reason);
  // The worker will not resend seq (it moved on) / any update (it crashed).
  void stop_retrying(int worker, std::int64_t seq);
  void stop_retrying_all(int worker);
  // The server crashed: what it held is gone.
  void release_held();

  std::int64_t open() const { return static_cast<std::int64_t>(open_.size()); }

 private:
  struct Entry {
    int copies = 0;
    bool held = false;
    bool retrying = false;
  };
  using Map = std::map<std::pair<int, std::int64_t>, Entry>;
  // Counts the update lost if nothing can still bring it to the server.
  void settle(Map::iterator it);

  Monitor* monitor_;
  Map open_;
};

}  // namespace algo
