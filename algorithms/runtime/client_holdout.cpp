#include "algorithms/runtime/client_holdout.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "algorithms/ml/dataset.h"
#include "algorithms/ml/mlp.h"
#include "sim/random.h"

namespace algo {

ml::Shard hold_out(ml::Shard& shard, double fraction, std::uint64_t seed) {
  if (!(fraction >= 0 && fraction < 1)) {
    throw std::invalid_argument("holdout fraction must be in [0, 1)");
  }
  const std::size_t n = shard.size();
  const auto m = static_cast<std::size_t>(fraction * static_cast<double>(n));  // floor
  if (m == 0) return {};
  std::vector<std::size_t> positions(n);
  std::iota(positions.begin(), positions.end(), std::size_t{0});
  sim::RandomStream rng(seed);
  for (std::size_t i = 0; i < m; ++i) {  // the first m of a partial shuffle
    const std::size_t j = i + static_cast<std::size_t>(rng.below(n - i));
    std::swap(positions[i], positions[j]);
  }
  std::vector<bool> held(n, false);
  for (std::size_t i = 0; i < m; ++i) held[positions[i]] = true;
  ml::Shard held_out, training;
  held_out.reserve(m);
  training.reserve(n - m);
  for (std::size_t p = 0; p < n; ++p) (held[p] ? held_out : training).push_back(shard[p]);
  shard = std::move(training);
  return held_out;
}

std::vector<ml::Shard> hold_out_clients(const RunContext& ctx, const std::vector<int>& clients,
                                        std::vector<ml::Shard>& shards, double fraction) {
  std::vector<ml::Shard> held;
  if (fraction == 0) return held;
  held.reserve(shards.size());
  for (std::size_t k = 0; k < shards.size(); ++k) {
    const std::string& name = ctx.nodes.at(static_cast<std::size_t>(clients[k])).name;
    held.push_back(hold_out(shards[k], fraction, sim::derive_seed(ctx.seed, name, "fl-holdout")));
  }
  return held;
}

void evaluate_clients(const RunContext& ctx, const ml::Vector& params,
                      const std::vector<ml::Shard>& rows, std::vector<FlClientRow>& clients) {
  if (ctx.timing_only || params.size() == 0) return;
  ml::Mlp model(ctx.model);
  model.parameters() = params;
  ml::Dataset part;
  part.num_classes = ctx.train->num_classes;
  for (std::size_t k = 0; k < rows.size() && k < clients.size(); ++k) {
    if (rows[k].empty()) continue;
    ml::gather_batch(*ctx.train, rows[k], part.features, part.labels);
    clients[k].accuracy = model.evaluate(part).accuracy;
  }
}

}  // namespace algo
