#include "algorithms/sync/fedbuff.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "algorithms/ml/batch_sampler.h"
#include "algorithms/runtime/averaging.h"
#include "algorithms/runtime/local_time.h"
#include "algorithms/runtime/client_holdout.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/runtime/model_shape.h"
#include "algorithms/runtime/replica.h"
#include "algorithms/runtime/training_seeds.h"
#include "algorithms/sync/fedbuff_upload.h"

namespace algo {

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
  if (config_.client_timeout < 0) throw std::invalid_argument("client_timeout must be >= 0");
  if (config_.devices.over_selection != 0) {
    throw std::invalid_argument("over_selection needs rounds; fedbuff and fedasync have none");
  }
  if (!(config_.holdout >= 0 && config_.holdout < 1)) {
    throw std::invalid_argument("fedbuff holdout must be in [0, 1)");
  }
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
  holdout_ = hold_out_clients(ctx, config_.clients, shards_, config_.holdout);
  launch_devices(ctx);
  const auto n = static_cast<int>(config_.clients.size());
  compute_.reserve(config_.clients.size());
  for (int k = 0; k < n; ++k) {
    compute_.emplace_back(compute_node(k), ctx.seed);
    fl_clients_.emplace_back().node = ctx.nodes[static_cast<std::size_t>(config_.clients[k])].name;
  }
  participations_.assign(config_.clients.size(), 0);
  for (int k = 0; k < n; ++k) idle_.push_back(k);
  free_slots_ = config_.concurrency;
  ctx.sim->spawn(serve(), server.name);
}

// The server's program: keep C clients busy, apply each upload as it comes.
sim::Task FedBuff::serve() {
  RunContext& ctx = *ctx_;
  const topology::NodeId host = ctx.nodes[static_cast<std::size_t>(config_.server)].host;
  if (ctx.monitor->on_update(0, 0, params_)) co_return;
  fill_slots();
  for (;;) {
    std::optional<ServerMessage> message;
    if (const std::optional<sim::Time> wake = next_wake()) {
      message = co_await algo::receive_until(*ctx.net, host, *inbox_, *wake, "client_update");
    } else {
      message = co_await algo::receive(*ctx.net, host, *inbox_, "client_update");
    }
    expire();  // a session that ended, or a timeout, by now
    if (!message) {
      fill_slots();
      continue;
    }
    std::shared_ptr<Upload> upload = std::move(message->upload);
    if (upload->dropped) {  // already dropped (timed out or offline): its copy goes here
      ++stats_.discarded;
      fill_slots();
      continue;
    }
    upload->update_copy = std::move(message->update_copy);  // now at the server
    ++stats_.arrived;
    std::erase(training_, upload);
    idle_.push_back(upload->client);
    ++free_slots_;
    if (devices_.selector) {
      devices_.selector->observe(
          upload->client,
          upload->samples > 0 ? upload->loss_sum / static_cast<double>(upload->samples) : 0.0,
          static_cast<std::int64_t>(shards_[static_cast<std::size_t>(upload->client)].size()),
          ctx.sim->now() - upload->started);
    }
    const std::int64_t samples = upload->samples + buffered_samples_;
    const bool published = apply(upload);
    // The arrival's scale-and-add, and the step's, on the server's clock.
    const double flops = 2.0 * static_cast<double>(model_parameters(ctx)) * (published ? 2.0 : 1.0);
    co_await server_compute_->run(*ctx.net, flops);
    if (published) {  // steps.csv's row is stamped when the version is published
      fl_steps_.back().time = ctx.sim->now();
      fl_steps_.back().time_local = local_time(ctx, host);
      if (ctx.monitor->on_update(version_, samples, params_)) co_return;
    }
    expire();
    fill_slots();
  }
}

void FedBuff::fill_slots() {
  while (free_slots_ > 0) {
    const std::optional<int> c = pick_client();
    if (!c) return;
    start_client(*c);
  }
}

