#include "algorithms/sync/parameter_server.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <string>

#include "algorithms/runtime/local_time.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/runtime/training_seeds.h"

namespace algo {

std::vector<int> PsConfig::server_nodes() const {
  return servers.empty() ? std::vector<int>{server} : servers;
}

std::vector<ShardRange> shard_ranges(std::int64_t parameters, int shards) {
  if (shards < 1 || shards > parameters) {
    throw std::invalid_argument("cannot split " + std::to_string(parameters) + " parameters into " +
                                std::to_string(shards) + " shards");
  }
  std::vector<ShardRange> ranges;
  const std::int64_t base = parameters / shards;
  const std::int64_t extra = parameters % shards;
  std::int64_t offset = 0;
  for (int j = 0; j < shards; ++j) {
    const std::int64_t size = base + (j < extra ? 1 : 0);
    ranges.push_back({offset, size});
    offset += size;
  }
  return ranges;
}

struct ParameterServer::Worker {
  Worker(const RunContext& ctx, const Node& node, ml::Shard data, int batch_size,
         std::uint64_t order_seed, int shards)
      : node(node),
        batch_size(batch_size),
        model(ctx.model),
        sampler(std::move(data), order_seed),
        compute(node, ctx.seed),
        inbox(std::make_unique<sim::Mailbox<ParamsSlice>>(*ctx.sim)),
        versions(static_cast<std::size_t>(shards), -1),
        epochs(static_cast<std::size_t>(shards), 0),
        pushed_versions(static_cast<std::size_t>(shards), 0),
        pushed_epochs(static_cast<std::size_t>(shards), 0),
        incoming(static_cast<std::size_t>(shards)),
        outgoing(static_cast<std::size_t>(shards)) {}
  Node node;
  int batch_size;
  ml::Mlp model;
  ml::BatchSampler sampler;
  ComputeModel compute;
  std::unique_ptr<sim::Mailbox<ParamsSlice>> inbox;  // of the current incarnation
  // Inboxes of crashed incarnations: their dead processes still wait on them.
  std::vector<std::unique_ptr<sim::Mailbox<ParamsSlice>>> dead_inboxes;
  std::vector<std::int64_t> versions;  // by shard: the version of the slice in model
  std::vector<std::int64_t> epochs;    // by shard: the epoch of the slice in model
  std::int64_t pushed = 0;             // gradients sent (the next push's seq)
  // The last push, kept for resending it: by shard, the version and epoch
  // its slice was computed from; its batch size.
  std::vector<std::int64_t> pushed_versions;
  std::vector<std::int64_t> pushed_epochs;
  std::int64_t pushed_samples = 0;
  // RPC timer marks name the generation they were armed in; only the
  // latest counts.
  std::uint64_t timer_generation = 0;
  ml::RowMatrix x;
  std::vector<std::int32_t> y;
  ml::Vector gradient;
  // By shard: the slice last received, loaded into `model` by the next
  // gradient job; and the gradient's slice that job packed for the push
  // (empty once sent: a retry packs it again from `gradient`). Both copies
  // are a real worker's work, so they run on the math pool with the job.
  std::vector<std::shared_ptr<const ml::Vector>> incoming;
  std::vector<ml::Vector> outgoing;
  // The gradient job of the process now computing, if any. A rebooted
  // worker's new process reuses the buffers above, so the crashed process's
  // job is joined first (its result is discarded): with threads, the two
  // jobs must never run at once.
  MathPool::Job* computing = nullptr;
};

ParameterServer::Shard::Shard(const RunContext& ctx, int index, const Node& node, ShardRange range,
                              const ml::Vector& initial)
    : index(index),
      node(node),
      range(range),
      params(initial.segment(range.offset, range.size)),
      optimizer(ctx.optimizer->clone()),
      compute(node, ctx.seed),
      inbox(*ctx.sim),
      average(range.size) {}

ParameterServer::ParameterServer(PsConfig config, std::string_view kind)
    : config_(std::move(config)), kind_(kind) {
  if (config_.workers.empty()) throw std::invalid_argument(kind_ + " needs at least one worker");
  if (config_.batch_size < 1) throw std::invalid_argument(kind_ + " batch_size must be >= 1");
  const std::vector<int> servers = config_.server_nodes();
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (std::find(config_.workers.begin(), config_.workers.end(), servers[i]) !=
        config_.workers.end()) {
      throw std::invalid_argument(kind_ + " server cannot also be a worker");
    }
    if (std::find(servers.begin(), servers.begin() + static_cast<std::ptrdiff_t>(i), servers[i]) !=
        servers.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw std::invalid_argument(kind_ + " lists a server node twice");
    }
  }
}

