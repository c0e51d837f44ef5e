#include "algorithms/sync/gossip.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "algorithms/sync/gossip_worker.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/runtime/training_seeds.h"

namespace algo {

std::vector<std::vector<int>> gossip_neighbours(GossipGraph graph, int workers) {
  std::vector<std::vector<int>> neighbours(static_cast<std::size_t>(workers));
  for (int i = 0; i < workers; ++i) {
    auto& mine = neighbours[static_cast<std::size_t>(i)];
    if (graph == GossipGraph::complete) {
      for (int j = 0; j < workers; ++j) {
        if (j != i) mine.push_back(j);
      }
    } else {
      for (int j : {(i + workers - 1) % workers, (i + 1) % workers}) {
        if (j != i && std::find(mine.begin(), mine.end(), j) == mine.end()) mine.push_back(j);
      }
      std::sort(mine.begin(), mine.end());
    }
  }
  return neighbours;
}

std::vector<std::vector<double>> metropolis_hastings_weights(
    const std::vector<std::vector<int>>& neighbours) {
  const std::size_t n = neighbours.size();
  std::vector<std::vector<double>> w(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) {
    double others = 0.0;
    for (int j : neighbours[i]) {
      const auto degree_j = neighbours[static_cast<std::size_t>(j)].size();
      w[i][static_cast<std::size_t>(j)] =
          1.0 / (1.0 + static_cast<double>(std::max(neighbours[i].size(), degree_j)));
      others += w[i][static_cast<std::size_t>(j)];
    }
    w[i][i] = 1.0 - others;
  }
  return w;
}

void mix_replicas(const std::vector<double>& weights, std::span<const ml::Vector* const> replicas,
                  ml::Vector& out) {
  assert(weights.size() == replicas.size());
  bool first = true;
  for (std::size_t j = 0; j < weights.size(); ++j) {
    if (weights[j] == 0.0) continue;
    const auto w = static_cast<float>(weights[j]);
    if (first) {
      out = w * *replicas[j];
      first = false;
    } else {
      out += w * *replicas[j];
    }
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
}

Gossip::~Gossip() = default;

const ml::Vector& Gossip::replica(int worker) const {
  return workers_.at(static_cast<std::size_t>(worker))->model.parameters();
}

void Gossip::launch(RunContext& ctx) {
  ctx_ = &ctx;
  const int n = static_cast<int>(config_.workers.size());
  neighbours_ = gossip_neighbours(config_.graph, n);
  weights_ = metropolis_hastings_weights(neighbours_);
  ml::Mlp initial(ctx.model);
  initial.initialize(model_init_seed(ctx.seed));
  average_ = initial.parameters();
  workers_ = make_workers<Worker>(ctx, config_.workers, config_.batch_size, config_.assignment,
                                  average_);
  for (int i = 0; i < n; ++i) {
    if (config_.timeout > 0) {
      workers_[i]->life = std::make_shared<Life>(*ctx.sim);
      ctx.sim->spawn(resilient_work(i, false), workers_[i]->node.name);
    } else {
      ctx.sim->spawn(work(i), workers_[i]->node.name);
    }
  }
}

sim::Task Gossip::work(int index) {
  RunContext& ctx = *ctx_;
  Worker& self = *workers_[static_cast<std::size_t>(index)];
  const auto me = static_cast<std::size_t>(index);
  const std::vector<int>& neighbours = neighbours_[me];
  const auto n = workers_.size();
  const double bytes = static_cast<double>(average_.size()) * sizeof(float);
  const double flops_per_sample = self.model.train_flops_per_sample();
  const double mix_flops =
      2.0 * static_cast<double>(neighbours.size() + 1) * static_cast<double>(average_.size());
  if (index == 0 && ctx.monitor->on_update(0, 0, average_)) co_return;

  for (std::int64_t round = 0;; ++round) {
    const auto batch = self.sampler.next_batch(self.batch_size);
    const auto samples = static_cast<std::int64_t>(batch.size());
    const bool math = !ctx.timing_only;
    // The gradient runs on the math pool while the simulated compute elapses.
    float loss = 0.0f;
    MathPool::Job job;
    if (math) {
      job = submit_math(ctx.math, [&] {
        ml::gather_batch(*ctx.train, batch, self.x, self.y);
        loss = self.model.loss_and_gradient(self.x, self.y, self.gradient);
      });
    }
    co_await self.compute.run(*ctx.net, flops_per_sample * static_cast<double>(samples));
    job.join();
    if (math) {
      ctx.monitor->record_train_loss(loss, samples);
      MathTimer timer(ctx.math);
      self.optimizer->step(self.model.parameters(), self.gradient);
    }

    auto snapshot = std::make_shared<const ml::Vector>(self.model.parameters());
    for (int j : neighbours) {
      Worker& peer = *workers_[static_cast<std::size_t>(j)];
      send_message(*ctx.net, self.node.host, peer.node.host, bytes, peer.inbox,
                   ReplicaMessage{round, index, snapshot}, "replica");
    }
    auto& mine = self.received.try_emplace(round, n).first->second;
    mine[me] = snapshot;
    auto missing = [&] {
      return std::any_of(neighbours.begin(), neighbours.end(),
                         [&](int j) { return !mine[static_cast<std::size_t>(j)]; });
    };
    while (missing()) {
      ReplicaMessage message =
          co_await algo::receive(*ctx.net, self.node.host, self.inbox, "replica");
      self.received.try_emplace(message.round, n)
          .first->second[static_cast<std::size_t>(message.from)] = std::move(message.params);
    }
    co_await self.compute.run(*ctx.net, mix_flops);
    if (math) {
      std::vector<const ml::Vector*> replicas(n, nullptr);
      for (std::size_t j = 0; j < n; ++j) replicas[j] = mine[j].get();
      MathTimer timer(ctx.math);
      mix_replicas(weights_[me], replicas, self.mixed);
      if (ctx.test_flip_average_sign) self.mixed = -self.mixed;
      self.model.parameters() = self.mixed;
    }
    self.received.erase(round);
    report(index, round, samples);
    if (ctx.monitor->stopping()) co_return;
  }
}

void Gossip::report(int index, std::int64_t round, std::int64_t samples) {
  const std::size_t n = workers_.size();
  Round& r = rounds_[round];
  if (r.replicas.empty()) r.replicas.resize(n);
  r.replicas[static_cast<std::size_t>(index)] = replica(index);
  r.samples += samples;
  if (++r.reported < static_cast<int>(n)) return;
  // Rounds complete in order: a worker reports round t before round t + 1.
  assert(rounds_.begin()->first == round);
  if (!ctx_->timing_only) {
    MathTimer timer(ctx_->math);
    ctx_->monitor->record_consensus_distance(consensus_distance(r.replicas, average_));
  }
  for (std::size_t i = 0; i < n; ++i) ctx_->monitor->record_applied(0);
  const std::int64_t total = r.samples;
  rounds_.erase(round);
  ctx_->monitor->on_update(round + 1, total, average_);
}

}  // namespace algo
