// Elastic data parallelism, the worker's side: its loop and the parts of one
// round (an all-reduce that can abort, the rollback, the commit and the
// leader's report). The rendezvous and state sync are in
// data_parallel_rejoin.cpp, the coordinator and the accounting of rounds in
// data_parallel_coordinator.cpp; the design is in data_parallel.h.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

#include "algorithms/runtime/local_time.h"
#include "algorithms/runtime/stall.h"
#include "algorithms/sync/data_parallel.h"
#include "algorithms/sync/data_parallel_parts.h"

namespace algo {

int DataParallel::Elastic::members_of(int epoch, int worker) const {
  const std::vector<int>& m = epochs.at(static_cast<std::size_t>(epoch))->members;
  const auto it = std::lower_bound(m.begin(), m.end(), worker);
  return it != m.end() && *it == worker ? static_cast<int>(it - m.begin()) : -1;
}

int DataParallel::current_epoch() const { return static_cast<int>(elastic_->epochs.size()) - 1; }

topology::NodeId DataParallel::worker_host(int worker) const {
  return workers_[static_cast<std::size_t>(worker)]->host();
}

std::string DataParallel::stall_reason() const {
  std::vector<Node> nodes;
  for (const auto& w : workers_) nodes.push_back(w->replica.node);
  return stall_waiting_for("the collective", *ctx_->net, nodes, "a chunk lost on the way");
}

std::optional<std::int64_t> DataParallel::updates_outstanding() const {
  if (elastic_) return elastic_->outstanding;
  std::int64_t open = 0;
  for (const auto& [version, copies] : round_copies_) {
    open += static_cast<std::int64_t>(copies.size());
  }
  return open;
}

// Epoch 0 is every worker, formed at launch; the coordinator runs beside them.
void DataParallel::launch_elastic() {
  RunContext& ctx = *ctx_;
  elastic_ = std::make_unique<Elastic>();
  Elastic& e = *elastic_;
  const int coordinator = config_.elastic.coordinator;
  if (coordinator >= static_cast<int>(ctx.nodes.size())) {
    throw std::invalid_argument(config_.name + " elastic coordinator: no node " +
                                std::to_string(coordinator));
  }
  e.coordinator_host =
      coordinator >= 0 ? ctx.nodes[static_cast<std::size_t>(coordinator)].host : worker_host(0);
  e.coordinator_inbox = std::make_unique<sim::Mailbox<Request>>(*ctx.sim);
  auto epoch = std::make_unique<Elastic::Epoch>();
  std::vector<topology::NodeId> hosts;
  for (int w = 0; w < static_cast<int>(workers_.size()); ++w) {
    epoch->members.push_back(w);
    epoch->incarnations.push_back(ctx.net->incarnation(worker_host(w)));
    hosts.push_back(worker_host(w));
  }
  epoch->comm =
      std::make_unique<Communicator>(*ctx.sim, *ctx.net, std::move(hosts), !ctx.timing_only, true);
  epoch_log_.push_back({ctx.sim->now(), epoch->members, -1, 0, {}});
  e.epochs.push_back(std::move(epoch));
  for (const auto& worker : workers_) {
    worker->control = std::make_unique<sim::Mailbox<Control>>(*ctx.sim);
    commit_replica(*worker);
  }
  ctx.sim->spawn(coordinate(), "elastic-coordinator");
  for (int w = 0; w < static_cast<int>(workers_.size()); ++w) {
    ctx.sim->spawn(elastic_work(w, ctx.net->incarnation(worker_host(w)), false),
                   workers_[static_cast<std::size_t>(w)]->replica.node.name);
  }
}

void DataParallel::on_host_recovered(topology::NodeId host) {
  if (!elastic_) return;
  for (int w = 0; w < static_cast<int>(workers_.size()); ++w) {
    Worker& self = *workers_[static_cast<std::size_t>(w)];
    if (self.host() != host) continue;
    // A reboot: a new process with an empty control inbox and no state.
    if (self.replica.computing) self.replica.computing->join();
    self.replica.computing = nullptr;
    self.dead_controls.push_back(std::move(self.control));
    self.control = std::make_unique<sim::Mailbox<Control>>(*ctx_->sim);
    self.has_state = false;
    self.reset_heard = false;
    ctx_->sim->spawn(elastic_work(w, ctx_->net->incarnation(host), true), self.replica.node.name);
  }
}

// ---- The worker loop.

// The plain round (local steps -> all-reduce -> average -> apply -> report),
// plus: an aborted all-reduce rolls back and rendezvouses; a round in which
// some member heard a reset notice is followed by a rendezvous of all. A
// rebooted worker (joining) starts with a rendezvous. Every wait may outlive
// the process: after each, a dead one ends.

sim::Task DataParallel::elastic_work(int worker, std::uint64_t incarnation, bool joining) {
  RunContext& ctx = *ctx_;
  Worker& self = *workers_[static_cast<std::size_t>(worker)];
  const auto dead = [&] { return ctx.net->incarnation(self.host()) != incarnation; };
  if (joining) {
    co_await rendezvous(worker, incarnation);
    if (dead()) co_return;
  } else if (worker == 0 && ctx.monitor->on_update(0, 0, parameters_of(self))) {
    co_return;
  }
  while (true) {
    if (report_epoch_start(worker)) co_return;
    std::int64_t samples = 0;  // this worker's, this round
    co_await local_steps(self, incarnation, samples);
    if (dead()) co_return;  // crashed while computing
    const std::int64_t round = self.version + 1;
    contribute(worker, round, samples);
    bool aborted = false;
    co_await elastic_allreduce(worker, incarnation, round, aborted);
    if (dead()) co_return;
    if (aborted) {
      roll_back(self);
      co_await rendezvous(worker, incarnation);
      if (dead()) co_return;
      continue;
    }
    const bool reform = reform_agreed(self, round);
    average(self);
    co_await self.replica.compute.run(*ctx.net, averaging_flops());
    if (dead()) co_return;
    apply(self);
    commit(self, round);
    if (report_commit(worker, round)) co_return;
    if (reform) {
      self.reset_heard = false;
      co_await rendezvous(worker, incarnation);
      if (dead()) co_return;
    }
  }
}

// ---- The parts of a round.

// A new leader reports the state its epoch starts from, if newer than the
// last report. Returns true when the Monitor says stop.
bool DataParallel::report_epoch_start(int worker) {
  Elastic& e = *elastic_;
  Worker& self = *workers_[static_cast<std::size_t>(worker)];
  if (e.members_of(self.epoch, worker) != 0 || self.epoch != current_epoch() ||
      self.version <= e.reported_version) {
    return false;
  }
  e.reported_version = self.version;
  const std::int64_t samples = std::exchange(e.unreported_samples, 0);
  const auto members =
      static_cast<int>(e.epochs[static_cast<std::size_t>(self.epoch)]->members.size());
  commit_log_.push_back({ctx_->sim->now(), self.version, members});
  return ctx_->monitor->on_update(self.version, samples, parameters_of(self));
}

// The round's contribution: the packed buffer, with the re-form flag set if
// the coordinator asked, entered in the accounting.
void DataParallel::contribute(int worker, std::int64_t round, std::int64_t samples) {
  Worker& self = *workers_[static_cast<std::size_t>(worker)];
  const bool flag = reset_requested(self);
  pack(self, samples);
  if (!ctx_->timing_only) self.reduced[parameters_ + 1] = flag ? 1.0f : 0.0f;
  enter_round(self.epoch, round, worker, samples, flag);
}

// Has the coordinator asked to re-form? Reads the reset notices queued for
// the worker's epoch (notices of older epochs are stale); the answer holds
// until the next rendezvous.
bool DataParallel::reset_requested(Worker& self) {
  while (auto c = self.control->try_receive()) {
    if (c->kind == Control::Kind::reset && c->epoch == self.epoch) self.reset_heard = true;
  }
  return self.reset_heard;
}

// The round's all-reduce on the epoch's communicator. It aborts when a chunk
// the worker sent is lost, or when it has not finished within `timeout` on
// the worker's own clock (a collective library's operation timeout);
// `aborted` then says so and, if the worker is alive, the abort is logged.
sim::Task DataParallel::elastic_allreduce(int worker, std::uint64_t incarnation, std::int64_t round,
                                          bool& aborted) {
  RunContext& ctx = *ctx_;
  Worker& self = *workers_[static_cast<std::size_t>(worker)];
  const int epoch = self.epoch;
  const int rank = elastic_->members_of(epoch, worker);
  Communicator& comm = *elastic_->epochs[static_cast<std::size_t>(epoch)]->comm;
  const sim::Time entered = ctx.sim->now();
  ctx.sim->spawn(abort_timer(&comm, rank, comm.next_operation(rank),
                             wait_for_local(ctx, self.host(), config_.elastic.timeout)),
                 "elastic-timer");
  try {
    co_await allreduce(comm, rank, buffer_of(self), config_.collective);
  } catch (const CollectiveAborted&) {
    aborted = true;
  }
  if (aborted && ctx.net->incarnation(self.host()) == incarnation) {
    abort_log_.push_back({worker, epoch, round, entered, ctx.sim->now()});
  }
}

// The operation timeout: aborts the rank's operation after `delay` unless it
// has finished by then (Communicator::abort ignores a finished operation).
sim::Task DataParallel::abort_timer(Communicator* comm, int rank, std::uint64_t operation,
                                    sim::Time delay) {
  co_await ctx_->sim->sleep(delay);
  comm->abort(rank, operation);
}

// An aborted round's buffer is discarded; local SGD also goes back to the
// replica and optimizer of its last averaging. The rendezvous that follows
// covers any reset notice heard.
void DataParallel::roll_back(Worker& self) {
  if (config_.averaged == Averaged::parameters && self.replica.has_model()) {
    self.replica.parameters() = self.committed;
    self.replica.optimizer = self.committed_optimizer->clone();
  }
  self.reset_heard = false;
}

// Did any member ask to re-form after this round (the flag element, summed)?
bool DataParallel::reform_agreed(Worker& self, std::int64_t round) {
  if (ctx_->timing_only) return elastic_->flags.count({self.epoch, round}) > 0;
  return self.reduced[parameters_ + 1] > 0.0f;
}

// The averaged round is the worker's committed state, its id (epoch, round).
void DataParallel::commit(Worker& self, std::int64_t round) {
  self.version = round;
  self.state_epoch = self.epoch;
  commit_replica(self);
}

// Local SGD keeps the replica and optimizer of the last averaging, to roll
// back to when a round aborts.
void DataParallel::commit_replica(Worker& self) {
  if (config_.averaged != Averaged::parameters || !self.replica.has_model()) return;
  self.committed = self.replica.parameters();
  self.committed_optimizer = self.replica.optimizer->clone();
}

// The leader of the current epoch commits the round: its contributions are
// applied and the Monitor hears of it. Returns true when the Monitor says stop.
bool DataParallel::report_commit(int worker, std::int64_t round) {
  Elastic& e = *elastic_;
  Worker& self = *workers_[static_cast<std::size_t>(worker)];
  if (e.members_of(self.epoch, worker) != 0 || self.epoch != current_epoch()) return false;
  const auto it = e.ledger.find({self.epoch, round});
  if (it != e.ledger.end()) {
    resolve(it->second, true);
    e.ledger.erase(it);
  }
  e.reported_version = round;
  const std::int64_t reported = std::exchange(e.unreported_samples, 0);
  const auto members =
      static_cast<int>(e.epochs[static_cast<std::size_t>(self.epoch)]->members.size());
  commit_log_.push_back({ctx_->sim->now(), round, members});
  return ctx_->monitor->on_update(round, reported, parameters_of(self));
}

}  // namespace algo
