#include "algorithms/sync/parameter_server.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <string>
#include <utility>

#include "algorithms/runtime/model_shape.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/runtime/training_seeds.h"
#include "algorithms/sync/parameter_server_layers.h"
#include "algorithms/sync/parameter_server_worker.h"

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
ParameterServer::Shard::Shard(const RunContext& ctx, const PsConfig& config, int index,
                              const Node& node, ShardRange range, const ml::Vector& initial)
    : index(index),
      node(node),
      range(range),
      // math: none: no slice, only its range (model_shape.h).
      params(ctx.timing_only ? ml::Vector()
                             : ml::Vector(initial.segment(range.offset, range.size))),
      optimizer(ctx.optimizer->clone()),
      aggregator(config.aggregator()),
      compute(node, ctx.seed),
      inbox(*ctx.sim),
      average(ctx.timing_only ? 0 : range.size) {}

ParameterServer::ParameterServer(PsConfig config, std::string_view kind)
    : config_(std::move(config)), kind_(kind) {
  if (config_.workers.empty()) throw std::invalid_argument(kind_ + " needs at least one worker");
  if (config_.batch_size < 1) throw std::invalid_argument(kind_ + " batch_size must be >= 1");
  if (config_.bucket_cap_bytes < 0 || (config_.bucket_cap_bytes > 0 && kind_ != "ps_sync")) {
    throw std::invalid_argument(kind_ + ": per-bucket push and pull is for ps_sync only");
  }
  if (config_.bucket_cap_bytes > 0 &&
      (config_.rpc_timeout > 0 || config_.checkpoint_interval > 0)) {
    throw std::invalid_argument(kind_ +
                                ": per-bucket push and pull has no recovery (rpc_timeout, "
                                "checkpoint_interval)");
  }
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
  params_ = initial_parameters(ctx);
  const std::vector<int> servers = config_.server_nodes();
  const int k = static_cast<int>(servers.size());
  ranges_ = shard_ranges(model_parameters(ctx), k);
  for (int j = 0; j < k; ++j) {
    shards_.push_back(std::make_unique<Shard>(ctx, config_, j,
                                              ctx.nodes.at(static_cast<std::size_t>(servers[j])),
                                              ranges_[static_cast<std::size_t>(j)], params_));
  }

  const int n = num_workers();
  workers_ = make_workers<Worker>(ctx, config_.workers, config_.batch_size, config_.assignment, k,
                                  params_, config_.compressor);
  for (auto& shard : shards_) init_tables(*shard);
  ledger_ = std::make_unique<UpdateLedger>(*ctx.monitor);
  for (const auto& shard : shards_) {
    checkpoints_.push_back({shard->params, shard->optimizer->clone(), 0});
  }
  restarts_.assign(static_cast<std::size_t>(k), 0);
  restored_version_.assign(static_cast<std::size_t>(k), -1);
  if (config_.bucket_cap_bytes > 0 && ctx.profile != nullptr) {
    launch_layers();
    return;
  }
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
  // math: none sends the slice's size alone (a null snapshot).
  if (!ctx_->timing_only && shard.snapshot_version != shard.version) {
    std::shared_ptr<ml::Vector> snapshot = shard.snapshots.acquire(shard.range.size);
    *snapshot = shard.params;
    shard.snapshot = std::move(snapshot);
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
  if (!counting_shard(shard)) return;
  ledger_->dropped(gradient.worker, gradient.seq, reason);
  gradient.update_copy.settle();
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
        message.update_copy.settle();
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
  shard.contributions.clear();
  for (const GradientSlice* g : gradients) {
    samples += g->samples;
    shard.contributions.push_back({g->worker, g->values.get(), g->samples});
  }
  // The weighted mean by default: the mean over all the gradients' samples,
  // what one worker at the combined batch would compute.
  shard.aggregator->aggregate(*ctx_, shard.contributions, shard.average);
  const int count = static_cast<int>(gradients.size());
  // The combination, then a scale and the optimizer step over the slice.
  const double flops = shard.aggregator->flops(shard.range.size, count) +
                       2.0 * static_cast<double>(shard.range.size);
  co_await shard.compute.run(*ctx_->net, flops);
  if (!alive(shard)) co_return;          // the server crashed while computing: nothing applied
  std::shared_ptr<ml::Vector> snapshot;  // the new version's, written by the step itself
  if (!ctx_->timing_only) {
    snapshot = shard.snapshots.acquire(shard.range.size);
    float* const copies[] = {params_.data() + shard.range.offset, snapshot->data()};
    server_step(ctx_->math, *shard.optimizer, shard.params, shard.average, copies, shard.jobs);
  }
  if (counting_shard(shard)) {
    for (const GradientSlice* g : gradients) {
      const bool settled_now = ledger_->applied(g->worker, g->seq);
      assert(settled_now);  // admit() let only new updates through
      (void)settled_now;
      g->update_copy.settle();
      ctx_->monitor->record_applied(shard.version - g->version);
      applied_log_.push_back(g->worker);
    }
    applied_since_checkpoint_.push_back(count);
  }
  ++shard.version;
  if (snapshot) {
    shard.snapshot = std::move(snapshot);
    shard.snapshot_version = shard.version;
  }
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
  if (rejoin) join(index);
  // The push whose answers it waits for; -1: none yet (the initial
  // parameters, or the answers to its joins).
  std::int64_t awaiting = -1;
  std::vector<char> answered(shards_.size());  // by shard
  while (true) {
    std::fill(answered.begin(), answered.end(), 0);
    std::size_t missing = shards_.size();
    std::optional<sim::Time> deadline = rpc_deadline(self);
    while (missing > 0) {
      std::optional<ParamsSlice> slice = co_await algo::receive_until(
          *ctx.net, host, inbox, deadline.value_or(sim::kTimeMax), "params");
      if (dead()) co_return;
      if (!slice) {  // no answer in time
        resend_unanswered(index, awaiting, answered);
        deadline = rpc_deadline(self);
        continue;
      }
      if (slice->answers >= 0 && slice->answers < awaiting) continue;  // a push it moved past
      if (take_slice(self, *slice, answered)) --missing;
    }
    if (awaiting >= 0) {
      ledger_->stop_retrying(index, awaiting);
      self.retry_copy.reset();
    }
    const StepResult step = co_await self.replica.local_step(ctx, step_plan(self));
    if (dead()) co_return;  // crashed while computing: the gradient never left
    awaiting = push_gradient(index, step.samples);
  }
}

bool ParameterServer::take_slice(Worker& self, ParamsSlice& slice, std::vector<char>& answered) {
  const auto j = static_cast<std::size_t>(slice.shard);
  self.incoming[j] = std::move(slice.values);
  self.versions[j] = slice.version;
  self.epochs[j] = slice.epoch;
  if (answered[j]) return false;
  answered[j] = 1;
  return true;
}

StepPlan ParameterServer::step_plan(Worker& self) {
  StepPlan plan;
  plan.before = [this, &self] {
    for (std::size_t j = 0; j < ranges_.size(); ++j) {
      if (!self.incoming[j]) continue;
      self.replica.parameters().segment(ranges_[j].offset, ranges_[j].size) = *self.incoming[j];
      self.incoming[j].reset();
    }
  };
  plan.after = [this, &self] {
    for (std::size_t j = 0; j < ranges_.size(); ++j) {
      const ShardRange& range = ranges_[j];
      Encoded encoded =
          self.compressors[j]->encode(self.replica.gradient.segment(range.offset, range.size));
      self.outgoing[j] = std::make_shared<const ml::Vector>(std::move(encoded.values));
      self.outgoing_bytes[j] = encoded.bytes;
    }
  };
  return plan;
}

std::int64_t ParameterServer::push_gradient(int index, std::int64_t samples) {
  Worker& self = *workers_[static_cast<std::size_t>(index)];
  const std::int64_t seq = self.pushed++;
  self.pushed_versions = self.versions;
  self.pushed_epochs = self.epochs;
  self.pushed_samples = samples;
  ledger_->produced(index, seq, config_.rpc_timeout > 0);
  self.retry_copy = ctx_->census->produce(self.node.host);
  for (const auto& shard : shards_) push(index, *shard);
  if (config_.rpc_timeout <= 0) self.retry_copy.reset();  // it never resends
  return seq;
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
  // The encoding the step made (math: none sends sizes only).
  const double bytes = ctx_->timing_only ? self.compressors[j]->wire_bytes(target.range.size)
                                         : self.outgoing_bytes[j];
  send_message(*ctx_->net, self.node.host, target.node.host, bytes, target.inbox,
               GradientSlice{index, self.pushed_versions[j], self.pushed_samples, self.outgoing[j],
                             seq, self.pushed_epochs[j], counting ? self.retry_copy : UpdateCopy()},
               "gradient", std::function<void()>(on_lost));
}

}  // namespace algo
