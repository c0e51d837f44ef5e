// Elastic data parallelism (issue #6): abort on loss or timeout, rendezvous
// at a coordinator, sync from the most advanced member, rejoin at a round
// boundary. The design and the accounting rules are in data_parallel.h.
#include <algorithm>
#include <stdexcept>
#include <utility>

#include "algorithms/sync/data_parallel.h"
#include "algorithms/sync/data_parallel_parts.h"
#include "algorithms/runtime/local_time.h"
#include "algorithms/runtime/messaging.h"

namespace algo {
namespace {

// Bytes of the small control messages: a request, a reset notice, the
// header of an assignment (plus 4 per member) or of a state transfer.
constexpr double kControlBytes = 64.0;

}  // namespace

int DataParallel::Elastic::members_of(int epoch, int worker) const {
  const std::vector<int>& m = epochs.at(static_cast<std::size_t>(epoch))->members;
  const auto it = std::lower_bound(m.begin(), m.end(), worker);
  return it != m.end() && *it == worker ? static_cast<int>(it - m.begin()) : -1;
}

int DataParallel::current_epoch() const { return static_cast<int>(elastic_->epochs.size()) - 1; }

topology::NodeId DataParallel::worker_host(int worker) const {
  return workers_[static_cast<std::size_t>(worker)]->node.host;
}

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
  for (std::size_t w = 0; w < workers_.size(); ++w) {
    Worker& self = *workers_[w];
    self.control = std::make_unique<sim::Mailbox<Control>>(*ctx.sim);
    if (config_.averaged == Averaged::parameters && self.model) {
      self.committed = self.model->parameters();
      self.committed_optimizer = self.optimizer->clone();
    }
  }
  ctx.sim->spawn(coordinate(), "elastic-coordinator");
  for (int w = 0; w < static_cast<int>(workers_.size()); ++w) {
    ctx.sim->spawn(elastic_work(w, ctx.net->incarnation(worker_host(w)), false),
                   workers_[static_cast<std::size_t>(w)]->node.name);
  }
}

void DataParallel::on_host_recovered(topology::NodeId host) {
  if (!elastic_) return;
  for (int w = 0; w < static_cast<int>(workers_.size()); ++w) {
    Worker& self = *workers_[static_cast<std::size_t>(w)];
    if (self.node.host != host) continue;
    // A reboot: a new process with an empty control inbox and no state.
    if (self.computing) self.computing->join();
    self.computing = nullptr;
    self.dead_controls.push_back(std::move(self.control));
    self.control = std::make_unique<sim::Mailbox<Control>>(*ctx_->sim);
    self.has_state = false;
    self.reset_heard = false;
    ctx_->sim->spawn(elastic_work(w, ctx_->net->incarnation(host), true), self.node.name);
  }
}

const ml::Vector& DataParallel::replica(int worker) const {
  static const ml::Vector none;
  const Worker& w = *workers_.at(static_cast<std::size_t>(worker));
  return w.model ? w.model->parameters() : none;
}

std::optional<std::int64_t> DataParallel::updates_outstanding() const {
  if (!elastic_) return std::nullopt;
  return elastic_->outstanding;
}

sim::Task DataParallel::control_timer(sim::Mailbox<Control>* box, std::uint64_t seq,
                                      sim::Time delay) {
  co_await ctx_->sim->sleep(delay);
  Control tick;
  tick.kind = Control::Kind::tick;
  tick.seq = seq;
  box->send(std::move(tick));
}

sim::Task DataParallel::abort_timer(Communicator* comm, int rank, std::uint64_t operation,
                                    sim::Time delay) {
  co_await ctx_->sim->sleep(delay);
  comm->abort(rank, operation);  // ignored if the operation has finished
}

// ---- Accounting.

