#include "algorithms/sync/parameter_server.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <string>

#include "algorithms/sync/messaging.h"
#include "algorithms/sync/training_seeds.h"

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
        versions(static_cast<std::size_t>(shards), -1) {}
  Node node;
  int batch_size;
  ml::Mlp model;
  ml::BatchSampler sampler;
  ComputeModel compute;
  std::unique_ptr<sim::Mailbox<ParamsSlice>> inbox;  // of the current incarnation
  // Inboxes of crashed incarnations: their dead processes still wait on them.
  std::vector<std::unique_ptr<sim::Mailbox<ParamsSlice>>> dead_inboxes;
  std::vector<std::int64_t> versions;  // by shard: the version of the slice in model
  std::int64_t pushed = 0;             // gradients sent
  ml::RowMatrix x;
  std::vector<std::int32_t> y;
  ml::Vector gradient;
  // Copies moved into the gradient job, off the simulation thread (issue
  // #7): the received parameter slices (immutable snapshots) to load into
  // model, and the gradient's slices to send, by shard.
  std::vector<ParamsSlice> incoming;
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
  for (auto& shard : shards_) {
    shard->owed.assign(static_cast<std::size_t>(n), 0);
    shard->answered_incarnation.assign(static_cast<std::size_t>(n), 0);
    shard->needs_reply.assign(static_cast<std::size_t>(n), 0);
  }
  for (int j = 0; j < k; ++j) ctx.sim->spawn(run_shard(j), shards_[j]->node.name);
  for (int i = 0; i < n; ++i) ctx.sim->spawn(work(i, false), workers_[i]->node.name);
}

std::int64_t ParameterServer::gradients_outstanding() const {
  if (shards_.empty()) return 0;
  const Shard& shard = *shards_.front();
  return shard0_sent_ - shard0_lost_ - shard.received + shard.held;
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
}

void ParameterServer::on_join(Shard& shard, int worker, std::uint64_t incarnation) {
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
  // Version 0 is global from the start; shard 0 reports it.
  if (index == 0 && ctx_->monitor->on_update(0, 0, params_)) co_return;
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
  Shard* from = &shard;
  send_message(*ctx_->net, shard.node.host, target.node.host,
               static_cast<double>(shard.range.size) * sizeof(float), *target.inbox,
               ParamsSlice{shard.index, shard.version, shard.snapshot}, "params",
               std::function<void()>([from, w] { from->needs_reply[w] = 1; }));
}

void ParameterServer::drop(const Shard& shard, const std::string& reason) {
  if (counting_shard(shard)) ctx_->monitor->record_dropped(1, reason);
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
  if (math) {
    MathTimer timer(ctx_->math);
    shard.optimizer->step(shard.params, shard.average);
    params_.segment(shard.range.offset, shard.range.size) = shard.params;
  }
  if (counting_shard(shard)) {
    for (const GradientSlice* g : gradients) {
      ctx_->monitor->record_applied(shard.version - g->version);
      applied_log_.push_back(g->worker);
    }
  }
  ++shard.version;
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
  if (rejoin) {
    for (const auto& shard : shards_) {
      Shard* target = shard.get();
      ctx.net->start_transfer(
          host, target->node.host, kJoinBytes,
          [this, target, index, incarnation] { on_join(*target, index, incarnation); });
    }
  }
  const double flops_per_sample = self.model.train_flops_per_sample();
  const int k = static_cast<int>(shards_.size());
  while (true) {
    self.incoming.clear();  // left over if an earlier incarnation died mid-receive
    for (int got = 0; got < k; ++got) {
      ParamsSlice slice = co_await algo::receive(*ctx.net, self.node.host, inbox, "params");
      if (dead()) co_return;
      self.versions[static_cast<std::size_t>(slice.shard)] = slice.version;
      self.incoming.push_back(std::move(slice));  // loaded into the model by the job
    }
    const auto batch = self.sampler.next_batch(self.batch_size);
    const auto samples = static_cast<std::int64_t>(batch.size());
    // The gradient runs on the math pool while the simulated compute elapses.
    float loss = 0.0f;
    MathPool::Job job;
    if (!ctx.timing_only) {
      job = submit_math(ctx.math, [&] {
        // A real worker copies the parameters in and the gradient out too.
        for (const ParamsSlice& slice : self.incoming) {
          const ShardRange& range = ranges_[static_cast<std::size_t>(slice.shard)];
          self.model.parameters().segment(range.offset, range.size) = *slice.values;
        }
        ml::gather_batch(*ctx.train, batch, self.x, self.y);
        loss = self.model.loss_and_gradient(self.x, self.y, self.gradient);
        self.outgoing.resize(shards_.size());
        for (std::size_t j = 0; j < shards_.size(); ++j) {
          self.outgoing[j] = self.gradient.segment(ranges_[j].offset, ranges_[j].size);
        }
      });
      self.computing = &job;
    }
    co_await self.compute.run(*ctx.net, flops_per_sample * static_cast<double>(samples));
    job.join();
    if (self.computing == &job) self.computing = nullptr;
    if (dead()) co_return;  // crashed while computing: the gradient never left
    // Not before the dead() check: a rebooted worker's new process may be
    // filling `incoming` by now.
    self.incoming.clear();
    if (!ctx.timing_only) ctx.monitor->record_train_loss(loss, samples);
    ++self.pushed;
    ctx.monitor->record_produced();
    for (const auto& shard : shards_) {
      const ShardRange& range = shard->range;
      Shard* target = shard.get();
      ++target->owed[static_cast<std::size_t>(index)];
      const bool counting = counting_shard(*target);
      if (counting) ++shard0_sent_;
      auto on_lost = [this, target, index, counting] {
        --target->owed[static_cast<std::size_t>(index)];
        target->needs_reply[static_cast<std::size_t>(index)] = 1;
        if (counting) {
          ++shard0_lost_;
          ctx_->monitor->record_lost();
        }
      };
      ml::Vector values;
      if (!ctx.timing_only) {
        values = std::move(self.outgoing[static_cast<std::size_t>(target->index)]);
      }
      send_message(*ctx.net, host, target->node.host,
                   static_cast<double>(range.size) * sizeof(float), target->inbox,
                   GradientSlice{index, self.versions[static_cast<std::size_t>(target->index)],
                                 samples, std::move(values)},
                   "gradient", std::function<void()>(on_lost));
    }
  }
}

}  // namespace algo
