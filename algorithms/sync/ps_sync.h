// ps_sync: a parameter server with bulk-synchronous parallel (BSP) steps,
// optionally with backup workers (Chen et al. 2016, "Revisiting distributed
// synchronous SGD") and optionally sharded over several servers (see
// parameter_server.h for what all parameter servers share).
//
// Every step: the server sends the current parameters to every worker (one
// flow each, sized by the real parameter bytes); each worker computes a real
// gradient on the next batch of its own shard, taking FLOPs / FLOP/s x its
// straggler factor of simulated time, and pushes it back; once N - b
// gradients computed from the current version are in, the server averages
// them (weighted by batch sizes, summed in worker order), spends
// (N - b + 2) x P FLOPs of its own time on the sum and the update, applies
// the optimizer, bumps the model version and sends the new parameters to the
// N - b workers whose gradients it used. A gradient that arrives after its
// step closed (one of the b slowest) is dropped (Monitor::record_dropped) and
// its worker gets the current parameters at once. Staleness is therefore
// always 0: every applied gradient was computed from the version it updates.
// With b = 0 this is plain BSP.
//
// Straggler timeout (`timeout`, single server): the server waits for a step's
// gradients at most `timeout` by its own clock (a deadline on its oscillator,
// local_time.h: timeout / (1 + drift) of true time, for receive_until),
// counted from when it sent the step's parameters; then it applies the
// gradients it has (or, if none has come, the first one to come). The late ones are dropped and
// answered as with backup workers. With backup workers too, a step closes at
// whichever comes first: N - b gradients or the timeout.
//
// Per-bucket push and pull (PsConfig::bucket_cap_bytes, with a layer
// profile): see parameter_server_layers.cpp; not with backup workers or a
// timeout.
#pragma once

#include "algorithms/sync/parameter_server.h"

namespace algo {

struct PsSyncConfig : PsConfig {
  int backup_workers = 0;  // b: gradients per step = N - b; 0 <= b < N; only with one server
  // > 0: close a step this long after it opened (server's clock); one server.
  sim::Time timeout = 0;
};

class PsSync final : public ParameterServer {
 public:
  explicit PsSync(PsSyncConfig config);  // invalid_argument on a bad config
  std::string_view name() const override { return "ps_sync"; }

 private:
  sim::Task serve(Shard& shard) override;
  int backup_workers_;
  sim::Time timeout_;
};

}  // namespace algo