void DataParallel::enter_round(int epoch, std::int64_t version, int worker, std::int64_t samples,
                               bool flag) {
  RunContext& ctx = *ctx_;
  Elastic& e = *elastic_;
  ctx.monitor->record_produced();
  if (flag && ctx.timing_only) e.flags[{epoch, version}] = true;
  Round& round = e.ledger[{epoch, version}];
  round.contributors.emplace_back(worker, ctx.net->incarnation(worker_host(worker)));
  round.samples += samples;
  ++e.outstanding;
  if (epoch < current_epoch()) {  // a newer epoch already formed: this round can never commit
    resolve(epoch, version, round, false);
    e.ledger.erase({epoch, version});
  }
}

void DataParallel::resolve(int epoch, std::int64_t version, Round& round, bool applied) {
  RunContext& ctx = *ctx_;
  Elastic& e = *elastic_;
  (void)epoch;
  (void)version;
  const int newest = current_epoch();
  for (const auto& [worker, incarnation] : round.contributors) {
    --e.outstanding;
    if (applied) {
      ctx.monitor->record_applied(0);
    } else if (ctx.net->incarnation(worker_host(worker)) != incarnation) {
      ctx.monitor->record_dropped(1, "crashed");
    } else if (e.members_of(newest, worker) < 0) {
      ctx.monitor->record_dropped(1, "unreachable");
    } else {
      ctx.monitor->record_dropped(1, "aborted");
    }
  }
  if (applied) e.unreported_samples += round.samples;
  round.contributors.clear();
}

// ---- The coordinator (Horovod's driver).

sim::Task DataParallel::coordinate() {
  RunContext& ctx = *ctx_;
  Elastic& e = *elastic_;
  while (true) {
    Request request =
        co_await algo::receive(*ctx.net, e.coordinator_host, *e.coordinator_inbox, "rendezvous");
    if (request.tick) {
      if (!e.gathering || request.seq != e.coordinator_tick) continue;
      if (!try_form()) {
        arm_coordinator_timer();
      }
      continue;
    }
    handle_request(request);
  }
}

// The coordinator's gathering deadline: a tick in its own inbox after
// `timeout` on its own clock; only the latest armed tick counts.
void DataParallel::arm_coordinator_timer() {
  Elastic& e = *elastic_;
  ctx_->sim->spawn(
      [](DataParallel* self, std::uint64_t seq, sim::Time delay) -> sim::Task {
        co_await self->ctx_->sim->sleep(delay);
        Request tick;
        tick.tick = true;
        tick.seq = seq;
        self->elastic_->coordinator_inbox->send(tick);
      }(this, ++e.coordinator_tick,
        wait_for_local(*ctx_, e.coordinator_host, config_.elastic.timeout)),
      "elastic-coordinator-timer");
}

void DataParallel::handle_request(const Request& request) {
  RunContext& ctx = *ctx_;
  Elastic& e = *elastic_;
  const int current = current_epoch();
  const Elastic::Epoch& epoch = *e.epochs.back();
  const int rank = e.members_of(current, request.worker);
  const bool same_process =
      rank >= 0 && epoch.incarnations[static_cast<std::size_t>(rank)] == request.incarnation;
  if (!e.gathering && same_process && request.known_epoch < current) {
    send_assignment(request.worker);  // its assignment was lost: the request is a retry
    return;
  }
  if (!e.gathering) {
    e.gathering = true;
    if (!same_process) {  // someone wants in: ask the members to re-form after a round
      for (int member : epoch.members) {
        Control reset;
        reset.kind = Control::Kind::reset;
        reset.epoch = current;
        Worker& target = *workers_[static_cast<std::size_t>(member)];
        send_message(*ctx.net, e.coordinator_host, target.node.host, kControlBytes, *target.control,
                     std::move(reset), "elastic_reset");
      }
    }
    arm_coordinator_timer();
  }
  e.pending[request.worker] = request;
  try_form();
}

