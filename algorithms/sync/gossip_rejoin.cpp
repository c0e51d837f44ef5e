// Gossip: a rebooted worker rejoins the ring. Its new process holds no model
// worth mixing, so it pulls a neighbour's replica (a 64-byte request, a
// P x 4-byte answer), trying its neighbours in order and moving to the next
// one when an answer takes longer than the timeout on its own clock, and
// starts at the round after the last one that neighbour sent, with fresh
// optimizer state. The rules are in gossip.h.
#include <utility>

#include "algorithms/runtime/model_shape.h"
#include "algorithms/runtime/local_time.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/runtime/training_seeds.h"
#include "algorithms/sync/gossip_worker.h"

namespace algo {
namespace {

// Bytes of a rejoining worker's request for a neighbour's replica.
constexpr double kRequestBytes = 64.0;

}  // namespace

sim::Task Gossip::rejoin(int index, Life& life, std::int64_t& first) {
  RunContext& ctx = *ctx_;
  Worker& self = worker(index);
  const std::vector<int>& neighbours = neighbours_[static_cast<std::size_t>(index)];
  const topology::NodeId host = self.node().host;
  self.active = false;
  if (neighbours.empty()) {  // alone: start over from the initial model
    if (self.replica.has_model()) {
      self.replica.parameters() = initial_parameters(ctx);
    }
    self.replica.optimizer = ctx.optimizer->clone();
    first = closed_through_ + 1;
  }
  for (std::size_t attempt = 0; !neighbours.empty(); ++attempt) {
    const int from = neighbours[attempt % neighbours.size()];
    request_state(index, from, life.incarnation);
    const sim::Time deadline = ctx.sim->now() + wait_for_local(ctx, host, config_.timeout);
    std::optional<ReplicaMessage> message;
    while ((message = co_await algo::receive_until(*ctx.net, host, life.inbox, deadline,
                                                   "gossip_state"))) {
      if (ctx.net->incarnation(host) != life.incarnation) co_return;  // dead: the caller settles
      if (message->kind == ReplicaMessage::Kind::replica) {
        hold(life, std::move(*message), 0);  // a neighbour's round, kept until it knows its first
      } else if (message->incarnation == life.incarnation) {
        break;  // the answer to this process (an earlier one's is ignored)
      }
    }
    if (ctx.net->incarnation(host) != life.incarnation) co_return;
    if (!message) continue;  // no answer in time: ask the next neighbour
    if (self.replica.has_model()) self.replica.parameters() = *message->params;
    self.replica.optimizer = ctx.optimizer->clone();
    first = message->round;
    rejoins_.push_back({index, message->from, ctx.sim->now(), first});
    break;
  }
  drop_stale(life, first);
  self.joined_round = first;
  self.sent_round = first - 1;
  self.active = true;
}

void Gossip::request_state(int index, int from, std::uint64_t incarnation) {
  const Worker& self = worker(index);
  const Worker& peer = worker(from);
  // The neighbour answers from a serving thread beside its training loop,
  // with the last replica it completed when the request lands (not one a
  // step in progress is updating).
  ctx_->net->start_transfer(
      self.node().host, peer.node().host, kRequestBytes, [this, index, from, incarnation] {
        Worker& asker = worker(index);
        const Worker& holder = worker(from);
        if (!holder.active || ctx_->net->incarnation(asker.node().host) != incarnation) return;
        ReplicaMessage state;
        state.kind = ReplicaMessage::Kind::state;
        state.round = holder.sent_round + 1;
        state.from = from;
        state.incarnation = incarnation;
        if (holder.replica.has_model()) {
          state.params = std::make_shared<const ml::Vector>(holder.last_complete());
        }
        const double bytes = static_cast<double>(parameters_) * sizeof(float);
        send_message(*ctx_->net, holder.node().host, asker.node().host, bytes, asker.life->inbox,
                     std::move(state), "gossip_state");
      });
}

void Gossip::drop_stale(Life& life, std::int64_t first) {
  for (auto it = life.received.begin(); it != life.received.end() && it->first < first;) {
    for (const auto& params : it->second) {
      if (!params) continue;
      --outstanding_;
      ctx_->monitor->record_dropped(1, "stale");
    }
    it = life.received.erase(it);
  }
  settle_copies(life, first);
}

}  // namespace algo
