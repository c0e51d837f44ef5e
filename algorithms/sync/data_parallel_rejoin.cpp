// Elastic data parallelism, a worker's side of the rendezvous (Horovod's
// rendezvous with the driver) and of the state sync (Horovod's
// state.sync()): ask the coordinator for an epoch, retrying every `timeout`
// on the worker's own clock, and start the epoch from the root's committed
// state. See data_parallel.h for the design.
#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "algorithms/runtime/local_time.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/sync/data_parallel.h"
#include "algorithms/sync/data_parallel_parts.h"

namespace algo {

// Returns when the worker belongs to a newer epoch and holds the state it
// starts from, or when the worker's process is dead (the caller checks).
sim::Task DataParallel::rendezvous(int worker, std::uint64_t incarnation) {
  RunContext& ctx = *ctx_;
  Worker& self = *workers_[static_cast<std::size_t>(worker)];
  const topology::NodeId host = self.host();
  sim::Mailbox<Control>& inbox = *self.control;  // this process's: a reboot makes a new one
  const auto deadline = [&] {
    return ctx.sim->now() + wait_for_local(ctx, host, config_.elastic.timeout);
  };
  while (true) {
    send_request(worker, incarnation);
    sim::Time answer_by = deadline();
    bool assigned = false;
    while (true) {
      std::optional<Control> c =
          co_await algo::receive_until(*ctx.net, host, inbox, answer_by, "elastic");
      if (ctx.net->incarnation(host) != incarnation) co_return;
      if (!c) break;  // no answer in time: ask again
      if (c->kind == Control::Kind::assignment && !assigned && c->epoch > self.epoch) {
        self.epoch = c->epoch;
        assigned = true;
        const Elastic::Epoch& epoch = *elastic_->epochs[static_cast<std::size_t>(c->epoch)];
        if (epoch.root == worker) send_state(worker, c->epoch);
        if (!std::binary_search(epoch.synced.begin(), epoch.synced.end(), worker)) co_return;
        answer_by = deadline();  // now wait for the root's state
      } else if (c->kind == Control::Kind::state && assigned && c->epoch == self.epoch) {
        adopt_state(self, *c);
        co_return;
      }
      // Otherwise a reset notice or a stale message: the rendezvous under way covers it.
    }
  }
}

// A request carries the id of the worker's committed state, so the
// coordinator can pick the most advanced member as the root.
void DataParallel::send_request(int worker, std::uint64_t incarnation) {
  const Worker& self = *workers_[static_cast<std::size_t>(worker)];
  Request request;
  request.worker = worker;
  request.incarnation = incarnation;
  request.known_epoch = self.epoch;
  request.has_state = self.has_state;
  request.state_epoch = self.state_epoch;
  request.version = self.version;
  send_message(*ctx_->net, self.host(), elastic_->coordinator_host, kControlBytes,
               *elastic_->coordinator_inbox, std::move(request), "rendezvous");
}

// The root's half of the sync: its committed state (parameters and
// optimizer state) to every member of the epoch whose state differs.
void DataParallel::send_state(int worker, int epoch_index) {
  const Worker& self = *workers_[static_cast<std::size_t>(worker)];
  const Elastic::Epoch& epoch = *elastic_->epochs[static_cast<std::size_t>(epoch_index)];
  const Replica& replica = self.replica;
  const double bytes =
      kControlBytes + 4.0 * (static_cast<double>(parameters_) +
                             static_cast<double>(replica.optimizer->state_size(parameters_)));
  std::shared_ptr<const ml::Vector> params;
  if (replica.model) params = std::make_shared<const ml::Vector>(replica.model->parameters());
  std::shared_ptr<const ml::Optimizer> optimizer = replica.optimizer->clone();
  for (int w : epoch.synced) {
    Worker& target = *workers_[static_cast<std::size_t>(w)];
    Control state;
    state.kind = Control::Kind::state;
    state.epoch = epoch_index;
    state.params = params;
    state.optimizer = optimizer;
    state.state_epoch = self.state_epoch;
    state.version = self.version;
    send_message(*ctx_->net, self.host(), target.host(), bytes, *target.control, std::move(state),
                 "elastic_state");
  }
}

// A synced member's half: the root's state becomes its own, and (local SGD)
// the state to roll back to.
void DataParallel::adopt_state(Worker& self, const Control& state) {
  if (self.replica.has_model()) self.replica.parameters() = *state.params;
  self.replica.optimizer = state.optimizer->clone();
  self.has_state = true;
  self.state_epoch = state.state_epoch;
  self.version = state.version;
  commit_replica(self);
}

}  // namespace algo
