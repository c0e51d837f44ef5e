#include "algorithms/sync/ps_sync.h"

#include <optional>
#include <stdexcept>

#include "algorithms/runtime/local_time.h"

namespace algo {

PsSync::PsSync(PsSyncConfig config)
    : ParameterServer(config, "ps_sync"),
      backup_workers_(config.backup_workers),
      timeout_(config.timeout) {
  if (backup_workers_ < 0 || backup_workers_ >= static_cast<int>(config.workers.size())) {
    throw std::invalid_argument("ps_sync backup_workers must be between 0 and workers - 1");
  }
  // Each shard would pick its own first N - b arrivals, so shards could
  // average different workers' gradients: not one well-defined model.
  if (backup_workers_ > 0 && config.server_nodes().size() > 1) {
    throw std::invalid_argument("ps_sync backup_workers needs a single server");
  }
  if (timeout_ < 0) throw std::invalid_argument("ps_sync timeout must be >= 0");
  // The layered server closes a piece when all N copies are in: it has no
  // step to close early.
  if (config.bucket_cap_bytes > 0 && (backup_workers_ > 0 || timeout_ > 0)) {
    throw std::invalid_argument(
        "ps_sync per-bucket push and pull has no backup workers or timeout");
  }
  if (timeout_ > 0 && config.server_nodes().size() > 1) {  // the same reason
    throw std::invalid_argument("ps_sync timeout needs a single server");
  }
}

sim::Task PsSync::serve(Shard& shard) {
  const int n = num_workers();
  const int needed = n - backup_workers_;
  std::vector<std::optional<GradientSlice>> arrived(static_cast<std::size_t>(n));
  while (true) {
    // The step's deadline, armed as it opens, on the server's own clock.
    std::optional<sim::Time> deadline;
    RunContext& ctx = context();
    if (timeout_ > 0) deadline = ctx.sim->now() + wait_for_local(ctx, shard.node.host, timeout_);
    bool timed_out = false;
    int count = 0;
    while (count < needed && !(timed_out && count > 0)) {
      // Past the deadline with nothing in, the first gradient to come closes the step.
      std::optional<GradientSlice> message =
          co_await receive_until(shard, timed_out ? std::nullopt : deadline);
      if (!alive(shard)) co_return;
      if (!message) {
        timed_out = true;
        continue;
      }
      if (!admit(shard, *message)) continue;
      if (message->version < shard.version) {  // its step already closed without it
        drop(shard, *message);
        reply(shard, message->worker);
        continue;
      }
      auto& slot = arrived[static_cast<std::size_t>(message->worker)];
      if (slot) {
        // The worker crashed after pushing and, restarted, pushed again for
        // the same step: the newer gradient replaces the older one.
        drop(shard, *slot, "superseded");
        --shard.owed[static_cast<std::size_t>(message->worker)];  // it will be answered once
      } else {
        ++count;
        ++shard.held;
      }
      slot = std::move(message);
    }
    std::vector<const GradientSlice*> used;  // in worker order
    for (const auto& m : arrived) {
      if (m) used.push_back(&*m);
    }
    shard.held -= static_cast<std::int64_t>(used.size());
    co_await apply(shard, used);
    if (ended(shard)) co_return;
    for (auto& m : arrived) {
      if (m) reply(shard, m->worker);
      m.reset();
    }
  }
}

}  // namespace algo
