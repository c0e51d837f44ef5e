#include "algorithms/sync/data_parallel.h"

#include <optional>
#include <stdexcept>
#include <utility>

#include "algorithms/runtime/averaging.h"
#include "algorithms/runtime/model_shape.h"
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
  compressed_ = !config_.compressor()->exact();
  if (compressed_ && (config_.elastic.timeout > 0 || config_.averaged == Averaged::parameters)) {
    throw std::invalid_argument(
        n + ": a lossy compressor applies to gradient averaging without elastic");
  }
  if (!(config_.bucket_cap_bytes > 0)) throw std::invalid_argument(n + " bucket cap must be > 0");
}

DataParallel::~DataParallel() = default;

const ml::Vector& DataParallel::global_parameters() const {
  static const ml::Vector none;
  if (workers_.empty()) return none;
  // Elastic: the current epoch's leader (its lowest member) holds the global model.
  const std::size_t leader =
      elastic_ ? static_cast<std::size_t>(elastic_->epochs.back()->members.front()) : 0;
  return replica(static_cast<int>(leader));
}

const ml::Vector& DataParallel::replica(int worker) const {
  static const ml::Vector none;
  const Replica& r = workers_.at(static_cast<std::size_t>(worker))->replica;
  return r.model ? r.model->parameters() : none;
}

void DataParallel::launch(RunContext& ctx) {
  ctx_ = &ctx;
  const ml::Vector initial = initial_parameters(ctx);
  Assignment assignment = assign_work(ctx, config_.workers, config_.batch_size, config_.assignment);
  std::vector<topology::NodeId> hosts;
  parameters_ = model_parameters(ctx);
  // The all-reduce's buffer: the weighted vector, its weight and, when
  // elastic, the re-form flag.
  const Eigen::Index floats = parameters_ + (config_.elastic.timeout > 0 ? 2 : 1);
  for (std::size_t i = 0; i < config_.workers.size(); ++i) {
    const Node& node = ctx.nodes.at(static_cast<std::size_t>(config_.workers[i]));
    hosts.push_back(node.host);
    workers_.push_back(std::make_unique<Worker>(ctx, node, std::move(assignment.shards[i]),
                                                assignment.batch_sizes[i], initial));
    if (!ctx.timing_only) workers_.back()->reduced.resize(floats);
    if (compressed_) start_compressor(*workers_.back());
  }
  // math: none: the all-reduce's buffer is a size alone (buffer_of); the
  // communicator moves sizes, not contents.
  reduced_size_ = floats;
  if (config_.elastic.timeout > 0) {
    launch_elastic();
    return;
  }
  comm_ = std::make_unique<Communicator>(*ctx.sim, *ctx.net, std::move(hosts), !ctx.timing_only);
  // A lossy compressor gathers the whole gradient's encoding once per step
  // (data_parallel_compressed.cpp), so a compressed run has no buckets.
  const bool bucketed =
      ctx.profile != nullptr && config_.averaged == Averaged::gradients && !compressed_;
  if (bucketed) buckets_ = plan_buckets(*ctx.profile, ctx.device, config_.bucket_cap_bytes);
  for (int rank = 0; rank < comm_->size(); ++rank) {
    const std::string& name = workers_[static_cast<std::size_t>(rank)]->replica.node.name;
    if (bucketed) {
      bucket_ready_.push_back(std::make_unique<sim::Mailbox<int>>(*ctx.sim));
      buckets_done_.push_back(std::make_unique<sim::Mailbox<int>>(*ctx.sim));
      ctx.sim->spawn(reduce_buckets(rank), name + ".buckets");
    }
    ctx.sim->spawn(work(rank), name);
  }
}