ParameterServer::~ParameterServer() = default;

void ParameterServer::launch(RunContext& ctx) {
  ctx_ = &ctx;
  ml::Mlp initial(ctx.model);
  initial.initialize(model_init_seed(ctx.seed));
  params_ = initial.parameters();
  const std::vector<int> servers = config_.server_nodes();
  const int k = static_cast<int>(servers.size());
  ranges_ = shard_ranges(params_.size(), k);
  for (int j = 0; j < k; ++j) {
    shards_.push_back(std::make_unique<Shard>(ctx, j,
                                              ctx.nodes.at(static_cast<std::size_t>(servers[j])),
                                              ranges_[static_cast<std::size_t>(j)], params_));
  }

  const int n = num_workers();
  workers_ = make_workers<Worker>(ctx, config_.workers, config_.batch_size, config_.assignment, k);
  for (auto& shard : shards_) init_tables(*shard);
  ledger_ = std::make_unique<UpdateLedger>(*ctx.monitor);
  for (const auto& shard : shards_) {
    checkpoints_.push_back({shard->params, shard->optimizer->clone(), 0});
  }
  restarts_.assign(static_cast<std::size_t>(k), 0);
  restored_version_.assign(static_cast<std::size_t>(k), -1);
  for (int j = 0; j < k; ++j) ctx.sim->spawn(run_shard(j), shards_[j]->node.name);
  for (int i = 0; i < n; ++i) ctx.sim->spawn(work(i, false), workers_[i]->node.name);
}

void ParameterServer::init_tables(Shard& shard) const {
  const auto n = static_cast<std::size_t>(num_workers());
  shard.owed.assign(n, 0);
  shard.answered_incarnation.assign(n, 0);
  shard.needs_reply.assign(n, 0);
  shard.last_seq.assign(n, -1);
  shard.answering.assign(n, -1);
  shard.incarnation = ctx_->net->incarnation(shard.node.host);
}

std::int64_t ParameterServer::gradients_outstanding() const {
  return ledger_ ? ledger_->open() : 0;
}

std::int64_t ParameterServer::restarts(int index) const {
  return restarts_.at(static_cast<std::size_t>(index));
}

std::int64_t ParameterServer::last_restored_version(int index) const {
  return restored_version_.at(static_cast<std::size_t>(index));
}

void ParameterServer::on_host_recovered(topology::NodeId host) {
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    Worker& worker = *workers_[i];
    if (worker.node.host != host) continue;
    if (worker.computing) worker.computing->join();
    worker.computing = nullptr;
    worker.dead_inboxes.push_back(std::move(worker.inbox));
    worker.inbox = std::make_unique<sim::Mailbox<ParamsSlice>>(*ctx_->sim);
    std::fill(worker.versions.begin(), worker.versions.end(), -1);
    ctx_->sim->spawn(work(static_cast<int>(i), true), worker.node.name);
  }
  for (std::size_t j = 0; j < shards_.size(); ++j) {
    if (shards_[j]->node.host == host) restart_shard(static_cast<int>(j));
  }
}

void ParameterServer::on_host_crashed(topology::NodeId host) {
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    if (workers_[i]->node.host == host) ledger_->stop_retrying_all(static_cast<int>(i));
  }
  Shard& counted = *shards_.front();
  if (counted.node.host != host) return;
  // The requests queued at shard 0 and the gradients its update rule held
  // die with the process (its coroutine, blocked or not, never runs again).
  while (auto message = counted.inbox.try_receive()) {
    if (message->worker != kTimerMark) ledger_->copy_lost(message->worker, message->seq);
  }
  ledger_->release_held();
}

