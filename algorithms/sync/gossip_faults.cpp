// Gossip under faults: a bounded wait for the neighbours' replicas on the
// worker's own clock, and per-contribution accounting. The rules are in
// gossip.h; a rebooted worker's rejoin is in gossip_rejoin.cpp.
#include <limits>
#include <utility>

#include "algorithms/runtime/local_time.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/runtime/stall.h"
#include "algorithms/sync/gossip_worker.h"

namespace algo {

std::string Gossip::stall_reason() const {
  std::vector<Node> nodes;
  for (const auto& w : workers_) nodes.push_back(w->node());
  return stall_waiting_for("every gossip worker", *ctx_->net, nodes,
                           "a neighbour's replica lost on the way");
}

std::optional<std::int64_t> Gossip::updates_outstanding() const { return outstanding_; }

void Gossip::on_host_crashed(topology::NodeId host) {
  // With a timeout the process notices by its deadline; without one it may
  // wait for ever, so what it held is dropped now.
  if (config_.timeout > 0) return;
  for (int w = 0; w < static_cast<int>(workers_.size()); ++w) {
    if (worker(w).node().host == host) abandon(w, *worker(w).life);
  }
}

void Gossip::on_host_recovered(topology::NodeId host) {
  if (config_.timeout <= 0) return;
  for (int w = 0; w < static_cast<int>(workers_.size()); ++w) {
    Worker& self = worker(w);
    if (self.node().host != host) continue;
    // The dead process may not have woken yet: settle what it held now. It
    // keeps its Life (and inbox) until it wakes and ends.
    abandon(w, *self.life);
    if (self.replica.computing) self.replica.computing->join();
    self.replica.computing = nullptr;
    self.life = std::make_shared<Life>(*ctx_->sim);
    ctx_->sim->spawn(resilient_work(w, true), self.node().name);
  }
}

// The program of a gossip worker under faults: step, send, wait at most the
// timeout, mix what came. The loop ends only when the process dies (it
// notices at its next wake-up), and then settles what it held.
sim::Task Gossip::resilient_work(int index, bool rejoining) {
  RunContext& ctx = *ctx_;
  Worker& self = worker(index);
  const std::shared_ptr<Life> life = self.life;  // this process's, even once a reboot replaces it
  life->incarnation = ctx.net->incarnation(self.node().host);
  const auto dead = [&] { return ctx.net->incarnation(self.node().host) != life->incarnation; };
  std::int64_t first = 0;
  if (rejoining) {
    co_await rejoin(index, *life, first);
  } else if (index == 0 && ctx.monitor->on_update(0, 0, average_)) {
    co_return;
  }

  for (std::int64_t round = first; !dead(); ++round) {
    const StepResult step = co_await self.replica.local_step(ctx, training_step());
    if (dead()) break;  // crashed while computing: the replica never left
    auto& mine = send_contributions(index, round);
    co_await await_neighbours(index, round, *life);
    if (dead()) break;
    std::int64_t present = 0;
    const std::vector<double> weights = surviving_row(index, mine, present);
    co_await self.replica.compute.run(*ctx.net, mix_flops(present));
    if (dead()) break;
    mix(index, mine, weights);
    count_mixed(index, round, present, step.samples);
    if (ctx.monitor->stopping()) co_return;
  }
  abandon(index, *life);
}

std::vector<std::shared_ptr<const ml::Vector>>& Gossip::send_contributions(int index,
                                                                           std::int64_t round) {
  const auto contributions =  // one for itself, one per neighbour
      1 + static_cast<std::int64_t>(neighbours_[static_cast<std::size_t>(index)].size());
  ctx_->monitor->record_produced(contributions);
  outstanding_ += contributions;
  auto& mine = send_replica(
      index, round,
      [this] {
        --outstanding_;
        ctx_->monitor->record_lost();
      },
      true);
  worker(index).sent_round = round;
  return mine;
}

void Gossip::count_mixed(int index, std::int64_t round, std::int64_t present,
                         std::int64_t samples) {
  for (std::int64_t k = 0; k < present; ++k) ctx_->monitor->record_applied(0);
  outstanding_ -= present;
  Life& life = *worker(index).life;
  life.received.erase(round);
  settle_copies(life, round + 1);
  if (config_.timeout > 0) {
    report_resilient(index, round, samples);
  } else {
    report(index, round, samples);
  }
}

sim::Task Gossip::await_neighbours(int index, std::int64_t round, Life& life) {
  RunContext& ctx = *ctx_;
  const topology::NodeId host = worker(index).node().host;
  const auto& mine = life.received.at(round);
  const sim::Time started = ctx.sim->now();
  const sim::Time deadline = started + wait_for_local(ctx, host, config_.timeout);
  while (missing(index, mine)) {
    std::optional<ReplicaMessage> message =
        co_await algo::receive_until(*ctx.net, host, life.inbox, deadline, "replica");
    if (ctx.net->incarnation(host) != life.incarnation) co_return;  // dead: the caller settles
    if (!message) {
      timeouts_.push_back({index, round, started, ctx.sim->now()});
      co_return;
    }
    if (message->kind == ReplicaMessage::Kind::state) continue;  // an answer it gave up on
    hold(life, std::move(*message), round);
  }
}

std::vector<double> Gossip::surviving_row(
    int index, const std::vector<std::shared_ptr<const ml::Vector>>& mine,
    std::int64_t& present) const {
  const auto me = static_cast<std::size_t>(index);
  std::vector<double> weights = weights_[me];
  present = 1;
  for (int j : neighbours_[me]) {
    const auto k = static_cast<std::size_t>(j);
    if (mine[k]) {
      ++present;
    } else {
      weights[me] += weights[k];
      weights[k] = 0.0;
    }
  }
  return weights;
}

void Gossip::hold(Life& life, ReplicaMessage message, std::int64_t current) {
  if (message.round < current) {
    --outstanding_;
    ctx_->monitor->record_dropped(1, "late");  // its round was mixed without it
    message.update_copy.settle();
    return;
  }
  UpdateCopy& kept = life.copies[{message.round, message.from}];
  if (kept) {
    // The same neighbour's replica for the same round again: a rebooted
    // neighbour restarted at a round its dead process had already sent. The
    // newer replica replaces the older, which is dropped, not mixed.
    --outstanding_;
    ctx_->monitor->record_dropped(1, "superseded");
    kept.settle();
  }
  kept = std::move(message.update_copy);
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
    message->update_copy.settle();
  }
  settle_copies(life, std::numeric_limits<std::int64_t>::max());
  outstanding_ -= held;
  if (held > 0) ctx_->monitor->record_dropped(held, "crashed");
  worker(index).active = false;
  if (config_.timeout > 0) close_rounds();  // without one, rounds wait for every worker
}

void Gossip::settle_copies(Life& life, std::int64_t before) {
  auto it = life.copies.begin();
  for (; it != life.copies.end() && it->first.first < before; ++it) it->second.settle();
  life.copies.erase(life.copies.begin(), it);
}

void Gossip::report_resilient(int index, std::int64_t round, std::int64_t samples) {
  if (round <= closed_through_) return;  // closed without it (it rejoined late)
  const std::size_t n = workers_.size();
  Round& r = rounds_[round];
  if (r.reported_by.empty()) {
    r.replicas.resize(n);
    r.reported_by.assign(n, 0);
  }
  if (!ctx_->timing_only) r.replicas[static_cast<std::size_t>(index)] = replica(index);
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
