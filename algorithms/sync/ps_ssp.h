// ps_ssp: a parameter server with stale-synchronous parallel (SSP) steps
// (Ho et al. 2013), bound s = staleness_bound (see parameter_server.h for
// what all parameter servers share, sharding included).
//
// Worker i's clock c_i is the number of gradients it has pushed; the slowest
// worker's clock is min c. A push from a worker that stays within the bound
// (c_i <= min c + s) is applied as it arrives, one optimizer step, and the
// worker gets the new model at once, exactly as in ps_async. A worker more
// than s clocks ahead of the slowest is blocked: its gradient is held with
// it, and when a push of a slower worker brings it back within the bound,
// every gradient released at that instant (the pusher's and the blocked
// workers', weighted by batch size, in worker order) is applied as one step
// ((G + 2) x P FLOPs) and each of those workers gets the new model, in
// worker order. So a worker never computes from a model that misses any
// worker's gradients of clocks more than s behind its own, and every model
// it reads includes its own updates.
//
// Staleness is counted in versions as for every parameter server (the
// version a gradient is applied to minus the one it was computed from); the
// bound is in clocks, so versions may run further apart than s when several
// workers update between two pulls of one.
//
//   s = 0: every worker waits until all have pushed the same number of
//          gradients; the last push releases them all and the N gradients
//          are applied as one step: exactly ps_sync (same sends in the same
//          order at the same instants, the same sums).
//   s larger than any gap in the run: no worker is ever blocked and each
//          gradient is applied alone on arrival: exactly ps_async.
#pragma once

#include "algorithms/sync/parameter_server.h"

namespace algo {

struct PsSspConfig : PsConfig {
  int staleness_bound = 0;  // s >= 0: how many clocks a worker may run ahead of the slowest
};

class PsSsp final : public ParameterServer {
 public:
  explicit PsSsp(PsSspConfig config);  // invalid_argument on a bad config
  std::string_view name() const override { return "ps_ssp"; }

 private:
  sim::Task serve(Shard& shard) override;

  std::int64_t staleness_bound_;
};

}  // namespace algo
