#include "algorithms/sync/fedbuff.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "algorithms/ml/batch_sampler.h"
#include "algorithms/runtime/averaging.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/runtime/model_shape.h"
#include "algorithms/runtime/replica.h"
#include "algorithms/runtime/training_seeds.h"

namespace algo {

// One client's participation: made when the server picks it, freed once its
// upload is applied.
struct FedBuff::Upload {
  Upload(sim::Simulator& sim, int client) : client(client), inbox(sim) {}
  int client;                    // position in config_.clients
  std::int64_t version = 0;      // of the model it was sent
  std::uint64_t order_seed = 0;  // of this participation's batch order
  std::int64_t samples = 0;      // trained
  ml::Vector values;             // Delta (buffered) or the model (mixing); empty without math
  UpdateCopy update_copy;        // at the client, then travelling, then at the server
  sim::Mailbox<std::shared_ptr<const ml::Vector>> inbox;  // the model
};

FedBuff::FedBuff(FedBuffConfig config) : config_(std::move(config)) {
  const auto n = static_cast<int>(config_.clients.size());
  if (n == 0) throw std::invalid_argument("fedbuff needs at least one client");
  for (int c : config_.clients) {
    if (c == config_.server) throw std::invalid_argument("fedbuff server cannot also be a client");
  }
  if (config_.concurrency == 0) config_.concurrency = n;
  if (config_.concurrency < 1 || config_.concurrency > n) {
    throw std::invalid_argument("fedbuff concurrency must be in [1, " + std::to_string(n) + "]");
  }
  if (config_.rule == AsyncRule::mixing) config_.buffer_size = 1;
  if (config_.buffer_size < 1 || config_.buffer_size > config_.concurrency) {
    throw std::invalid_argument("fedbuff buffer_size must be in [1, concurrency]");
  }
  if (!(config_.server_lr > 0)) throw std::invalid_argument("fedbuff server_lr must be > 0");
  if (!(config_.mixing > 0 && config_.mixing <= 1)) {
    throw std::invalid_argument("fedasync mixing must be in (0, 1]");
  }
  if (!(config_.staleness_exponent >= 0)) {
    throw std::invalid_argument("staleness_exponent must be >= 0");
  }
  if (config_.local_epochs < 1) throw std::invalid_argument("fedbuff local_epochs must be >= 1");
  if (config_.batch_size < 1) throw std::invalid_argument("fedbuff batch_size must be >= 1");
}

FedBuff::~FedBuff() = default;

double FedBuff::staleness_weight(std::int64_t staleness, double exponent) {
  return std::pow(1.0 + static_cast<double>(staleness), -exponent);
}

void FedBuff::launch(RunContext& ctx) {
  ctx_ = &ctx;
  const Node& server = ctx.nodes.at(static_cast<std::size_t>(config_.server));
  params_ = initial_parameters(ctx);  // empty with math: none
  param_bytes_ = model_parameters(ctx) * static_cast<std::int64_t>(sizeof(float));
  if (!ctx.timing_only) buffer_ = ml::Vector::Zero(params_.size());
  server_compute_ = std::make_unique<ComputeModel>(server, ctx.seed);
  inbox_ = std::make_unique<sim::Mailbox<ServerMessage>>(*ctx.sim);
  picking_ = std::make_unique<sim::RandomStream>(ctx.seed, server.name, "fedbuff-picking");
  Assignment assignment = assign_work(ctx, config_.clients, config_.batch_size, config_.assignment);
  shards_ = std::move(assignment.shards);
  batch_sizes_ = std::move(assignment.batch_sizes);
  compute_.reserve(config_.clients.size());
  for (int c : config_.clients)
    compute_.emplace_back(ctx.nodes.at(static_cast<std::size_t>(c)), ctx.seed);
  participations_.assign(config_.clients.size(), 0);
  for (int k = 0; k < static_cast<int>(config_.clients.size()); ++k) idle_.push_back(k);
  ctx.sim->spawn(serve(), server.name);
}

// The server's program: keep C clients busy, apply each upload as it comes.
sim::Task FedBuff::serve() {
  RunContext& ctx = *ctx_;
  const topology::NodeId host = ctx.nodes[static_cast<std::size_t>(config_.server)].host;
  if (ctx.monitor->on_update(0, 0, params_)) co_return;
  for (int i = 0; i < config_.concurrency; ++i) start_client();
  for (;;) {
    ServerMessage message = co_await algo::receive(*ctx.net, host, *inbox_, "client_update");
    std::shared_ptr<Upload> upload = std::move(message.upload);
    upload->update_copy = std::move(message.update_copy);  // now at the server
    ++stats_.arrived;
    idle_.push_back(upload->client);
    const std::int64_t samples = upload->samples + buffered_samples_;
    const bool published = apply(upload);
    // The arrival's scale-and-add, and the step's, on the server's clock.
    const double flops = 2.0 * static_cast<double>(model_parameters(ctx)) * (published ? 2.0 : 1.0);
    co_await server_compute_->run(*ctx.net, flops);
    if (published && ctx.monitor->on_update(version_, samples, params_)) co_return;
    start_client();
  }
}

void FedBuff::start_client() {
  RunContext& ctx = *ctx_;
  const auto j = static_cast<std::size_t>(picking_->below(idle_.size()));
  const int c = idle_[j];
  idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(j));
  const Node& node =
      ctx.nodes[static_cast<std::size_t>(config_.clients[static_cast<std::size_t>(c)])];
  auto upload = std::make_shared<Upload>(*ctx.sim, c);
  upload->version = version_;
  upload->order_seed =
      sim::derive_seed(batch_order_seed(ctx.seed, node.name),
                       static_cast<std::uint64_t>(participations_[static_cast<std::size_t>(c)]++));
  upload->update_copy = ctx.census->produce(node.host);
  ctx.monitor->record_produced(1);
  ++outstanding_;
  ++stats_.picked;
  ctx.sim->spawn(client(upload), node.name);
  const topology::NodeId host = ctx.nodes[static_cast<std::size_t>(config_.server)].host;
  send_message(*ctx.net, host, node.host, static_cast<double>(param_bytes_), upload->inbox,
               std::make_shared<const ml::Vector>(params_), "global_model");
}

