// ps_async: a parameter server with asynchronous parallel (ASP) updates, as
// in Hogwild-style / DistBelief Downpour SGD (see parameter_server.h for what
// all parameter servers share, sharding included).
//
// Workers loop pull -> compute -> push independently. The server takes
// gradients one at a time in arrival order: for each it spends 3 x P FLOPs,
// applies one optimizer step on that single gradient (version + 1), and then
// answers that worker with the new parameters. Gradients that arrive while
// the server is busy wait in its inbox.
//
// Staleness of a gradient = the server's version just before it is applied
// minus the version the worker computed it from; 0 means no other update
// slipped in between the worker's pull and its push.
#pragma once

#include "algorithms/sync/parameter_server.h"

namespace algo {

using PsAsyncConfig = PsConfig;

class PsAsync final : public ParameterServer {
 public:
  explicit PsAsync(PsAsyncConfig config);  // invalid_argument on a bad config
  std::string_view name() const override { return "ps_async"; }

 private:
  sim::Task serve(Shard& shard) override;
};

}  // namespace algo