void ParameterServer::restart_shard(int index) {
  const auto j = static_cast<std::size_t>(index);
  std::unique_ptr<Shard>& slot = shards_[j];
  const std::int64_t epoch = slot->epoch + 1;
  const Node node = slot->node;
  dead_shards_.push_back(std::move(slot));
  const Checkpoint& checkpoint = checkpoints_[j];
  slot = std::make_unique<Shard>(*ctx_, index, node, ranges_[j], params_);
  Shard& shard = *slot;
  init_tables(shard);
  shard.params = checkpoint.params;
  shard.optimizer = checkpoint.optimizer->clone();
  shard.version = checkpoint.version;
  shard.epoch = epoch;
  ++restarts_[j];
  restored_version_[j] = checkpoint.version;
  params_.segment(shard.range.offset, shard.range.size) = shard.params;

  if (index == 0) {
    // Shard 0's versions after the checkpoint are undone: their updates are
    // no longer applied, and their samples never become global.
    std::int64_t undone = 0;
    for (std::int64_t count : applied_since_checkpoint_) undone += count;
    applied_since_checkpoint_.clear();
    if (undone > 0) ctx_->monitor->record_rolled_back(undone);
    const auto keep =
        static_cast<std::size_t>(std::max<std::int64_t>(0, checkpoint.version - global_version_));
    while (pending_samples_.size() > keep) pending_samples_.pop_back();
  }
  if (checkpoint.version < global_version_) {
    // The global model goes back. Shard 0's samples of the undone global
    // versions return to pending if shard 0 still has them.
    std::int64_t removed = 0;
    for (std::int64_t v = global_version_; v > checkpoint.version; --v) {
      const std::int64_t samples = global_samples_[static_cast<std::size_t>(v - 1)];
      removed += samples;
      if (index != 0) pending_samples_.push_front(samples);
    }
    global_samples_.resize(static_cast<std::size_t>(checkpoint.version));
    global_version_ = checkpoint.version;
    ctx_->monitor->on_rollback(global_version_, removed, params_);
  }
  ctx_->sim->spawn(run_shard(index), shard.node.name);
}

void ParameterServer::on_join(int index, int worker, std::uint64_t incarnation) {
  Shard& shard = *shards_[static_cast<std::size_t>(index)];
  if (!alive(shard)) return;
  const auto w = static_cast<std::size_t>(worker);
  if (shard.owed[w] > 0) return;  // a gradient of its is pending: its answer will come
  // Answered since it came back, and that answer was not lost.
  if (shard.answered_incarnation[w] == incarnation && !shard.needs_reply[w]) return;
  if (ctx_->monitor->stopping()) return;
  reply(shard, worker);
}

void ParameterServer::on_network_healed() {
  if (ctx_->monitor->stopping()) return;
  for (auto& shard : shards_) {
    for (int w = 0; w < num_workers(); ++w) {
      const auto i = static_cast<std::size_t>(w);
      if (shard->needs_reply[i] && shard->owed[i] == 0) reply(*shard, w);
    }
  }
}

std::int64_t ParameterServer::gradients_pushed() const {
  std::int64_t total = 0;
  for (const auto& worker : workers_) total += worker->pushed;
  return total;
}

std::int64_t ParameterServer::gradients_received() const {
  return shards_.empty() ? 0 : shards_.front()->received;
}

sim::Task ParameterServer::run_shard(int index) {
  Shard& shard = *shards_[static_cast<std::size_t>(index)];
  // Version 0 is global from the start; shard 0 reports it. A restarted
  // shard announces itself to every worker the same way.
  if (index == 0 && shard.epoch == 0 && ctx_->monitor->on_update(0, 0, params_)) co_return;
  for (int i = 0; i < num_workers(); ++i) reply(shard, i);
  co_await serve(shard);
}

