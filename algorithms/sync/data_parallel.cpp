#include "algorithms/sync/data_parallel.h"

#include <optional>
#include <stdexcept>
#include <utility>

#include "algorithms/sync/data_parallel_parts.h"

namespace algo {

DataParallel::DataParallel(DataParallelConfig config) : config_(std::move(config)) {
  const std::string& n = config_.name;
  if (config_.workers.empty()) throw std::invalid_argument(n + " needs at least one worker");
  if (config_.batch_size < 1) throw std::invalid_argument(n + " batch_size must be >= 1");
  if (config_.local_steps < 1) throw std::invalid_argument(n + " local_steps must be >= 1");
  if (config_.averaged == Averaged::gradients && config_.local_steps != 1) {
    throw std::invalid_argument(n + " averages gradients: local_steps must be 1");
  }
  if (config_.collective.segments < 1) throw std::invalid_argument(n + " segments must be >= 1");
  if (config_.elastic.timeout < 0) throw std::invalid_argument(n + " elastic timeout must be >= 0");
}

DataParallel::~DataParallel() = default;

const ml::Vector& DataParallel::global_parameters() const {
  static const ml::Vector none;
  if (workers_.empty()) return none;
  // Elastic: the current epoch's leader (its lowest member) holds the global model.
  const std::size_t leader =
      elastic_ ? static_cast<std::size_t>(elastic_->epochs.back()->members.front()) : 0;
  return workers_[leader]->model ? workers_[leader]->model->parameters() : none;
}

void DataParallel::launch(RunContext& ctx) {
  ctx_ = &ctx;
  ml::Mlp initial(ctx.model);
  initial.initialize(model_init_seed(ctx.seed));
  Assignment assignment = assign_work(ctx, config_.workers, config_.batch_size, config_.assignment);
  std::vector<topology::NodeId> hosts;
  for (std::size_t i = 0; i < config_.workers.size(); ++i) {
    const Node& node = ctx.nodes.at(static_cast<std::size_t>(config_.workers[i]));
    hosts.push_back(node.host);
    workers_.push_back(std::make_unique<Worker>(ctx, node, std::move(assignment.shards[i]),
                                                assignment.batch_sizes[i], initial.parameters()));
  }
  parameters_ = initial.num_parameters();
  flops_per_sample_ = initial.train_flops_per_sample();
  // math: none: every rank's all-reduce walks one shared buffer; the
  // communicator moves its sizes, not its contents.
  if (ctx.timing_only) shared_buffer_ = ml::Vector::Zero(parameters_ + 1);
  if (config_.elastic.timeout > 0) {
    if (ctx.timing_only) shared_buffer_ = ml::Vector::Zero(parameters_ + 2);
    launch_elastic();
    return;
  }
  comm_ = std::make_unique<Communicator>(*ctx.sim, *ctx.net, std::move(hosts), !ctx.timing_only);
  for (int rank = 0; rank < comm_->size(); ++rank) {
    ctx.sim->spawn(work(rank), workers_[static_cast<std::size_t>(rank)]->node.name);
  }
}

sim::Task DataParallel::work(int rank) {
  RunContext& ctx = *ctx_;
  Worker& self = *workers_[static_cast<std::size_t>(rank)];
  const bool math = !ctx.timing_only;
  ml::Vector& params = math ? self.model->parameters() : shared_buffer_;
  const Eigen::Index p = parameters_;
  const double flops_per_sample = flops_per_sample_;
  const double optimizer_flops = 2.0 * static_cast<double>(p);
  const bool local = config_.averaged == Averaged::parameters;
  const int workers = comm_->size();
  if (math) self.reduced.resize(p + 1);
  const std::span<float> buffer = math ? std::span<float>(self.reduced.data(), p + 1)
                                       : std::span<float>(shared_buffer_.data(), p + 1);
  std::int64_t version = 0;
  if (rank == 0 && ctx.monitor->on_update(version, 0, params)) co_return;

  while (true) {
    std::int64_t samples = 0;  // this worker's, this round
    for (int h = 0; h < config_.local_steps; ++h) {
      const auto batch = self.sampler.next_batch(self.batch_size);
      const auto b = static_cast<std::int64_t>(batch.size());
      // The gradient runs on the math pool while the simulated compute elapses.
      float loss = 0.0f;
      MathPool::Job job;
      if (math) {
        job = submit_math(ctx.math, [&] {
          ml::gather_batch(*ctx.train, batch, self.x, self.y);
          loss = self.model->loss_and_gradient(self.x, self.y, self.gradient);
        });
      }
      const double flops =
          flops_per_sample * static_cast<double>(b) + (local ? optimizer_flops : 0.0);
      co_await self.compute.run(*ctx.net, flops);
      job.join();
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
    if (math) {
      if (local) self.reduced.head(p) = static_cast<float>(samples) * params;
      self.reduced[p] = static_cast<float>(samples);
    } else {
      round_samples_[version] += samples;  // what the weight element would have summed
    }

    co_await allreduce(*comm_, rank, buffer, config_.collective);

    // All workers' samples: exact below 2^24. Without math every rank's
    // batch is known, so the total is summed here instead.
    float total = 0.0f;
    if (math) {
      MathTimer timer(ctx.math);
      total = self.reduced[p];
      self.average = self.reduced.head(p) / total;
      if (ctx.test_flip_average_sign) self.average = -self.average;
    } else if (rank == 0) {  // only rank 0 reports
      total = static_cast<float>(round_samples_.at(version));
    }
    co_await self.compute.run(*ctx.net, static_cast<double>(p) + (local ? 0.0 : optimizer_flops));
    if (math && local) {
      params = self.average;
    } else if (math) {
      MathTimer timer(ctx.math);
      self.optimizer->step(params, self.average);
    }
    ++version;
    if (rank != 0) continue;
    if (!math) round_samples_.erase(version - 1);  // every rank added before rank 0 got here
    for (int w = 0; w < workers; ++w) ctx.monitor->record_applied(0);
    if (ctx.monitor->on_update(version, static_cast<std::int64_t>(total), params)) co_return;
  }
}

}  // namespace algo
