// ps_ssp: a parameter server with stale-synchronous parallel (SSP) steps
// (Ho et al. 2013), bound s = staleness_bound (see parameter_server.h for
// what all parameter servers share, sharding included).
//
// Worker i's clock c_i is the number of gradients it has pushed. Version v of
// the model is made from clock v - 1: once all N workers' gradients of clock
// v - 1 are in, the server averages them (weighted by batch size, in worker
// order), spends (N + 2) x P FLOPs, applies one optimizer step and bumps the
// version; the version therefore equals the slowest worker's clock. After a
// push, the server answers at once with the current parameters if the worker
// is at most s clocks ahead of the slowest (c_i <= v + s); otherwise it
// withholds the answer until enough clocks are complete. Workers blocked at
// the same instant are released in worker order.
//
// Staleness of a clock-c gradient = c (the version it updates) minus the
// version it was computed from, so 0 <= staleness <= s.
//
//   s = 0: every worker waits for the previous clock, which is exactly
//          ps_sync (same sends in the same order at the same instants, the
//          same sums): bit-identical parameters and times.
//   s large: no worker ever waits for the others; fast workers run ahead and
//          compute from stale versions. Unlike ps_async, the server still
//          applies one averaged step per clock (the N gradients of a clock
//          together), so the math is not ASP's: ASP takes one step per
//          gradient. The two coincide for N = 1.
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
