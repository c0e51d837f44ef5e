#include "algorithms/sync/ps_sync.h"

#include <stdexcept>
#include <string>

#include "algorithms/sync/messaging.h"
#include "algorithms/sync/training_seeds.h"

namespace algo {

struct PsSync::Worker {
  Worker(const RunContext& ctx, const Node& node, ml::Shard shard, int batch_size,
         std::uint64_t order_seed)
      : node(node),
        batch_size(batch_size),
        model(ctx.model),
        sampler(std::move(shard), order_seed),
        compute(node, ctx.seed),
        inbox(*ctx.sim) {}
  Node node;
  int batch_size;
  ml::Mlp model;
  ml::BatchSampler sampler;
  ComputeModel compute;
  sim::Mailbox<ParamsMessage> inbox;
  ml::RowMatrix x;
  std::vector<std::int32_t> y;
  ml::Vector gradient;
};

PsSync::PsSync(PsSyncConfig config) : config_(std::move(config)) {
  if (config_.workers.empty()) throw std::invalid_argument("ps_sync needs at least one worker");
  if (config_.batch_size < 1) throw std::invalid_argument("ps_sync batch_size must be >= 1");
  for (int w : config_.workers) {
    if (w == config_.server) throw std::invalid_argument("ps_sync server cannot also be a worker");
  }
}

PsSync::~PsSync() = default;

void PsSync::launch(RunContext& ctx) {
  ctx_ = &ctx;
  const Node& server = ctx.nodes.at(static_cast<std::size_t>(config_.server));
  ml::Mlp initial(ctx.model);
  initial.initialize(model_init_seed(ctx.seed));
  params_ = initial.parameters();
  optimizer_ = ctx.optimizer->clone();
  server_compute_ = std::make_unique<ComputeModel>(server, ctx.seed);
  server_inbox_ = std::make_unique<sim::Mailbox<GradientMessage>>(*ctx.sim);

  const int n = static_cast<int>(config_.workers.size());
  std::vector<Node> nodes;
  for (int w : config_.workers) nodes.push_back(ctx.nodes.at(static_cast<std::size_t>(w)));
  Assignment assignment = assign_work(ctx, config_.workers, config_.batch_size, config_.assignment);
  for (int i = 0; i < n; ++i) {
    workers_.push_back(std::make_unique<Worker>(ctx, nodes[i], std::move(assignment.shards[i]),
                                                assignment.batch_sizes[i],
                                                batch_order_seed(ctx.seed, nodes[i].name)));
  }
  ctx.sim->spawn(serve(), server.name);
  for (int i = 0; i < n; ++i) ctx.sim->spawn(work(i), workers_[i]->node.name);
}

sim::Task PsSync::serve() {
  RunContext& ctx = *ctx_;
  const topology::NodeId host = ctx.nodes[static_cast<std::size_t>(config_.server)].host;
  const double param_bytes = static_cast<double>(params_.size()) * sizeof(float);
  const int n = static_cast<int>(workers_.size());
  std::vector<GradientMessage> arrived(static_cast<std::size_t>(n));
  ml::Vector average(params_.size());
  std::int64_t version = 0;
  if (ctx.monitor->on_update(version, 0, params_)) co_return;

  while (true) {
    auto snapshot = std::make_shared<const ml::Vector>(params_);
    for (auto& worker : workers_) {
      send_message(*ctx.net, host, worker->node.host, param_bytes, worker->inbox,
                   ParamsMessage{snapshot, version});
    }
    for (int received = 0; received < n; ++received) {
      GradientMessage message = co_await server_inbox_->receive();
      arrived[static_cast<std::size_t>(message.worker)] = message;
    }
    // Weighted by batch size, in worker order: the mean over all N batches'
    // samples, exactly what one worker at the combined batch would compute.
    std::int64_t samples = 0;
    for (const GradientMessage& m : arrived) samples += m.samples;
    average.setZero();
    for (const GradientMessage& m : arrived) {
      average += (static_cast<float>(m.samples) / static_cast<float>(samples)) * *m.gradient;
    }
    co_await ctx.sim->sleep(server_compute_->duration(update_flops(params_.size(), n)));
    optimizer_->step(params_, average);
    for (const GradientMessage& m : arrived) ctx.monitor->record_applied(version - m.version);
    ++version;
    if (ctx.monitor->on_update(version, samples, params_)) co_return;
  }
}

sim::Task PsSync::work(int index) {
  RunContext& ctx = *ctx_;
  Worker& self = *workers_[static_cast<std::size_t>(index)];
  const topology::NodeId server_host = ctx.nodes[static_cast<std::size_t>(config_.server)].host;
  const double gradient_bytes = static_cast<double>(params_.size()) * sizeof(float);
  const double flops_per_sample = self.model.train_flops_per_sample();
  while (true) {
    ParamsMessage message = co_await self.inbox.receive();
    self.model.parameters() = *message.params;
    const auto batch = self.sampler.next_batch(self.batch_size);
    ml::gather_batch(*ctx.train, batch, self.x, self.y);
    const float loss = self.model.loss_and_gradient(self.x, self.y, self.gradient);
    const auto samples = static_cast<std::int64_t>(batch.size());
    co_await ctx.sim->sleep(self.compute.duration(flops_per_sample * static_cast<double>(samples)));
    ctx.monitor->record_train_loss(loss, samples);
    send_message(*ctx.net, self.node.host, server_host, gradient_bytes, *server_inbox_,
                 GradientMessage{index, message.version, samples, &self.gradient});
  }
}

}  // namespace algo