// A client's program: receive the model, train E local epochs, upload.
sim::Task FedBuff::client(std::shared_ptr<Upload> upload) {
  RunContext& ctx = *ctx_;
  const auto c = static_cast<std::size_t>(upload->client);
  const Node& node = ctx.nodes[static_cast<std::size_t>(config_.clients[c])];
  std::shared_ptr<const ml::Vector> model =
      co_await algo::receive(*ctx.net, node.host, upload->inbox, "global_model");
  Replica replica(ctx, node, shards_[c], batch_sizes_[c], *model);
  replica.sampler = ml::BatchSampler(shards_[c], upload->order_seed);
  replica.shared_compute = &compute_[c];
  StepPlan local_sgd;
  local_sgd.apply = true;
  while (replica.sampler.epochs_completed() < config_.local_epochs) {
    const StepResult step = co_await replica.local_step(ctx, local_sgd);
    upload->samples += step.samples;
  }
  if (replica.has_model()) {
    upload->values = config_.rule == AsyncRule::buffered
                         ? ml::Vector(replica.parameters() - *model)  // Delta = y - x_v
                         : std::move(replica.parameters());
  }
  const topology::NodeId server = ctx.nodes[static_cast<std::size_t>(config_.server)].host;
  UpdateCopy copy = std::move(upload->update_copy);  // travels with the upload
  send_message(*ctx.net, node.host, server, static_cast<double>(param_bytes_), *inbox_,
               ServerMessage{upload, std::move(copy)}, "client_update",
               std::function<void()>([this] {
                 ctx_->monitor->record_lost();
                 --outstanding_;
               }));
}

bool FedBuff::apply(std::shared_ptr<Upload> upload) {
  const std::int64_t staleness = version_ - upload->version;
  const double weight = staleness_weight(staleness, config_.staleness_exponent);
  if (config_.rule == AsyncRule::mixing) {  // x <- (1 - alpha_s) x + alpha_s y
    const double alpha = config_.mixing * weight;
    terms_.assign({{static_cast<float>(alpha), &upload->values}});
    add_to(params_, static_cast<float>(1.0 - alpha), terms_);
    buffered_.push_back(std::move(upload));
  } else {  // buffer <- buffer + w(s) Delta; every K arrivals x <- x + eta_g buffer / K
    terms_.assign({{static_cast<float>(weight), &upload->values}});
    add_to(buffer_, 1.0f, terms_);
    buffered_samples_ += upload->samples;
    buffered_.push_back(std::move(upload));
    if (static_cast<int>(buffered_.size()) < config_.buffer_size) return false;
    const double scale = config_.server_lr / static_cast<double>(config_.buffer_size);
    terms_.assign({{static_cast<float>(scale), &buffer_}});
    add_to(params_, 1.0f, terms_);
    if (!ctx_->timing_only) buffer_.setZero();
  }
  for (const auto& applied : buffered_) {
    const std::int64_t s = version_ - applied->version;
    ctx_->monitor->record_applied(s);
    stats_.staleness_max = std::max(stats_.staleness_max, s);
    applied->update_copy.settle();
    --outstanding_;
  }
  buffered_.clear();
  buffered_samples_ = 0;
  ++version_;
  ++stats_.steps;
  return true;
}

void FedBuff::add_to(ml::Vector& x, float self, const std::vector<WeightedInput>& terms) {
  if (ctx_->timing_only) return;
  std::vector<WeightedInput> inputs{{self, &x}};
  for (const WeightedInput& t : terms) {
    if (t.values->size() == x.size()) inputs.push_back(t);
  }
  scratch_.resize(x.size());
  weighted_average(*ctx_, inputs, scratch_, jobs_);
  std::swap(x, scratch_);
}

std::string FedBuff::stall_reason() const {
  return "the server waits for uploads from " + std::to_string(outstanding_) +
         " client(s): a lost model or upload keeps its slot (no client timeout is modelled)";
}

}  // namespace algo