void ParameterServer::reply(Shard& shard, int worker) {
  if (shard.snapshot_version != shard.version) {
    shard.snapshot = std::make_shared<const ml::Vector>(shard.params);
    shard.snapshot_version = shard.version;
  }
  Worker& target = *workers_[static_cast<std::size_t>(worker)];
  const auto w = static_cast<std::size_t>(worker);
  if (shard.owed[w] > 0) --shard.owed[w];
  shard.answered_incarnation[w] = ctx_->net->incarnation(target.node.host);
  shard.needs_reply[w] = 0;
  const std::int64_t answers = shard.answering[w];
  shard.answering[w] = -1;
  Shard* from = &shard;
  send_message(*ctx_->net, shard.node.host, target.node.host,
               static_cast<double>(shard.range.size) * sizeof(float), *target.inbox,
               ParamsSlice{shard.index, shard.version, shard.snapshot, answers, shard.epoch},
               "params", std::function<void()>([from, w] { from->needs_reply[w] = 1; }));
}

void ParameterServer::drop(const Shard& shard, const GradientSlice& gradient,
                           const std::string& reason) {
  if (counting_shard(shard)) ledger_->dropped(gradient.worker, gradient.seq, reason);
}

bool ParameterServer::admit(Shard& shard, const GradientSlice& message) {
  const auto w = static_cast<std::size_t>(message.worker);
  const bool counting = counting_shard(shard);
  if (counting) ledger_->copy_received(message.worker, message.seq);
  if (message.seq <= shard.last_seq[w]) {
    // A copy of a push seen before (a retry, or the original after one).
    // Answer it again only if its answer already went out (it may be the
    // one that was lost); a push the worker has moved past is obsolete.
    if (message.seq == shard.last_seq[w] && shard.answering[w] != message.seq) {
      shard.answering[w] = message.seq;
      reply(shard, message.worker);
    } else if (shard.owed[w] > 0) {
      --shard.owed[w];
    }
    if (counting) {
      if (message.seq < shard.last_seq[w]) {
        ledger_->dropped(message.worker, message.seq, "superseded");
      } else {
        ledger_->ignored(message.worker, message.seq);
      }
    }
    return false;
  }
  shard.last_seq[w] = message.seq;
  shard.answering[w] = message.seq;
  if (message.epoch != shard.epoch) {
    // Computed from parameters of an incarnation before the last restart:
    // this shard's model no longer descends from them.
    drop(shard, message, "stale");
    reply(shard, message.worker);
    return false;
  }
  if (counting) ledger_->hold(message.worker, message.seq);
  return true;
}

sim::Task ParameterServer::apply(Shard& shard, std::vector<const GradientSlice*> gradients) {
  assert(!gradients.empty());
  std::int64_t samples = 0;
  for (const GradientSlice* g : gradients) samples += g->samples;
  // Weighted by batch size, in the given order: the mean over all the
  // gradients' samples, what one worker at the combined batch would compute.
  const bool math = !ctx_->timing_only;
  if (math) {
    // On the math pool, in fixed ranges: bit for bit the serial sum (weighted_sum.h).
    shard.weighted.clear();
    for (const GradientSlice* g : gradients) {
      shard.weighted.push_back(
          {static_cast<float>(g->samples) / static_cast<float>(samples), &g->values});
    }
    weighted_sum(ctx_->math, shard.weighted, shard.average, shard.average_jobs);
  }
  if (ctx_->test_flip_average_sign) shard.average = -shard.average;
  const int count = static_cast<int>(gradients.size());
  co_await shard.compute.run(*ctx_->net, update_flops(shard.range.size, count));
  if (!alive(shard)) co_return;  // the server crashed while computing: nothing applied
  if (math) {
    MathTimer timer(ctx_->math);
    shard.optimizer->step(shard.params, shard.average);
    params_.segment(shard.range.offset, shard.range.size) = shard.params;
  }
  if (counting_shard(shard)) {
    for (const GradientSlice* g : gradients) {
      const bool settled_now = ledger_->applied(g->worker, g->seq);
      assert(settled_now);  // admit() let only new updates through
      (void)settled_now;
      ctx_->monitor->record_applied(shard.version - g->version);
      applied_log_.push_back(g->worker);
    }
    applied_since_checkpoint_.push_back(count);
  }
  ++shard.version;
  const std::int64_t every = config_.checkpoint_interval;
  if (every > 0 && shard.version % every == 0) {
    // Free in simulated time: see parameter_server.h.
    Checkpoint& checkpoint = checkpoints_[static_cast<std::size_t>(shard.index)];
    checkpoint.params = shard.params;
    checkpoint.optimizer = shard.optimizer->clone();
    checkpoint.version = shard.version;
    if (counting_shard(shard)) applied_since_checkpoint_.clear();
  }
  on_shard_advanced(shard, samples);
}

