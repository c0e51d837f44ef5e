// Gossip under faults (issue #6): a bounded wait for the neighbours' replicas
// on the worker's own clock, per-contribution accounting, and a rebooted
// worker that pulls a neighbour's replica to rejoin. The rules are in
// gossip.h.
#include <algorithm>
#include <utility>

#include "algorithms/sync/gossip_worker.h"
#include "algorithms/runtime/local_time.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/runtime/training_seeds.h"

namespace algo {
namespace {

// Bytes of a rejoining worker's request for a neighbour's replica.
constexpr double kRequestBytes = 64.0;

}  // namespace

std::optional<std::int64_t> Gossip::updates_outstanding() const {
  if (config_.timeout <= 0) return std::nullopt;
  return outstanding_;
}

void Gossip::on_host_recovered(topology::NodeId host) {
  if (config_.timeout <= 0) return;
  for (int w = 0; w < static_cast<int>(workers_.size()); ++w) {
    Worker& self = *workers_[static_cast<std::size_t>(w)];
    if (self.node.host != host) continue;
    // The dead process may not have woken yet: settle what it held now. It
    // keeps its Life (and inbox) until it wakes and ends.
    abandon(w, *self.life);
    if (self.computing) self.computing->join();
    self.computing = nullptr;
    self.life = std::make_shared<Life>(*ctx_->sim);
    ctx_->sim->spawn(resilient_work(w, true), self.node.name);
  }
}

sim::Task Gossip::tick_after(std::shared_ptr<Life> life, std::uint64_t seq, sim::Time delay) {
  co_await ctx_->sim->sleep(delay);
  ReplicaMessage tick;
  tick.kind = ReplicaMessage::Kind::tick;
  tick.seq = seq;
  life->inbox.send(std::move(tick));
}

void Gossip::request_state(int index, int from, std::uint64_t incarnation) {
  const Worker& self = *workers_[static_cast<std::size_t>(index)];
  const Worker& peer = *workers_[static_cast<std::size_t>(from)];
  // The neighbour answers from a serving thread beside its training loop,
  // with the replica it holds when the request lands.
  ctx_->net->start_transfer(
      self.node.host, peer.node.host, kRequestBytes, [this, index, from, incarnation] {
        Worker& asker = *workers_[static_cast<std::size_t>(index)];
        const Worker& holder = *workers_[static_cast<std::size_t>(from)];
        if (!holder.active || ctx_->net->incarnation(asker.node.host) != incarnation) return;
        ReplicaMessage state;
        state.kind = ReplicaMessage::Kind::state;
        state.round = holder.sent_round + 1;
        state.from = from;
        state.incarnation = incarnation;
        if (!ctx_->timing_only) {
          state.params = std::make_shared<const ml::Vector>(holder.model.parameters());
        }
        const double bytes = static_cast<double>(average_.size()) * sizeof(float);
        send_message(*ctx_->net, holder.node.host, asker.node.host, bytes, asker.life->inbox,
                     std::move(state), "gossip_state");
      });
}

void Gossip::hold(Life& life, ReplicaMessage message, std::int64_t current) {
  if (message.round < current) {
    --outstanding_;
    ctx_->monitor->record_dropped(1, "late");  // its round was mixed without it
    return;
  }
  life.received.try_emplace(message.round, workers_.size())
      .first->second[static_cast<std::size_t>(message.from)] = std::move(message.params);
}

void Gossip::abandon(int index, Life& life) {
  if (life.settled) return;
  life.settled = true;
  std::int64_t held = 0;
  for (const auto& [round, from] : life.received) {
    for (const auto& params : from) held += params ? 1 : 0;
  }
  life.received.clear();
  while (auto message = life.inbox.try_receive()) {
    if (message->kind == ReplicaMessage::Kind::replica) ++held;
  }
  outstanding_ -= held;
  if (held > 0) ctx_->monitor->record_dropped(held, "crashed");
  workers_[static_cast<std::size_t>(index)]->active = false;
  close_rounds();
}

sim::Task Gossip::resilient_work(int index, bool rejoin) {
  RunContext& ctx = *ctx_;
  Worker& self = *workers_[static_cast<std::size_t>(index)];
  const auto me = static_cast<std::size_t>(index);
  const std::vector<int>& neighbours = neighbours_[me];
  const auto n = workers_.size();
  const topology::NodeId host = self.node.host;
  const std::uint64_t incarnation = ctx.net->incarnation(host);
  const auto dead = [&] { return ctx.net->incarnation(host) != incarnation; };
  const std::shared_ptr<Life> life = self.life;
  const auto arm = [&] {
    ctx.sim->spawn(tick_after(life, ++self.wait_seq, wait_for_local(ctx, host, config_.timeout)),
                   "gossip-timer");
    return self.wait_seq;
  };
  const double bytes = static_cast<double>(average_.size()) * sizeof(float);
  const double flops_per_sample = self.model.train_flops_per_sample();
  const bool math = !ctx.timing_only;

  std::int64_t first = 0;
  if (rejoin) {
    // A new process with no model: pull a neighbour's, next one on each timeout.
    self.active = false;
    bool adopted = neighbours.empty();
    if (adopted) {  // alone: start over from the initial model
      ml::Mlp fresh(ctx.model);
      fresh.initialize(model_init_seed(ctx.seed));
      self.model.parameters() = fresh.parameters();
      self.optimizer = ctx.optimizer->clone();
      first = closed_through_ + 1;
    }
    for (std::size_t attempt = 0; !adopted; ++attempt) {
      const int from = neighbours[attempt % neighbours.size()];
      request_state(index, from, incarnation);
      const std::uint64_t seq = arm();
      while (true) {
        ReplicaMessage message =
            co_await algo::receive(*ctx.net, host, life->inbox, "gossip_state");
        if (dead()) {
          abandon(index, *life);
          co_return;
        }
        if (message.kind == ReplicaMessage::Kind::tick) {
          if (message.seq == seq) break;
          continue;
        }
        if (message.kind == ReplicaMessage::Kind::replica) {
          hold(*life, std::move(message), 0);
          continue;
        }
        if (message.incarnation != incarnation) continue;
        if (math) self.model.parameters() = *message.params;
        self.optimizer = ctx.optimizer->clone();
        first = message.round;
        rejoins_.push_back({index, message.from, ctx.sim->now(), first});
        adopted = true;
        break;
      }
    }
    // Replicas of rounds before the first it runs will never be mixed.
    for (auto it = life->received.begin(); it != life->received.end() && it->first < first;) {
      for (const auto& params : it->second) {
        if (!params) continue;
        --outstanding_;
        ctx.monitor->record_dropped(1, "stale");
      }
      it = life->received.erase(it);
    }
    self.joined_round = first;
    self.sent_round = first - 1;
    self.active = true;
  } else if (index == 0 && ctx.monitor->on_update(0, 0, average_)) {
    co_return;
  }

  for (std::int64_t round = first;; ++round) {
    const auto batch = self.sampler.next_batch(self.batch_size);
    const auto samples = static_cast<std::int64_t>(batch.size());
    float loss = 0.0f;
    MathPool::Job job;
    if (math) {
      job = submit_math(ctx.math, [&] {
        ml::gather_batch(*ctx.train, batch, self.x, self.y);
        loss = self.model.loss_and_gradient(self.x, self.y, self.gradient);
      });
      self.computing = &job;
    }
    co_await self.compute.run(*ctx.net, flops_per_sample * static_cast<double>(samples));
    job.join();
    if (self.computing == &job) self.computing = nullptr;
    if (dead()) {  // crashed while computing: the gradient never left
      abandon(index, *life);
      co_return;
    }
    if (math) {
      ctx.monitor->record_train_loss(loss, samples);
      MathTimer timer(ctx.math);
      self.optimizer->step(self.model.parameters(), self.gradient);
    }

    // One contribution for itself and one per neighbour.
    auto snapshot = std::make_shared<const ml::Vector>(self.model.parameters());
    ctx.monitor->record_produced(1 + static_cast<std::int64_t>(neighbours.size()));
    outstanding_ += 1 + static_cast<std::int64_t>(neighbours.size());
    for (int j : neighbours) {
      Worker& peer = *workers_[static_cast<std::size_t>(j)];
      ReplicaMessage message;
      message.round = round;
      message.from = index;
      message.params = snapshot;
      send_message(*ctx.net, host, peer.node.host, bytes, peer.life->inbox, std::move(message),
                   "replica", [this] {
                     --outstanding_;
                     ctx_->monitor->record_lost();
                   });
    }
    self.sent_round = round;
    auto& mine = life->received.try_emplace(round, n).first->second;
    mine[me] = snapshot;
    const auto missing = [&] {
      return std::any_of(neighbours.begin(), neighbours.end(),
                         [&](int j) { return !mine[static_cast<std::size_t>(j)]; });
    };
    const sim::Time started = ctx.sim->now();
    const std::uint64_t seq = arm();
    while (missing()) {
      ReplicaMessage message = co_await algo::receive(*ctx.net, host, life->inbox, "replica");
      if (dead()) {
        abandon(index, *life);
        co_return;
      }
      if (message.kind == ReplicaMessage::Kind::tick) {
        if (message.seq != seq) continue;
        timeouts_.push_back({index, round, started, ctx.sim->now()});
        break;
      }
      if (message.kind == ReplicaMessage::Kind::state) continue;  // an answer it gave up on
      hold(*life, std::move(message), round);
    }

    // Mix what arrived; a missing neighbour's weight stays with the worker.
    std::vector<double> weights = weights_[me];
    std::int64_t present = 1;
    for (int j : neighbours) {
      const auto k = static_cast<std::size_t>(j);
      if (mine[k]) {
        ++present;
      } else {
        weights[me] += weights[k];
        weights[k] = 0.0;
      }
    }
    co_await self.compute.run(
        *ctx.net, 2.0 * static_cast<double>(present) * static_cast<double>(average_.size()));
    if (dead()) {
      abandon(index, *life);
      co_return;
    }
    if (math) {
      std::vector<const ml::Vector*> replicas(n, nullptr);
      for (std::size_t j = 0; j < n; ++j) replicas[j] = mine[j].get();
      MathTimer timer(ctx.math);
      mix_replicas(weights, replicas, self.mixed);
      if (ctx.test_flip_average_sign) self.mixed = -self.mixed;
      self.model.parameters() = self.mixed;
    }
    for (std::int64_t k = 0; k < present; ++k) ctx.monitor->record_applied(0);
    outstanding_ -= present;
    life->received.erase(round);
    report_resilient(index, round, samples);
    if (ctx.monitor->stopping()) co_return;
  }
}

void Gossip::report_resilient(int index, std::int64_t round, std::int64_t samples) {
  if (round <= closed_through_) return;  // closed without it (it rejoined late)
  const std::size_t n = workers_.size();
  Round& r = rounds_[round];
  if (r.reported_by.empty()) {
    r.replicas.resize(n);
    r.reported_by.assign(n, 0);
  }
  r.replicas[static_cast<std::size_t>(index)] = replica(index);
  r.reported_by[static_cast<std::size_t>(index)] = 1;
  r.samples += samples;
  close_rounds();
}

void Gossip::close_rounds() {
  while (!rounds_.empty() && !ctx_->monitor->stopping()) {
    auto it = rounds_.begin();
    const std::int64_t round = it->first;
    Round& r = it->second;
    for (std::size_t w = 0; w < workers_.size(); ++w) {
      const Worker& worker = *workers_[w];
      if (r.reported_by[w] || !worker.active || worker.joined_round > round) continue;
      return;  // a running worker has yet to mix this round
    }
    std::vector<ml::Vector> mixed;
    for (std::size_t w = 0; w < workers_.size(); ++w) {
      if (r.reported_by[w]) mixed.push_back(std::move(r.replicas[w]));
    }
    if (!ctx_->timing_only) {
      MathTimer timer(ctx_->math);
      ctx_->monitor->record_consensus_distance(consensus_distance(mixed, average_));
    }
    const std::int64_t samples = r.samples;
    rounds_.erase(it);
    closed_through_ = round;
    if (ctx_->monitor->on_update(round + 1, samples, average_)) return;
  }
}

}  // namespace algo