// The worker, without elastic recovery: H local steps, the all-reduce of the
// weighted vector, the average, the update, and (the round's last) the report.
sim::Task DataParallel::work(int rank) {
  RunContext& ctx = *ctx_;
  Worker& self = *workers_[static_cast<std::size_t>(rank)];
  const std::uint64_t incarnation = ctx.net->incarnation(self.host());
  std::int64_t version = 0;
  if (rank == 0 && ctx.monitor->on_update(version, 0, parameters_of(self))) co_return;
  while (true) {
    std::int64_t samples = 0;  // this worker's, this round
    if (buckets_.buckets.empty()) {
      co_await local_steps(self, incarnation, samples);
    } else {
      co_await bucketed_step(self, rank, incarnation, samples);
    }
    pack(self, samples);
    if (ctx.timing_only) round_samples_[version] += samples;  // what the weight would sum
    ctx.monitor->record_produced();  // the contribution enters the collective
    UpdateCopy contribution = ctx.census->produce(self.host());
    contribution.place_in_network();
    round_copies_[version].push_back(contribution.fate());
    comm_->carry(rank, std::move(contribution));
    if (buckets_.buckets.empty()) {
      co_await reduce(self, rank);
    } else {
      co_await buckets_done_[static_cast<std::size_t>(rank)]->receive();
    }
    float total = average(self);
    co_await self.replica.compute.run(*ctx.net, averaging_flops());
    apply(self);
    ++version;
    // The round ends when its last worker has applied it: that one reports.
    if (++finished_[version] < comm_->size()) continue;
    finished_.erase(version);
    // Without math every rank's batch is known, so the total is summed here;
    // every rank added its samples before its all-reduce could finish.
    if (ctx.timing_only) total = static_cast<float>(round_samples_.extract(version - 1).mapped());
    // Applied where a copy is: a contribution whose every copy vanished
    // cannot have been summed (a bug the accounting must show).
    auto finished = round_copies_.extract(version - 1);
    for (const UpdateCopy::Fate& contribution : finished.mapped()) {
      if (contribution.exists()) ctx.monitor->record_applied(0);
      contribution.settle();
    }
    if (ctx.monitor->on_update(version, static_cast<std::int64_t>(total), parameters_of(self))) {
      co_return;
    }
  }
}

// H local steps on the replica; with parameter averaging each also takes
// its optimizer step (2P FLOPs more in the same compute time). Stops early
// if the host crashed meanwhile: the process is gone, its work never counts.
//
// The optimizer step follows the step's join, on the simulation thread, not
// inside the step's math job (StepPlan::apply): the replica then only ever
// holds completed steps, which the Monitor may evaluate when a run ends in
// the middle of a step (with math threads, a job still in flight would
// race with that evaluation).
sim::Task DataParallel::local_steps(Worker& self, std::uint64_t incarnation,
                                    std::int64_t& samples) {
  RunContext& ctx = *ctx_;
  const bool local = config_.averaged == Averaged::parameters;
  StepPlan plan;
  plan.extra_flops = local ? 2.0 * static_cast<double>(parameters_) : 0.0;
  for (int h = 0; h < config_.local_steps; ++h) {
    const StepResult step = co_await self.replica.local_step(ctx, plan);
    if (ctx.net->incarnation(self.host()) != incarnation) co_return;
    samples += step.samples;
    if (local && self.replica.has_model()) {
      MathTimer timer(ctx.math);
      self.replica.optimizer->step(self.replica.parameters(), self.replica.gradient);
    }
  }
}

// The all-reduce's input: [n x gradient, n] (n = the step's samples) or
// [n x parameters, n] (n = the round's samples); the weight element makes
// the reduced sum over it a sample-weighted mean.
void DataParallel::pack(Worker& self, std::int64_t samples) {
  if (ctx_->timing_only) return;
  MathTimer timer(ctx_->math);
  const Eigen::Index p = parameters_;
  const float n = static_cast<float>(samples);
  if (config_.averaged == Averaged::parameters) {
    self.reduced.head(p) = n * self.replica.parameters();
  } else {
    self.reduced.head(p) = n * self.replica.gradient;
  }
  self.reduced[p] = n;
}

// average = the reduced vector / the reduced weight; returns the weight, all
// workers' samples (exact below 2^24; 0 without math).
float DataParallel::average(Worker& self) {
  if (ctx_->timing_only) return 0.0f;
  const float total = self.reduced[parameters_];
  average_of_sum(*ctx_, self.reduced.head(parameters_), total, self.average);
  return total;
}

// The simulated cost of averaging: P FLOPs for the division, plus the
// optimizer step when averaging gradients (the additions inside the
// all-reduce take no simulated time).
double DataParallel::averaging_flops() const {
  const double p = static_cast<double>(parameters_);
  return config_.averaged == Averaged::parameters ? p : p + 2.0 * p;
}

// The update: the average becomes the replica (parameter averaging) or is
// the gradient of its optimizer step (gradient averaging).
void DataParallel::apply(Worker& self) {
  if (ctx_->timing_only) return;
  if (config_.averaged == Averaged::parameters) {
    self.replica.parameters() = self.average;
    return;
  }
  MathTimer timer(ctx_->math);
  self.replica.optimizer->step(self.replica.parameters(), self.average);
}

// The replica's parameters; with math: none, none (the Monitor reads none).
const ml::Vector& DataParallel::parameters_of(Worker& self) {
  static const ml::Vector none;
  return self.replica.has_model() ? self.replica.parameters() : none;
}

// What the all-reduce walks: the worker's reduced vector, or its size alone.
CollectiveBuffer DataParallel::buffer_of(Worker& self) {
  if (ctx_->timing_only)
    return CollectiveBuffer::sizes_only(static_cast<std::size_t>(reduced_size_));
  return std::span<float>(self.reduced.data(), static_cast<std::size_t>(self.reduced.size()));
}

}  // namespace algo