void ParameterServer::on_shard_advanced(const Shard& shard, std::int64_t samples) {
  if (counting_shard(shard)) pending_samples_.push_back(samples);
  std::int64_t reached = shard.version;
  for (const auto& s : shards_) reached = std::min(reached, s->version);
  // Shards advance one version at a time, so the minimum does too.
  if (reached > global_version_) {
    assert(reached == global_version_ + 1 && !pending_samples_.empty());
    global_version_ = reached;
    const std::int64_t global_samples = pending_samples_.front();
    pending_samples_.pop_front();
    global_samples_.push_back(global_samples);
    ctx_->monitor->on_update(global_version_, global_samples, params_);
  }
}

void ParameterServer::on_rpc_timer(void* worker, std::uint64_t generation) {
  auto& self = *static_cast<Worker*>(worker);
  self.inbox->send(ParamsSlice{kTimerMark, static_cast<std::int64_t>(generation), nullptr});
}

void ParameterServer::arm_rpc_timer(Worker& self) {
  ++self.timer_generation;
  if (config_.rpc_timeout <= 0) return;
  ctx_->sim->schedule_at(
      ctx_->sim->now() + wait_for_local(*ctx_, self.node.host, config_.rpc_timeout),
      &ParameterServer::on_rpc_timer, &self, self.timer_generation);
}

void ParameterServer::send_join(int index, int shard) {
  const Worker& self = *workers_[static_cast<std::size_t>(index)];
  const std::uint64_t incarnation = ctx_->net->incarnation(self.node.host);
  ctx_->net->start_transfer(
      self.node.host, shards_[static_cast<std::size_t>(shard)]->node.host, kJoinBytes,
      [this, shard, index, incarnation] { on_join(shard, index, incarnation); });
}

void ParameterServer::push(int index, Shard& target) {
  Worker& self = *workers_[static_cast<std::size_t>(index)];
  const auto j = static_cast<std::size_t>(target.index);
  const std::int64_t seq = self.pushed - 1;
  Shard* to = &target;
  ++to->owed[static_cast<std::size_t>(index)];
  const bool counting = counting_shard(target);
  if (counting) ledger_->copy_sent(index, seq);
  auto on_lost = [this, to, index, counting, seq] {
    --to->owed[static_cast<std::size_t>(index)];
    to->needs_reply[static_cast<std::size_t>(index)] = 1;
    if (counting) ledger_->copy_lost(index, seq);
  };
  ml::Vector values;
  if (!ctx_->timing_only) {
    ml::Vector& packed = self.outgoing[j];
    if (packed.size() == target.range.size) {
      values = std::move(packed);  // packed by the gradient job
      packed = ml::Vector();
    } else {
      MathTimer timer(ctx_->math);  // a retry: a real worker copies it again too
      values = self.gradient.segment(target.range.offset, target.range.size);
    }
  }
  send_message(*ctx_->net, self.node.host, target.node.host,
               static_cast<double>(target.range.size) * sizeof(float), target.inbox,
               GradientSlice{index, self.pushed_versions[j], self.pushed_samples, std::move(values),
                             seq, self.pushed_epochs[j]},
               "gradient", std::function<void()>(on_lost));
}