bool DataParallel::try_form() {
  RunContext& ctx = *ctx_;
  Elastic& e = *elastic_;
  // Host discovery: the workers that are up and reachable now.
  std::vector<int> members;
  int root = -1;
  for (int w = 0; w < static_cast<int>(workers_.size()); ++w) {
    const topology::NodeId host = worker_host(w);
    if (!ctx.net->host_up(host) || !ctx.net->can_reach(e.coordinator_host, host)) continue;
    const auto it = e.pending.find(w);
    if (it == e.pending.end() || it->second.incarnation != ctx.net->incarnation(host)) return false;
    members.push_back(w);
    const Request& r = it->second;
    if (r.has_state &&
        (root < 0 || r.version > e.pending.at(root).version)) {  // ties: the lowest index
      root = w;
    }
  }
  if (members.empty() || root < 0) return false;  // nobody holds a model to go on from
  const Request& from = e.pending.at(root);

  auto epoch = std::make_unique<Elastic::Epoch>();
  epoch->members = members;
  epoch->root = root;
  std::vector<topology::NodeId> hosts;
  for (int w : members) {
    epoch->incarnations.push_back(ctx.net->incarnation(worker_host(w)));
    hosts.push_back(worker_host(w));
    const Request& r = e.pending.at(w);
    if (!r.has_state || r.state_epoch != from.state_epoch || r.version != from.version) {
      epoch->synced.push_back(w);
    }
  }
  epoch->comm =
      std::make_unique<Communicator>(*ctx.sim, *ctx.net, std::move(hosts), !ctx.timing_only, true);
  epoch_log_.push_back({ctx.sim->now(), members, root, from.version, epoch->synced});
  e.epochs.push_back(std::move(epoch));
  e.gathering = false;
  // Every open round is now settled: the root's state holds it or not.
  for (auto& [key, round] : e.ledger) {
    const bool kept = key.first == from.state_epoch && key.second <= from.version;
    resolve(key.first, key.second, round, kept);
  }
  e.ledger.clear();
  for (int w : members) send_assignment(w);
  e.pending.clear();
  return true;
}

void DataParallel::send_assignment(int worker) {
  RunContext& ctx = *ctx_;
  Elastic& e = *elastic_;
  Control assignment;
  assignment.kind = Control::Kind::assignment;
  assignment.epoch = current_epoch();
  Worker& target = *workers_[static_cast<std::size_t>(worker)];
  const double bytes = kControlBytes + 4.0 * static_cast<double>(e.epochs.back()->members.size());
  send_message(*ctx.net, e.coordinator_host, target.node.host, bytes, *target.control,
               std::move(assignment), "elastic_assignment");
}

// ---- A worker's side of the rendezvous.

