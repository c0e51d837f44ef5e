#include "algorithms/sync/gossip.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "algorithms/runtime/model_shape.h"
#include "algorithms/runtime/averaging.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/runtime/training_seeds.h"
#include "algorithms/sync/gossip_worker.h"

namespace algo {

void mixing_row(const std::vector<double>& weights, std::span<const ml::Vector* const> replicas,
                std::vector<WeightedInput>& row) {
  assert(weights.size() == replicas.size());
  row.clear();
  for (std::size_t j = 0; j < weights.size(); ++j) {
    if (weights[j] != 0.0) row.push_back({static_cast<float>(weights[j]), replicas[j]});
  }
}

double consensus_distance(const std::vector<ml::Vector>& replicas, ml::Vector& average) {
  assert(!replicas.empty());
  average = replicas.front();
  for (std::size_t i = 1; i < replicas.size(); ++i) average += replicas[i];
  average /= static_cast<float>(replicas.size());
  double sum = 0.0;
  for (const ml::Vector& r : replicas) sum += static_cast<double>((r - average).norm());
  return sum / static_cast<double>(replicas.size());
}

Gossip::Gossip(GossipConfig config) : config_(std::move(config)) {
  if (config_.workers.empty()) throw std::invalid_argument("gossip needs at least one worker");
  if (config_.batch_size < 1) throw std::invalid_argument("gossip batch_size must be >= 1");
  if (config_.timeout < 0) throw std::invalid_argument("gossip timeout must be >= 0");
  if (config_.graph.kind != GossipGraph::topology) {
    const int n = static_cast<int>(config_.workers.size());
    if (!connected(gossip_neighbours(config_.graph, n))) {  // throws on a bad graph
      throw std::invalid_argument("gossip graph is not connected");
    }
  }
}

Gossip::~Gossip() = default;

const ml::Vector& Gossip::replica(int worker) const {
  const Worker& w = *workers_.at(static_cast<std::size_t>(worker));
  return w.replica.has_model() ? w.last_complete() : average_;  // math: none keeps no replica
}

void Gossip::launch(RunContext& ctx) {
  ctx_ = &ctx;
  const int n = static_cast<int>(config_.workers.size());
  if (config_.graph.kind == GossipGraph::topology) {
    std::vector<topology::NodeId> hosts;
    for (int node : config_.workers)
      hosts.push_back(ctx.nodes[static_cast<std::size_t>(node)].host);
    neighbours_ = topology_neighbours(ctx.net->topology(), hosts);
  } else {
    neighbours_ = gossip_neighbours(config_.graph, n);
  }
  // The loader refuses a disconnected graph; a network that splits the
  // workers is the only way here.
  if (!connected(neighbours_)) throw std::invalid_argument("gossip graph is not connected");
  weights_ = metropolis_hastings_weights(neighbours_);
  parameters_ = model_parameters(ctx);
  average_ = initial_parameters(ctx);  // empty with math: none
  workers_ =
      make_workers<Worker>(ctx, config_.workers, config_.batch_size, config_.assignment, average_);
  for (int i = 0; i < n; ++i) {
    Worker& w = worker(i);
    w.life = std::make_shared<Life>(*ctx.sim);
    ctx.sim->spawn(config_.timeout > 0 ? resilient_work(i, false) : work(i), w.node().name);
  }
}

// The program of a gossip worker: step, send, wait for every neighbour, mix.
// Its contributions are counted as with a timeout (gossip_faults.cpp); a
// crash ends the process (it notices at its next wake-up; what it held was
// dropped at the crash, see on_host_crashed) and nothing restarts it.
sim::Task Gossip::work(int index) {
  RunContext& ctx = *ctx_;
  Worker& self = worker(index);
  const std::shared_ptr<Life> life = self.life;
  life->incarnation = ctx.net->incarnation(self.node().host);
  const auto dead = [&] { return ctx.net->incarnation(self.node().host) != life->incarnation; };
  const auto degree =
      static_cast<std::int64_t>(neighbours_[static_cast<std::size_t>(index)].size());
  if (index == 0 && ctx.monitor->on_update(0, 0, average_)) co_return;

  for (std::int64_t round = 0; !dead(); ++round) {
    const StepResult step = co_await self.replica.local_step(ctx, training_step());
    if (dead()) break;
    auto& mine = send_contributions(index, round);
    while (!dead() && missing(index, mine)) {
      ReplicaMessage message =
          co_await algo::receive(*ctx.net, self.node().host, life->inbox, "replica");
      if (dead()) {  // delivered to a rebooted host after the process died: it stays queued
        life->inbox.send(std::move(message));
        break;
      }
      hold(*life, std::move(message), round);
    }
    if (dead()) break;
    co_await self.replica.compute.run(*ctx.net, mix_flops(degree + 1));
    if (dead()) break;
    mix(index, mine, weights_[static_cast<std::size_t>(index)]);
    count_mixed(index, round, degree + 1, step.samples);
    if (ctx.monitor->stopping()) co_return;
  }
  abandon(index, *life);
}

std::vector<std::shared_ptr<const ml::Vector>>& Gossip::send_replica(
    int index, std::int64_t round, const std::function<void()>& on_lost, bool counted) {
  Worker& self = worker(index);
  const double bytes = static_cast<double>(parameters_) * sizeof(float);
  // With math: none an empty vector stands for the replica: it marks presence.
  auto snapshot = self.replica.has_model()
                      ? std::make_shared<const ml::Vector>(self.replica.parameters())
                      : std::make_shared<const ml::Vector>();
  for (int j : neighbours_[static_cast<std::size_t>(index)]) {
    Worker& peer = worker(j);
    ReplicaMessage message;
    message.round = round;
    message.from = index;
    message.params = snapshot;
    if (counted) message.update_copy = ctx_->census->produce(self.node().host);
    send_message(*ctx_->net, self.node().host, peer.node().host, bytes, peer.life->inbox,
                 std::move(message), "replica", on_lost);
  }
  auto& mine = self.life->received.try_emplace(round, workers_.size()).first->second;
  mine[static_cast<std::size_t>(index)] = std::move(snapshot);
  if (counted) self.life->copies[{round, index}] = ctx_->census->produce(self.node().host);
  return mine;
}

bool Gossip::missing(int index, const std::vector<std::shared_ptr<const ml::Vector>>& mine) const {
  const std::vector<int>& neighbours = neighbours_[static_cast<std::size_t>(index)];
  return std::any_of(neighbours.begin(), neighbours.end(),
                     [&](int j) { return !mine[static_cast<std::size_t>(j)]; });
}

double Gossip::mix_flops(std::int64_t replicas) const {
  return 2.0 * static_cast<double>(replicas) * static_cast<double>(parameters_);
}

void Gossip::mix(int index, const std::vector<std::shared_ptr<const ml::Vector>>& mine,
                 const std::vector<double>& weights) {
  if (ctx_->timing_only) return;
  Worker& self = worker(index);
  std::vector<const ml::Vector*> replicas(mine.size(), nullptr);
  for (std::size_t j = 0; j < mine.size(); ++j) replicas[j] = mine[j].get();
  mixing_row(weights, replicas, self.row);
  weighted_average(*ctx_, self.row, self.mixed, self.jobs);
  self.replica.parameters() = self.mixed;
}

void Gossip::report(int index, std::int64_t round, std::int64_t samples) {
  const std::size_t n = workers_.size();
  Round& r = rounds_[round];
  if (r.replicas.empty()) r.replicas.resize(n);
  if (!ctx_->timing_only) r.replicas[static_cast<std::size_t>(index)] = replica(index);
  r.samples += samples;
  if (++r.reported < static_cast<int>(n)) return;
  // Rounds complete in order: a worker reports round t before round t + 1.
  assert(rounds_.begin()->first == round);
  if (!ctx_->timing_only) {
    MathTimer timer(ctx_->math);
    ctx_->monitor->record_consensus_distance(consensus_distance(r.replicas, average_));
  }
  const std::int64_t total = r.samples;
  rounds_.erase(round);
  ctx_->monitor->on_update(round + 1, total, average_);
}

}  // namespace algo
