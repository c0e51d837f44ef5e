#include "algorithms/sync/ps_ssp.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace algo {

PsSsp::PsSsp(PsSspConfig config)
    : ParameterServer(config, "ps_ssp"), staleness_bound_(config.staleness_bound) {
  if (staleness_bound_ < 0) throw std::invalid_argument("ps_ssp staleness_bound must be >= 0");
}

sim::Task PsSsp::serve(Shard& shard) {
  const auto slots = static_cast<std::size_t>(num_workers());
  // Gradients this process admitted from each worker: the workers' clocks.
  // A restarted shard counts from zero again; only the gaps matter.
  std::vector<std::int64_t> clock(slots, 0);
  // By worker: the gradient of a worker the bound holds back, not yet applied.
  std::vector<std::optional<GradientSlice>> blocked(slots);
  while (true) {
    GradientSlice message = co_await receive(shard);
    if (!alive(shard)) co_return;
    if (!admit(shard, message)) continue;
    const auto w = static_cast<std::size_t>(message.worker);
    auto& slot = blocked[w];
    if (slot) {
      // The worker crashed after pushing and, restarted, pushed again for
      // the same clock: the newer gradient replaces the older one.
      drop(shard, *slot, "superseded");
      --shard.owed[w];  // it will be answered once
    } else {
      ++clock[w];
      ++shard.held;
    }
    slot = std::move(message);
    // Every blocked worker now at most s clocks ahead of the slowest goes
    // on, the sender included: its gradients are applied together (in
    // worker order, one step), then each gets the new model.
    const std::int64_t slowest = *std::min_element(clock.begin(), clock.end());
    std::vector<const GradientSlice*> released;
    for (std::size_t i = 0; i < slots; ++i) {
      if (blocked[i] && clock[i] <= slowest + staleness_bound_) released.push_back(&*blocked[i]);
    }
    if (released.empty()) continue;
    shard.held -= static_cast<std::int64_t>(released.size());
    co_await apply(shard, released);
    if (ended(shard)) co_return;
    for (std::size_t i = 0; i < slots; ++i) {
      if (blocked[i] && clock[i] <= slowest + staleness_bound_) {
        blocked[i].reset();
        reply(shard, static_cast<int>(i));
      }
    }
  }
}

}  // namespace algo