void FedBuff::start_client(int c) {
  RunContext& ctx = *ctx_;
  const Node& node =
      ctx.nodes[static_cast<std::size_t>(config_.clients[static_cast<std::size_t>(c)])];
  const topology::NodeId host = ctx.nodes[static_cast<std::size_t>(config_.server)].host;
  auto upload = std::make_shared<Upload>(*ctx.sim, c);
  upload->version = version_;
  upload->order_seed =
      sim::derive_seed(batch_order_seed(ctx.seed, node.name),
                       static_cast<std::uint64_t>(participations_[static_cast<std::size_t>(c)]++));
  upload->update_copy = ctx.census->produce(node.host);
  upload->fate = upload->update_copy.fate();
  upload->started = ctx.sim->now();
  upload->incarnation = ctx.net->incarnation(node.host);
  if (devices_.schedule) upload->offline_at = devices_.schedule->online_until(c, ctx.sim->now());
  if (config_.client_timeout > 0) {
    upload->timeout = ctx.sim->now() + wait_for_local(ctx, host, config_.client_timeout);
  }
  ctx.monitor->record_produced(1);
  ++outstanding_;
  ++stats_.picked;
  --free_slots_;
  ++pending_step_.started;
  ++fl_clients_[static_cast<std::size_t>(c)].selected;
  training_.push_back(upload);
  ctx.sim->spawn(client(upload), node.name);
  count_bytes(c, static_cast<double>(param_bytes_), 0.0);
  send_message(*ctx.net, host, node.host, static_cast<double>(param_bytes_), upload->inbox,
               std::make_shared<const ml::Vector>(params_), "global_model",
               std::function<void()>([upload] { upload->download_lost = true; }));
}

// A client's program: receive the model, train E local epochs, upload.
sim::Task FedBuff::client(std::shared_ptr<Upload> upload) {
  RunContext& ctx = *ctx_;
  const auto c = static_cast<std::size_t>(upload->client);
  const Node& node = ctx.nodes[static_cast<std::size_t>(config_.clients[c])];
  std::shared_ptr<const ml::Vector> model =
      co_await algo::receive(*ctx.net, node.host, upload->inbox, "global_model");
  if (must_stop(*upload)) co_return;
  Replica replica(ctx, compute_node(upload->client), shards_[c], batch_sizes_[c], *model);
  replica.sampler = ml::BatchSampler(shards_[c], upload->order_seed);
  replica.shared_compute = &compute_[c];
  StepPlan local_sgd;
  local_sgd.apply = true;
  while (replica.sampler.epochs_completed() < config_.local_epochs) {
    const StepResult step = co_await replica.local_step(ctx, local_sgd);
    upload->samples += step.samples;
    upload->loss_sum += static_cast<double>(step.loss) * static_cast<double>(step.samples);
    if (must_stop(*upload)) co_return;
  }
  if (replica.has_model()) {
    upload->values = config_.rule == AsyncRule::buffered
                         ? ml::Vector(replica.parameters() - *model)  // Delta = y - x_v
                         : std::move(replica.parameters());
  }
  const topology::NodeId server = ctx.nodes[static_cast<std::size_t>(config_.server)].host;
  UpdateCopy copy = std::move(upload->update_copy);  // travels with the upload
  upload->uploaded = true;
  count_bytes(upload->client, 0.0, static_cast<double>(param_bytes_));
  send_message(*ctx.net, node.host, server, static_cast<double>(param_bytes_), *inbox_,
               ServerMessage{upload, std::move(copy)}, "client_update",
               std::function<void()>([this, upload] {
                 if (upload->dropped) return;  // already counted as dropped
                 upload->upload_lost = true;
                 ctx_->monitor->record_lost();
                 ++pending_step_.lost;
                 --outstanding_;
               }));
}

bool FedBuff::must_stop(const Upload& upload) const {
  if (upload.dropped) return true;  // the server gave up on it (and told it)
  if (upload.offline_at && ctx_->sim->now() >= *upload.offline_at) return true;
  return ctx_->net->incarnation(
             ctx_->nodes[static_cast<std::size_t>(
                             config_.clients[static_cast<std::size_t>(upload.client)])]
                 .host) != upload.incarnation;
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
  std::vector<std::int64_t> applied_staleness;
  for (const auto& applied : buffered_) {
    const std::int64_t s = version_ - applied->version;
    ctx_->monitor->record_applied(s);
    stats_.staleness_max = std::max(stats_.staleness_max, s);
    applied->update_copy.settle();
    --outstanding_;
    applied_staleness.push_back(s);
    ++fl_clients_[static_cast<std::size_t>(applied->client)].reported;
  }
  buffered_.clear();
  count_step(applied_staleness);
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

}  // namespace algo