sim::Task DataParallel::rendezvous(int worker, std::uint64_t incarnation) {
  RunContext& ctx = *ctx_;
  Elastic& e = *elastic_;
  Worker& self = *workers_[static_cast<std::size_t>(worker)];
  const topology::NodeId host = self.node.host;
  const auto dead = [&] { return ctx.net->incarnation(host) != incarnation; };
  sim::Mailbox<Control>* box = self.control.get();
  const auto arm = [&] {
    ctx.sim->spawn(
        control_timer(box, ++self.wait_seq, wait_for_local(ctx, host, config_.elastic.timeout)),
        "elastic-timer");
    return self.wait_seq;
  };
  while (true) {
    Request request;
    request.worker = worker;
    request.incarnation = incarnation;
    request.known_epoch = self.epoch;
    request.has_state = self.has_state;
    request.state_epoch = self.state_epoch;
    request.version = self.version;
    send_message(*ctx.net, host, e.coordinator_host, kControlBytes, *e.coordinator_inbox,
                 std::move(request), "rendezvous");
    std::uint64_t seq = arm();
    bool assigned = false;
    while (true) {
      Control c = co_await algo::receive(*ctx.net, host, *box, "elastic");
      if (dead()) co_return;
      if (c.kind == Control::Kind::tick) {
        if (c.seq == seq) break;  // no answer in time: ask again
        continue;
      }
      if (c.kind == Control::Kind::assignment && !assigned && c.epoch > self.epoch) {
        self.epoch = c.epoch;
        assigned = true;
        const Elastic::Epoch& epoch = *e.epochs[static_cast<std::size_t>(c.epoch)];
        if (epoch.root == worker) {
          // The root sends its committed state to those that lack it.
          const double bytes =
              kControlBytes + 4.0 * (static_cast<double>(parameters_) +
                                     static_cast<double>(self.optimizer->state_size(parameters_)));
          std::shared_ptr<const ml::Vector> params;
          if (self.model) params = std::make_shared<const ml::Vector>(self.model->parameters());
          std::shared_ptr<const ml::Optimizer> optimizer = self.optimizer->clone();
          for (int w : epoch.synced) {
            Worker& target = *workers_[static_cast<std::size_t>(w)];
            Control state;
            state.kind = Control::Kind::state;
            state.epoch = c.epoch;
            state.params = params;
            state.optimizer = optimizer;
            state.state_epoch = self.state_epoch;
            state.version = self.version;
            send_message(*ctx.net, host, target.node.host, bytes, *target.control, std::move(state),
                         "elastic_state");
          }
        }
        if (!std::binary_search(epoch.synced.begin(), epoch.synced.end(), worker)) co_return;
        seq = arm();  // now wait for the root's state
        continue;
      }
      if (c.kind == Control::Kind::state && assigned && c.epoch == self.epoch) {
        if (self.model) self.model->parameters() = *c.params;
        self.optimizer = c.optimizer->clone();
        self.has_state = true;
        self.state_epoch = c.state_epoch;
        self.version = c.version;
        if (config_.averaged == Averaged::parameters && self.model) {
          self.committed = self.model->parameters();
          self.committed_optimizer = self.optimizer->clone();
        }
        co_return;
      }
      // A reset notice or a stale message: the rendezvous under way covers it.
    }
  }
}

// ---- The worker loop.

