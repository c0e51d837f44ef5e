#include "algorithms/sync/ps_ssp.h"

#include <map>
#include <optional>
#include <stdexcept>

namespace algo {

PsSsp::PsSsp(PsSspConfig config)
    : ParameterServer(config, "ps_ssp"), staleness_bound_(config.staleness_bound) {
  if (staleness_bound_ < 0) throw std::invalid_argument("ps_ssp staleness_bound must be >= 0");
}

sim::Task PsSsp::serve(Shard& shard) {
  const int n = num_workers();
  const auto slots = static_cast<std::size_t>(n);
  // Gradients received from each worker, counted from the version the shard
  // starts at (0, or a restored checkpoint's: the clocks behind it are done).
  std::vector<std::int64_t> clock(slots, shard.version);
  std::vector<bool> waiting(slots, false);    // pushed, not yet answered
  // Gradients of clocks not yet applied, by clock, then worker.
  std::map<std::int64_t, std::vector<std::optional<GradientSlice>>> pending;
  std::map<std::int64_t, int> pending_count;
  // Answers, in worker order, every waiting worker the bound now lets go on.
  auto release = [&] {
    for (std::size_t i = 0; i < slots; ++i) {
      if (waiting[i] && clock[i] <= shard.version + staleness_bound_) {
        waiting[i] = false;
        reply(shard, static_cast<int>(i));
      }
    }
  };
  while (true) {
    GradientSlice message = co_await receive(shard);
    if (!alive(shard)) co_return;
    if (!admit(shard, message)) continue;
    const auto w = static_cast<std::size_t>(message.worker);
    const std::int64_t c = clock[w]++;
    pending.try_emplace(c, slots).first->second[w] = std::move(message);
    ++pending_count[c];
    ++shard.held;
    waiting[w] = true;
    // Clocks complete in order: the version is the slowest worker's clock.
    // The sender is answered after the clock it completed is applied, so a
    // worker always computes from a model that includes its own updates.
    for (auto ready = pending_count.find(shard.version);
         ready != pending_count.end() && ready->second == n;
         ready = pending_count.find(shard.version)) {
      const std::int64_t done = shard.version;
      std::vector<const GradientSlice*> gradients;  // in worker order
      for (const auto& g : pending.at(done)) gradients.push_back(&*g);
      shard.held -= static_cast<std::int64_t>(gradients.size());
      co_await apply(shard, gradients);
      pending.erase(done);
      pending_count.erase(done);
      if (ended(shard)) co_return;
      release();
    }
    release();
  }
}

}  // namespace algo