sim::Task ParameterServer::work(int index, bool rejoin) {
  RunContext& ctx = *ctx_;
  Worker& self = *workers_[static_cast<std::size_t>(index)];
  const topology::NodeId host = self.node.host;
  // This process lives as long as its host's incarnation; a crash ends it
  // when it next wakes (messages to a crashed host are lost, so a process
  // waiting for one just never wakes; the Simulator frees its frame).
  const std::uint64_t incarnation = ctx.net->incarnation(host);
  const auto dead = [&] { return ctx.net->incarnation(host) != incarnation; };
  sim::Mailbox<ParamsSlice>& inbox = *self.inbox;
  const int k = static_cast<int>(shards_.size());
  if (rejoin) {
    for (int j = 0; j < k; ++j) send_join(index, j);
  }
  const double flops_per_sample = self.model.train_flops_per_sample();
  // The push whose answers it waits for; -1: none yet (the initial
  // parameters, or the answers to its joins).
  std::int64_t awaiting = -1;
  std::vector<char> have(static_cast<std::size_t>(k));
  while (true) {
    std::fill(have.begin(), have.end(), 0);
    int missing = k;
    if (config_.rpc_timeout > 0) arm_rpc_timer(self);
    while (missing > 0) {
      ParamsSlice slice = co_await algo::receive(*ctx.net, self.node.host, inbox, "params");
      if (dead()) co_return;
      if (slice.shard == kTimerMark) {
        if (static_cast<std::uint64_t>(slice.version) != self.timer_generation) continue;
        // No answer in time: resend to the shards that have not answered.
        for (int j = 0; j < k; ++j) {
          if (have[static_cast<std::size_t>(j)]) continue;
          ctx.monitor->record_retry();
          if (awaiting < 0) {
            send_join(index, j);
          } else {
            push(index, *shards_[static_cast<std::size_t>(j)]);
          }
        }
        arm_rpc_timer(self);
        continue;
      }
      if (slice.answers >= 0 && slice.answers < awaiting) continue;  // a push it moved past
      const auto j = static_cast<std::size_t>(slice.shard);
      self.incoming[j] = slice.values;  // loaded into the model by the gradient job
      self.versions[j] = slice.version;
      self.epochs[j] = slice.epoch;
      if (!have[j]) {
        have[j] = 1;
        --missing;
      }
    }
    if (config_.rpc_timeout > 0) ++self.timer_generation;  // answered: the timer is moot
    if (awaiting >= 0) ledger_->stop_retrying(index, awaiting);
    const auto batch = self.sampler.next_batch(self.batch_size);
    const auto samples = static_cast<std::int64_t>(batch.size());
    // The gradient runs on the math pool while the simulated compute elapses.
    float loss = 0.0f;
    MathPool::Job job;
    if (!ctx.timing_only) {
      job = submit_math(ctx.math, [&] {
        for (std::size_t j = 0; j < ranges_.size(); ++j) {
          if (!self.incoming[j]) continue;
          self.model.parameters().segment(ranges_[j].offset, ranges_[j].size) = *self.incoming[j];
          self.incoming[j].reset();
        }
        ml::gather_batch(*ctx.train, batch, self.x, self.y);
        loss = self.model.loss_and_gradient(self.x, self.y, self.gradient);
        for (std::size_t j = 0; j < ranges_.size(); ++j) {
          self.outgoing[j] = self.gradient.segment(ranges_[j].offset, ranges_[j].size);
        }
      });
      self.computing = &job;
    }
    co_await self.compute.run(*ctx.net, flops_per_sample * static_cast<double>(samples));
    job.join();
    if (self.computing == &job) self.computing = nullptr;
    if (dead()) co_return;  // crashed while computing: the gradient never left
    if (!ctx.timing_only) ctx.monitor->record_train_loss(loss, samples);
    awaiting = self.pushed++;
    self.pushed_versions = self.versions;
    self.pushed_epochs = self.epochs;
    self.pushed_samples = samples;
    ledger_->produced(index, awaiting, config_.rpc_timeout > 0);
    for (const auto& shard : shards_) push(index, *shard);
  }
}

}  // namespace algo
