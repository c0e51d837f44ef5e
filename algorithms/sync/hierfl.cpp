#include "algorithms/sync/hierfl.h"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>

#include "algorithms/ml/batch_sampler.h"
#include "algorithms/runtime/aggregator.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/runtime/model_shape.h"
#include "algorithms/runtime/replica.h"
#include "algorithms/runtime/training_seeds.h"

namespace algo {

HierFl::HierFl(HierFlConfig config) : config_(std::move(config)) {
  const auto n = config_.clients.size();
  if (n == 0 || config_.edges.empty())
    throw std::invalid_argument("hierfl needs clients and edges");
  if (config_.edges.size() > n)
    throw std::invalid_argument("hierfl needs no more edges than clients");
  if (config_.local_epochs < 1 || config_.edge_rounds < 1 || config_.batch_size < 1) {
    throw std::invalid_argument("hierfl local_epochs, edge_rounds and batch_size must be >= 1");
  }
}

HierFl::~HierFl() = default;

int HierFl::edge_of(int k, int edges, int clients) {
  return static_cast<int>(static_cast<std::int64_t>(k) * edges / clients);
}

topology::NodeId HierFl::host(int node_index) const {
  return ctx_->nodes[static_cast<std::size_t>(node_index)].host;
}

void HierFl::launch(RunContext& ctx) {
  ctx_ = &ctx;
  params_ = initial_parameters(ctx);  // empty with math: none
  param_bytes_ = model_parameters(ctx) * static_cast<std::int64_t>(sizeof(float));
  Assignment assignment = assign_work(ctx, config_.clients, config_.batch_size, config_.assignment);
  shards_ = std::move(assignment.shards);
  batch_sizes_ = std::move(assignment.batch_sizes);
  const int n = static_cast<int>(config_.clients.size());
  const int e = static_cast<int>(config_.edges.size());
  members_.resize(static_cast<std::size_t>(e));
  edge_weight_.assign(static_cast<std::size_t>(e), 0);
  for (int k = 0; k < n; ++k) {
    const auto edge = static_cast<std::size_t>(edge_of(k, e, n));
    members_[edge].push_back(k);
    edge_weight_[edge] += static_cast<std::int64_t>(shards_[static_cast<std::size_t>(k)].size());
  }
  cloud_compute_ = std::make_unique<ComputeModel>(
      ctx.nodes.at(static_cast<std::size_t>(config_.server)), ctx.seed);
  cloud_inbox_ = std::make_unique<Inbox>(*ctx.sim);
  for (int node : config_.edges) {
    edge_compute_.emplace_back(ctx.nodes.at(static_cast<std::size_t>(node)), ctx.seed);
    edge_down_.push_back(std::make_unique<Inbox>(*ctx.sim));
    edge_up_.push_back(std::make_unique<Inbox>(*ctx.sim));
  }
  held_.resize(static_cast<std::size_t>(e));
  awaited_.resize(static_cast<std::size_t>(e));
  for (int node : config_.clients) {
    client_compute_.emplace_back(ctx.nodes.at(static_cast<std::size_t>(node)), ctx.seed);
    client_inbox_.push_back(std::make_unique<Inbox>(*ctx.sim));
  }
  ctx.sim->spawn(cloud(), ctx.nodes[static_cast<std::size_t>(config_.server)].name);
  for (int i = 0; i < e; ++i) {
    ctx.sim->spawn(
        edge(i),
        ctx.nodes[static_cast<std::size_t>(config_.edges[static_cast<std::size_t>(i)])].name);
  }
  for (int k = 0; k < n; ++k) {
    ctx.sim->spawn(
        client(k),
        ctx.nodes[static_cast<std::size_t>(config_.clients[static_cast<std::size_t>(k)])].name);
  }
}

// The cloud: send the model down, gather every edge's, average, publish.
sim::Task HierFl::cloud() {
  RunContext& ctx = *ctx_;
  const topology::NodeId me = host(config_.server);
  if (ctx.monitor->on_update(0, 0, params_)) co_return;
  for (std::int64_t round = 1;; ++round) {
    auto global = std::make_shared<const ml::Vector>(params_);
    for (std::size_t i = 0; i < config_.edges.size(); ++i) {
      send_message(*ctx.net, me, host(config_.edges[i]), static_cast<double>(param_bytes_),
                   *edge_down_[i], Model{0, global, 0, {}}, "global_model");
    }
    std::vector<Model> models;
    while (models.size() < config_.edges.size()) {
      models.push_back(co_await algo::receive(*ctx.net, me, *cloud_inbox_, "edge_model"));
    }
    Model next;
    co_await average(models, edge_weight_, *cloud_compute_, next);
    if (!ctx.timing_only) params_ = *next.values;
    if (ctx.monitor->on_update(round, next.samples, params_)) co_return;
  }
}

// An edge aggregator: for each model from the cloud, edge_rounds rounds with
// its clients, then its model back to the cloud. A crash ends it for good.
sim::Task HierFl::edge(int e) {
  RunContext& ctx = *ctx_;
  const auto i = static_cast<std::size_t>(e);
  const topology::NodeId me = host(config_.edges[i]);
  const std::uint64_t incarnation = ctx.net->incarnation(me);
  // Noticing its crash, the edge lets go of what it holds (while it still
  // holds it, so the census sees each drop where its copy is).
  const auto dead = [&] {
    if (ctx.net->incarnation(me) == incarnation) return false;
    drop_held(e);
    return true;
  };
  std::vector<std::int64_t> weights;
  for (const ml::Shard& shard : shards_) weights.push_back(static_cast<std::int64_t>(shard.size()));
  for (;;) {
    Model model = co_await algo::receive(*ctx.net, me, *edge_down_[i], "global_model");
    if (dead()) break;
    std::int64_t samples = 0;
    for (int r = 0; r < config_.edge_rounds; ++r) {
      awaited_[i] = members_[i];
      for (int k : members_[i]) {
        send_message(*ctx.net, me, host(config_.clients[static_cast<std::size_t>(k)]),
                     static_cast<double>(param_bytes_), *client_inbox_[static_cast<std::size_t>(k)],
                     Model{e, model.values, 0, {}}, "edge_model");
      }
      std::vector<Model> updates;
      while (updates.size() < members_[i].size()) {
        Model upload = co_await algo::receive(*ctx.net, me, *edge_up_[i], "client_model");
        if (dead()) break;
        std::erase(awaited_[i], upload.from);
        updates.push_back(std::move(upload));
      }
      if (dead()) break;
      // The uploads stay outstanding until applied, after the edge's compute.
      std::vector<UpdateCopy> applying;
      for (Model& update : updates) applying.push_back(std::move(update.update_copy));
      Model next;
      co_await average(updates, weights, edge_compute_[i], next);
      if (dead()) break;  // they were dropped at the crash
      for (const UpdateCopy& copy : applying) {
        ctx.monitor->record_applied(0);
        copy.settle();
      }
      outstanding_ -= static_cast<std::int64_t>(applying.size());
      held_[i].clear();  // exactly the uploads just applied: no deadline, so none early or late
      samples += next.samples;
      model.values = std::move(next.values);
    }
    if (dead()) break;
    send_message(*ctx.net, me, host(config_.server), static_cast<double>(param_bytes_),
                 *cloud_inbox_, Model{e, model.values, samples, {}}, "edge_model");
  }
  awaited_[i].clear();  // it waits for nobody: the cloud waits for it
}

// A client: for each model from its edge, train local_epochs and upload. A
// crash loses the work in hand; rebooted, it waits for its edge's next model.
sim::Task HierFl::client(int k) {
  RunContext& ctx = *ctx_;
  const auto c = static_cast<std::size_t>(k);
  const Node& node = ctx.nodes[static_cast<std::size_t>(config_.clients[c])];
  const std::size_t edge = static_cast<std::size_t>(
      edge_of(k, static_cast<int>(config_.edges.size()), static_cast<int>(config_.clients.size())));
  for (std::uint64_t participation = 0;; ++participation) {
    Model model = co_await algo::receive(*ctx.net, node.host, *client_inbox_[c], "edge_model");
    const std::uint64_t incarnation = ctx.net->incarnation(node.host);
    const auto dead = [&] { return ctx.net->incarnation(node.host) != incarnation; };
    std::optional<Replica> replica;
    replica.emplace(ctx, node, shards_[c], batch_sizes_[c], *model.values);
    model.values.reset();
    replica->sampler = ml::BatchSampler(
        shards_[c], sim::derive_seed(batch_order_seed(ctx.seed, node.name), participation));
    replica->shared_compute = &client_compute_[c];
    StepPlan local_sgd;
    local_sgd.apply = true;
    std::int64_t samples = 0;
    while (replica->sampler.epochs_completed() < config_.local_epochs && !dead()) {
      samples += (co_await replica->local_step(ctx, local_sgd)).samples;
    }
    if (dead()) continue;
    auto trained = std::make_shared<const ml::Vector>(
        replica->has_model() ? std::move(replica->parameters()) : ml::Vector());
    replica.reset();
    UpdateCopy copy = ctx.census->produce(node.host);
    const UpdateCopy::Fate fate = copy.fate();
    ctx.monitor->record_produced(1);
    ++outstanding_;
    send_message(*ctx.net, node.host, host(config_.edges[edge]), static_cast<double>(param_bytes_),
                 *edge_up_[edge], Model{k, std::move(trained), samples, std::move(copy)},
                 "client_model", std::function<void()>([this] {
                   ctx_->monitor->record_lost();
                   --outstanding_;
                 }),
                 std::function<void()>([this, edge, fate] { held_[edge].push_back(fate); }));
  }
}

sim::Task HierFl::average(std::vector<Model>& models, const std::vector<std::int64_t>& weights,
                          ComputeModel& compute, Model& out) {
  RunContext& ctx = *ctx_;
  std::sort(models.begin(), models.end(),
            [](const Model& a, const Model& b) { return a.from < b.from; });
  std::vector<Contribution> contributions;
  out.samples = 0;
  for (const Model& m : models) {
    contributions.push_back({m.from, m.values.get(), weights[static_cast<std::size_t>(m.from)]});
    out.samples += m.samples;
  }
  ml::Vector mean(params_.size());
  if (ctx.timing_only) mean.setZero();
  WeightedMean().aggregate(ctx, contributions, mean);
  out.values = std::make_shared<const ml::Vector>(std::move(mean));
  models.clear();
  co_await compute.run(*ctx.net, 2.0 * static_cast<double>(contributions.size()) *
                                     static_cast<double>(model_parameters(ctx)));
}

}  // namespace algo
