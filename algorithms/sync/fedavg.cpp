#include "algorithms/sync/fedavg.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

#include "algorithms/ml/batch_sampler.h"
#include "sim/random.h"
#include "algorithms/runtime/client_holdout.h"
#include "algorithms/runtime/model_shape.h"
#include "algorithms/runtime/privacy_ledger.h"
#include "algorithms/runtime/local_time.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/runtime/stall.h"
#include "algorithms/runtime/replica.h"
#include "algorithms/runtime/training_seeds.h"
#include "algorithms/sync/fedavg_client_round.h"

namespace algo {

FedAvg::FedAvg(FedAvgConfig config) : config_(std::move(config)) {
  if (config_.clients.empty()) throw std::invalid_argument("fedavg needs at least one client");
  for (int c : config_.clients) {
    if (c == config_.server) throw std::invalid_argument("fedavg server cannot also be a client");
  }
  const auto n = static_cast<int>(config_.clients.size());
  if (config_.clients_per_round == 0) config_.clients_per_round = n;
  if (config_.clients_per_round < 1 || config_.clients_per_round > n) {
    throw std::invalid_argument("fedavg clients_per_round must be in [1, " + std::to_string(n) +
                                "], got " + std::to_string(config_.clients_per_round));
  }
  if (config_.local_epochs < 1) throw std::invalid_argument("fedavg local_epochs must be >= 1");
  if (config_.batch_size < 1) throw std::invalid_argument("fedavg batch_size must be >= 1");
  if (config_.deadline < 0) throw std::invalid_argument("fedavg deadline must be >= 0");
  if (!(config_.availability > 0 && config_.availability <= 1)) {
    throw std::invalid_argument("fedavg availability must be in (0, 1]");
  }
  if (!(config_.holdout >= 0 && config_.holdout < 1)) {
    throw std::invalid_argument("fedavg holdout must be in [0, 1)");
  }
}

FedAvg::~FedAvg() = default;

ml::Vector FedAvg::weighted_average(const std::vector<const ml::Vector*>& models,
                                    const std::vector<std::int64_t>& weights) {
  if (models.empty() || models.size() != weights.size()) {
    throw std::invalid_argument("weighted_average: need one weight per model, and a model");
  }
  std::vector<Contribution> contributions;
  for (std::size_t k = 0; k < models.size(); ++k) {
    if (models[k]->size() != models[0]->size()) {
      throw std::invalid_argument("weighted_average: models of different sizes");
    }
    contributions.push_back({static_cast<int>(k), models[k], weights[k]});
  }
  const RunContext inline_math;  // no pool, no test fault
  ml::Vector average(models[0]->size());
  WeightedMean().aggregate(inline_math, contributions, average);
  return average;
}

void FedAvg::launch(RunContext& ctx) {
  ctx_ = &ctx;
  const Node& server = ctx.nodes.at(static_cast<std::size_t>(config_.server));
  params_ = initial_parameters(ctx);  // empty with math: none
  param_bytes_ = model_parameters(ctx) * static_cast<std::int64_t>(sizeof(float));
  server_compute_ = std::make_unique<ComputeModel>(server, ctx.seed);
  server_inbox_ = std::make_unique<sim::Mailbox<ServerMessage>>(*ctx.sim);
  sampling_ = std::make_unique<sim::RandomStream>(ctx.seed, server.name, "fedavg-sampling");
  availability_ = std::make_unique<sim::RandomStream>(ctx.seed, server.name, "fedavg-availability");
  aggregator_ = config_.aggregator();
  if (config_.server_optimizer) server_optimizer_ = config_.server_optimizer();
  if (ctx.privacy && ctx.privacy->dp_fedavg()) {
    const PrivacySpec& dp = ctx.privacy->spec();
    dp_step_ =
        std::make_unique<DpFedAvgStep>(dp.clip, dp.noise_multiplier, config_.clients_per_round,
                                       sim::derive_seed(ctx.seed, server.name, "dp-fedavg-noise"));
  }
  if (config_.control_variates) {
    control_ = std::make_unique<ControlVariates>(static_cast<int>(config_.clients.size()),
                                                 model_parameters(ctx), ctx.timing_only);
  }

  Assignment assignment = assign_work(ctx, config_.clients, config_.batch_size, config_.assignment);
  shards_ = std::move(assignment.shards);
  batch_sizes_ = std::move(assignment.batch_sizes);
  holdout_ = hold_out_clients(ctx, config_.clients, shards_, config_.holdout);
  launch_devices(ctx);
  compute_.reserve(config_.clients.size());
  compressors_.reserve(config_.clients.size());
  for (std::size_t k = 0; k < config_.clients.size(); ++k) {
    const Node& node = ctx.nodes.at(static_cast<std::size_t>(config_.clients[k]));
    compute_.emplace_back(compute_node(static_cast<int>(k)), ctx.seed);
    compressors_.push_back(config_.compressor());
    compressors_.back()->seed(compressor_seed(ctx.seed, node.name));
    fl_clients_.push_back({node.name});
  }
  ctx.sim->spawn(serve(), server.name);
}

const Node& FedAvg::client_node(int client) const {
  return ctx_->nodes[static_cast<std::size_t>(config_.clients[static_cast<std::size_t>(client)])];
}

// The server's program: one round after another until the run stops.
sim::Task FedAvg::serve() {
  RunContext& ctx = *ctx_;
  const topology::NodeId host = ctx.nodes[static_cast<std::size_t>(config_.server)].host;
  if (ctx.monitor->on_update(0, 0, params_)) co_return;

  for (std::int64_t round = 0;; ++round) {
    FedAvgRound record;
    record.round = round;
    bool any = true;
    co_await wait_for_online(any);
    if (!any) co_return;  // no client will ever be online again
    record.start = ctx.sim->now();
    record.start_local = local_time(ctx, host);
    const std::vector<int> online = sample(record);
    // The close: announced on the server's clock, waited for as a timeout on it.
    const sim::Time close_local = local_time(ctx, host) + config_.deadline;
    std::optional<sim::Time> close;
    if (config_.deadline > 0 && !online.empty()) {
      close = ctx.sim->now() + wait_for_local(ctx, host, config_.deadline);
    }
    in_round_ = broadcast(round, online, close_local);
    Clients arrived;
    co_await gather(round, online.size(), close, arrived);
    settle(online, in_round_, arrived, record);
    in_round_.clear();
    std::int64_t samples = 0;
    co_await aggregate(arrived, samples);
    if (report(std::move(record), samples)) co_return;
  }
}

std::vector<int> FedAvg::sample(FedAvgRound& record) {
  RunContext& ctx = *ctx_;
  const topology::NodeId host = ctx.nodes[static_cast<std::size_t>(config_.server)].host;
  record.sampled = sample_clients();
  std::vector<int> online, crashed, unreachable;
  for (int c : record.sampled) {
    const bool up = config_.availability >= 1.0 || availability_->bernoulli(config_.availability);
    const topology::NodeId client_host = client_node(c).host;
    if (!up) {
      record.offline.push_back(c);
    } else if (!ctx.net->host_up(client_host)) {
      crashed.push_back(c);
    } else if (ctx.net->faults_active() && !ctx.net->can_reach(host, client_host)) {
      // (Without faults an unreachable client stays an error of the topology.)
      unreachable.push_back(c);
    } else {
      online.push_back(c);
    }
  }
  ctx.monitor->record_produced(static_cast<std::int64_t>(record.sampled.size()));
  if (!record.offline.empty()) {
    ctx.monitor->record_dropped(static_cast<std::int64_t>(record.offline.size()), "offline");
  }
  if (!crashed.empty())
    ctx.monitor->record_dropped(static_cast<std::int64_t>(crashed.size()), "crashed");
  if (!unreachable.empty()) {
    ctx.monitor->record_dropped(static_cast<std::int64_t>(unreachable.size()), "unreachable");
  }
  open_updates_ = static_cast<std::int64_t>(online.size());
  record.crashed = static_cast<std::int64_t>(crashed.size());
  record.unreachable = static_cast<std::int64_t>(unreachable.size());
  record.failed = crashed;
  record.failed.insert(record.failed.end(), unreachable.begin(), unreachable.end());
  return online;
}

FedAvg::Clients FedAvg::broadcast(std::int64_t round, const std::vector<int>& online,
                                  sim::Time close_local) {
  RunContext& ctx = *ctx_;
  const topology::NodeId host = ctx.nodes[static_cast<std::size_t>(config_.server)].host;
  auto snapshot = std::make_shared<const ml::Vector>(params_);
  Clients in_round;  // online clients, in client order
  for (int c : online) {
    const Node& node = client_node(c);
    auto state = std::make_shared<ClientRound>(
        *ctx.sim, c, round, static_cast<std::int64_t>(shards_[static_cast<std::size_t>(c)].size()));
    state->order_seed =
        sim::derive_seed(batch_order_seed(ctx.seed, node.name), static_cast<std::uint64_t>(round));
    state->close_local = close_local;
    state->offline_at = offline_at(c);
    state->started = ctx.sim->now();
    state->incarnation = ctx.net->incarnation(node.host);
    state->update_copy = ctx.census->produce(node.host);
    state->fate = state->update_copy.fate();
    if (control_) state->control = control_->start(c, snapshot);  // c travels with the model
    ctx.sim->spawn(client_round(state), node.name);
    const std::int64_t bytes = param_bytes_ + (control_ ? control_->wire_bytes() : 0);
    count_bytes(round, c, static_cast<double>(bytes), 0.0);
    send_message(*ctx.net, host, node.host, static_cast<double>(bytes), state->inbox,
                 std::shared_ptr<const ml::Vector>(snapshot), "global_model",
                 std::function<void()>([state] { state->download_lost = true; }));
    in_round.push_back(std::move(state));
  }
  return in_round;
}

sim::Task FedAvg::gather(std::int64_t round, std::size_t expected, std::optional<sim::Time> close,
                         Clients& arrived) {
  RunContext& ctx = *ctx_;
  const topology::NodeId host = ctx.nodes[static_cast<std::size_t>(config_.server)].host;
  // Over-selection: the first K updates are kept, the rest are late.
  const std::size_t keep = std::min(expected, static_cast<std::size_t>(config_.clients_per_round));
  std::size_t gone = 0;  // awaited clients that went offline
  while (arrived.size() < keep && arrived.size() + gone < expected) {
    std::optional<sim::Time> wake = next_offline();
    if (close && (!wake || *close < *wake)) wake = close;
    std::optional<ServerMessage> message;
    if (wake) {
      message = co_await algo::receive_until(*ctx.net, host, *server_inbox_, *wake, "client_model");
      if (!message) {
        if (close && ctx.sim->now() >= *close) co_return;  // the close
        gone += mark_offline();
        continue;
      }
    } else {
      message = co_await algo::receive(*ctx.net, host, *server_inbox_, "client_model");
    }
    // An upload of an earlier round, or one landing at the close itself, is late.
    if (message->round != round || (close && ctx.sim->now() >= *close)) {
      ++stats_.discarded;
      continue;
    }
    gone += mark_offline();               // one whose session ended now arrives too late
    if (message->update->gone_offline) {  // kept until settle() drops it as offline
      message->update->update_copy = std::move(message->update_copy);
      ++stats_.discarded;
      continue;
    }
    message->update->received = true;
    if (population_.selector) {
      const auto& state = *message->update;
      population_.selector->observe(
          state.client,
          state.samples > 0 ? state.loss_sum / static_cast<double>(state.samples) : 0.0,
          state.weight, ctx.sim->now() - state.started);
    }
    message->update->update_copy = std::move(message->update_copy);  // now at the server
    arrived.push_back(std::move(message->update));
  }
}

void FedAvg::settle(const std::vector<int>& online, const Clients& in_round, Clients& arrived,
                    FedAvgRound& record) {
  RunContext& ctx = *ctx_;
  std::sort(arrived.begin(), arrived.end(),
            [](const auto& a, const auto& b) { return a->client < b->client; });
  for (const auto& state : arrived) record.accepted.push_back(state->client);
  std::vector<int> missing, offline;
  std::set_difference(online.begin(), online.end(), record.accepted.begin(), record.accepted.end(),
                      std::back_inserter(missing));
  open_updates_ = 0;  // every online client is now applied, dropped or lost
  if (missing.empty()) return;
  for (const auto& state : in_round) {  // client order
    if (!std::binary_search(missing.begin(), missing.end(), state->client)) continue;
    const topology::NodeId client_host = client_node(state->client).host;
    if (state->upload_lost) {  // already counted lost
      record.failed.push_back(state->client);
      ++record.lost;
    } else if (ctx.net->incarnation(client_host) != state->incarnation) {
      record.failed.push_back(state->client);
      ++record.crashed;
      if (!state->crash_counted) ctx.monitor->record_dropped(1, "crashed");
      state->fate.settle();
    } else if (state->download_lost) {
      record.failed.push_back(state->client);
      ++record.unreachable;
      ctx.monitor->record_dropped(1, "unreachable");
      state->fate.settle();
    } else if (state->gone_offline || (state->offline_at && *state->offline_at <= ctx.sim->now())) {
      offline.push_back(state->client);
      state->fate.settle();
    } else if (state->fate.exists()) {  // dropped only where a copy of it is
      record.late.push_back(state->client);
      state->fate.settle();
    } else {  // every copy vanished without a trace: a bug the accounting must show
      state->fate.settle();
    }
  }
  std::sort(record.failed.begin(), record.failed.end());
  if (!offline.empty()) {
    ctx.monitor->record_dropped(static_cast<std::int64_t>(offline.size()), "offline");
    record.offline.insert(record.offline.end(), offline.begin(), offline.end());
    std::sort(record.offline.begin(), record.offline.end());
  }
  if (!record.late.empty()) {
    ctx.monitor->record_dropped(static_cast<std::int64_t>(record.late.size()), "late");
  }
  for (const auto& state : in_round) state->abandoned = true;  // harmless for arrived ones
}

sim::Task FedAvg::aggregate(Clients& arrived, std::int64_t& samples) {
  RunContext& ctx = *ctx_;
  samples = 0;
  if (dp_step_) {  // a round samples K of N clients: q = K / N
    ctx.privacy->record(ctx.nodes[static_cast<std::size_t>(config_.server)].name,
                        static_cast<double>(config_.clients_per_round) /
                            static_cast<double>(config_.clients.size()));
  }
  if (arrived.empty()) co_return;  // the model stays as it was
  std::vector<Contribution> contributions;
  for (const auto& state : arrived) {
    contributions.push_back({state->client, &state->update, state->weight});
    samples += state->samples;
  }
  double optimizer_flops = 0.0;
  // The server's FLOPs for the aggregate: the DP-FedAvg step's own, or the mean's.
  const auto accepted = static_cast<int>(arrived.size());
  const double combine_flops = dp_step_ ? DpFedAvgStep::flops(model_parameters(ctx), accepted)
                                        : aggregate_flops(model_parameters(ctx), accepted);
  // Into `target` the aggregate: the DP-FedAvg step or the aggregator.
  const auto combine = [&](ml::Vector& target) {
    if (!dp_step_) {
      aggregator_->aggregate(ctx, contributions, target);
    } else if (!ctx.timing_only) {
      std::vector<const ml::Vector*> models;
      for (const auto& state : arrived) models.push_back(&state->update);
      MathTimer timer(ctx.math);
      dp_step_->apply(params_, models, target);
    }
  };
  if (server_optimizer_) {  // aggregate, then step on the pseudo-gradient
    aggregate_.resize(params_.size());
    combine(aggregate_);
    server_optimizer_->step(ctx, aggregate_, params_);
    optimizer_flops = server_optimizer_->flops(model_parameters(ctx));
  } else {
    combine(params_);
  }
  if (control_) {  // c from the accepted clients' Delta c_k, in client order
    std::vector<const ml::Vector*> deltas;
    for (const auto& state : arrived) deltas.push_back(&state->control->delta);
    optimizer_flops += control_->server_update(ctx, deltas);
  }
  // The updates stay outstanding until applied, after the server's compute.
  std::vector<UpdateCopy> applying;
  for (const auto& state : arrived) applying.push_back(std::move(state->update_copy));
  arrived.clear();  // frees the accepted clients' state
  co_await server_compute_->run(*ctx.net, combine_flops + optimizer_flops);
  for (int k = 0; k < accepted; ++k) ctx.monitor->record_applied(0);
  for (const UpdateCopy& copy : applying) copy.settle();
}

bool FedAvg::report(FedAvgRound record, std::int64_t samples) {
  stats_.rounds += 1;
  stats_.sampled += static_cast<std::int64_t>(record.sampled.size());
  stats_.offline += static_cast<std::int64_t>(record.offline.size());
  stats_.late += static_cast<std::int64_t>(record.late.size());
  stats_.accepted += static_cast<std::int64_t>(record.accepted.size());
  stats_.failed += static_cast<std::int64_t>(record.failed.size());
  record.end = ctx_->sim->now();
  record.end_local = local_time(*ctx_, ctx_->nodes[static_cast<std::size_t>(config_.server)].host);
  count_round(record);
  const std::int64_t version = record.round + 1;
  if (config_.record_rounds) rounds_.push_back(std::move(record));
  return ctx_->monitor->on_update(version, samples, params_);
}

std::string FedAvg::stall_reason() const {
  if (none_left_online_) {
    return "the server waits for a client to come online (the availability trace has no "
           "interval left)";
  }
  std::vector<Node> nodes;
  for (const auto& state : in_round_) nodes.push_back(client_node(state->client));
  return stall_waiting_for("the server (no deadline)", *ctx_->net, nodes,
                           "an upload or a model lost on the way");
}

void FedAvg::on_host_crashed(topology::NodeId host) {
  // A client of the open round whose update is still on its host (training,
  // or done and not yet sent) loses it now: dropped as crashed, counted here
  // rather than when the server notices at the close.
  for (const auto& state : in_round_) {
    if (client_node(state->client).host != host || state->uploaded || !state->update_copy) continue;
    ctx_->monitor->record_dropped(1, "crashed");
    state->crash_counted = true;
    state->fate.settle();
    state->update_copy.reset();
    --open_updates_;
  }
}

}  // namespace algo
