#include "algorithms/sync/ps_async.h"

namespace algo {

PsAsync::PsAsync(PsAsyncConfig config) : ParameterServer(std::move(config), "ps_async") {}

sim::Task PsAsync::serve(Shard& shard) {
  while (true) {
    const GradientSlice message = co_await receive(shard);
    if (!alive(shard)) co_return;
    if (!admit(shard, message)) continue;
    // A named vector: g++ 12 rejects a braced list inside co_await.
    std::vector<const GradientSlice*> single{&message};
    co_await apply(shard, std::move(single));
    if (ended(shard)) co_return;
    reply(shard, message.worker);
  }
}

}  // namespace algo