sim::Task DataParallel::elastic_work(int worker, std::uint64_t incarnation, bool joining) {
  RunContext& ctx = *ctx_;
  Elastic& e = *elastic_;
  Worker& self = *workers_[static_cast<std::size_t>(worker)];
  const topology::NodeId host = self.node.host;
  const auto dead = [&] { return ctx.net->incarnation(host) != incarnation; };
  const bool math = !ctx.timing_only;
  const Eigen::Index p = parameters_;
  const double flops_per_sample = flops_per_sample_;
  const double optimizer_flops = 2.0 * static_cast<double>(p);
  const bool local = config_.averaged == Averaged::parameters;
  if (math) self.reduced.resize(p + 2);
  const std::span<float> buffer = math ? std::span<float>(self.reduced.data(), p + 2)
                                       : std::span<float>(shared_buffer_.data(), p + 2);
  if (joining) {
    co_await rendezvous(worker, incarnation);
    if (dead()) co_return;
  } else if (worker == 0 &&
             ctx.monitor->on_update(0, 0, self.model ? self.model->parameters() : shared_buffer_)) {
    co_return;
  }

  while (true) {
    const int epoch_index = self.epoch;
    const Elastic::Epoch& epoch = *e.epochs[static_cast<std::size_t>(epoch_index)];
    const int rank = e.members_of(epoch_index, worker);
    ml::Vector& params = math ? self.model->parameters() : shared_buffer_;
    // A new leader reports the state the epoch starts from, if newer.
    if (rank == 0 && epoch_index == current_epoch() && self.version > e.reported_version) {
      e.reported_version = self.version;
      const std::int64_t samples = std::exchange(e.unreported_samples, 0);
      commit_log_.push_back({ctx.sim->now(), self.version, static_cast<int>(epoch.members.size())});
      if (ctx.monitor->on_update(self.version, samples, params)) co_return;
    }
    std::int64_t samples = 0;
    for (int h = 0; h < config_.local_steps; ++h) {
      const auto batch = self.sampler.next_batch(self.batch_size);
      const auto b = static_cast<std::int64_t>(batch.size());
      float loss = 0.0f;
      MathPool::Job job;
      if (math) {
        job = submit_math(ctx.math, [&] {
          ml::gather_batch(*ctx.train, batch, self.x, self.y);
          loss = self.model->loss_and_gradient(self.x, self.y, self.gradient);
        });
        self.computing = &job;
      }
      const double flops =
          flops_per_sample * static_cast<double>(b) + (local ? optimizer_flops : 0.0);
      co_await self.compute.run(*ctx.net, flops);
      job.join();
      if (self.computing == &job) self.computing = nullptr;
      if (dead()) co_return;  // crashed while computing: the gradient never left
      samples += b;
      if (!math) continue;
      ctx.monitor->record_train_loss(loss, b);
      MathTimer timer(ctx.math);
      if (local) {
        self.optimizer->step(params, self.gradient);
      } else {
        self.reduced.head(p) = static_cast<float>(b) * self.gradient;
      }
    }
    // Has the coordinator asked to re-form? (Notices of older epochs are stale.)
    while (auto c = self.control->try_receive()) {
      if (c->kind == Control::Kind::reset && c->epoch == epoch_index) self.reset_heard = true;
    }
    if (math) {
      if (local) self.reduced.head(p) = static_cast<float>(samples) * params;
      self.reduced[p] = static_cast<float>(samples);
      self.reduced[p + 1] = self.reset_heard ? 1.0f : 0.0f;
    }
    const std::int64_t round = self.version + 1;
    enter_round(epoch_index, round, worker, samples, self.reset_heard);

    Communicator& comm = *epoch.comm;
    const sim::Time entered = ctx.sim->now();
    ctx.sim->spawn(abort_timer(&comm, rank, comm.next_operation(rank),
                               wait_for_local(ctx, host, config_.elastic.timeout)),
                   "elastic-timer");
    bool aborted = false;
    try {
      co_await allreduce(comm, rank, buffer, config_.collective);
    } catch (const CollectiveAborted&) {
      aborted = true;
    }
    if (dead()) co_return;
    if (aborted) {
      abort_log_.push_back({worker, epoch_index, round, entered, ctx.sim->now()});
      if (local && math) {  // back to the replica of the last averaging
        params = self.committed;
        self.optimizer = self.committed_optimizer->clone();
      }
      self.reset_heard = false;
      co_await rendezvous(worker, incarnation);
      if (dead()) co_return;
      continue;
    }

    bool reform = false;
    if (math) {
      MathTimer timer(ctx.math);
      const float total = self.reduced[p];
      reform = self.reduced[p + 1] > 0.0f;
      self.average = self.reduced.head(p) / total;
      if (ctx.test_flip_average_sign) self.average = -self.average;
    } else {
      reform = e.flags.count({epoch_index, round}) > 0;
    }
    co_await self.compute.run(*ctx.net, static_cast<double>(p) + (local ? 0.0 : optimizer_flops));
    if (dead()) co_return;
    if (math && local) {
      params = self.average;
    } else if (math) {
      MathTimer timer(ctx.math);
      self.optimizer->step(params, self.average);
    }
    self.version = round;
    self.state_epoch = epoch_index;
    if (local && math) {
      self.committed = params;
      self.committed_optimizer = self.optimizer->clone();
    }
    if (rank == 0 && epoch_index == current_epoch()) {
      const auto it = e.ledger.find({epoch_index, round});
      if (it != e.ledger.end()) {
        resolve(epoch_index, round, it->second, true);
        e.ledger.erase(it);
      }
      e.reported_version = round;
      const std::int64_t reported = std::exchange(e.unreported_samples, 0);
      commit_log_.push_back({ctx.sim->now(), round, static_cast<int>(epoch.members.size())});
      if (ctx.monitor->on_update(round, reported, params)) co_return;
    }
    if (reform) {
      self.reset_heard = false;
      co_await rendezvous(worker, incarnation);
      if (dead()) co_return;
    }
  }
}

}  // namespace algo
