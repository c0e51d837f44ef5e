#include "algorithms/sync/hierfl.h"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>

#include "algorithms/runtime/aggregator.h"
#include "algorithms/runtime/client_holdout.h"
#include "algorithms/runtime/local_time.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/runtime/model_shape.h"

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
  if (config_.clients_per_round < 0 || config_.clients_per_round > static_cast<int>(n)) {
    throw std::invalid_argument("hierfl clients_per_round must be in [1, " + std::to_string(n) +
                                "] (0: all)");
  }
  if (config_.edge_deadline < 0 || config_.cloud_deadline < 0) {
    throw std::invalid_argument("hierfl deadlines must be >= 0");
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
  holdout_ = hold_out_clients(ctx, config_.clients, shards_, config_.holdout);
  batch_sizes_ = std::move(assignment.batch_sizes);
  const int n = static_cast<int>(config_.clients.size());
  const int e = static_cast<int>(config_.edges.size());
  members_.resize(static_cast<std::size_t>(e));
  edge_weight_.assign(static_cast<std::size_t>(e), 0);
  for (int k = 0; k < n; ++k) {
    const auto edge = static_cast<std::size_t>(edge_of(k, e, n));
    members_[edge].push_back(k);
    client_weight_.push_back(
        static_cast<std::int64_t>(shards_[static_cast<std::size_t>(k)].size()));
    edge_weight_[edge] += client_weight_.back();
  }
  const Node& cloud_node = ctx.nodes.at(static_cast<std::size_t>(config_.server));
  cloud_compute_ = std::make_unique<ComputeModel>(cloud_node, ctx.seed);
  cloud_inbox_ = std::make_unique<Inbox>(*ctx.sim);
  sampling_ = std::make_unique<sim::RandomStream>(ctx.seed, cloud_node.name, "hierfl-sampling");
  population_ =
      build_fl_population(ctx, config_.clients, config_.devices, config_.edge_deadline, "hierfl");
  for (int node : config_.edges) {
    edge_compute_.emplace_back(ctx.nodes.at(static_cast<std::size_t>(node)), ctx.seed);
    edge_down_.push_back(std::make_unique<Inbox>(*ctx.sim));
    edge_up_.push_back(std::make_unique<Inbox>(*ctx.sim));
  }
  held_.resize(static_cast<std::size_t>(e));
  awaited_.resize(static_cast<std::size_t>(e));
  edge_serial_.assign(static_cast<std::size_t>(e), 0);
  edge_closed_.assign(static_cast<std::size_t>(e), 0);
  invitation_.resize(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) {
    const Node& node = ctx.nodes.at(static_cast<std::size_t>(config_.clients[k]));
    client_compute_.emplace_back(compute_node(k), ctx.seed);
    client_inbox_.push_back(std::make_unique<Inbox>(*ctx.sim));
    fl_clients_.emplace_back();
    fl_clients_.back().node = node.name;
  }
  ctx.sim->spawn(cloud(), cloud_node.name);
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

// The cloud: sample, send the model down, gather the edges' (until the
// close), average, publish.
sim::Task HierFl::cloud() {
  RunContext& ctx = *ctx_;
  const topology::NodeId me = host(config_.server);
  if (ctx.monitor->on_update(0, 0, params_)) co_return;
  for (std::int64_t round = 1;; ++round) {
    std::vector<std::vector<int>> members;
    std::vector<int> keep;
    bool any = true;
    co_await sample(members, keep, any);
    if (!any) co_return;  // no client will ever be online again
    round_row(round).start = ctx.sim->now();
    round_row(round).start_local = local_time(ctx, me);
    std::optional<sim::Time> close;
    const sim::Time close_local = local_time(ctx, me) + config_.cloud_deadline;
    if (config_.cloud_deadline > 0) {
      close = ctx.sim->now() + wait_for_local(ctx, me, config_.cloud_deadline);
    }
    auto global = std::make_shared<const ml::Vector>(params_);
    std::size_t expected = 0;
    for (std::size_t i = 0; i < config_.edges.size(); ++i) {
      if (members[i].empty()) continue;  // none of its clients sampled: it sits out
      ++expected;
      Model down;
      down.values = global;
      down.round = round;
      down.members = std::make_shared<const std::vector<int>>(std::move(members[i]));
      down.keep = keep[i];
      down.close_local = close_local;
      count_bytes(round, -1, static_cast<double>(param_bytes_), 0.0);
      send_message(*ctx.net, me, host(config_.edges[i]), static_cast<double>(param_bytes_),
                   *edge_down_[i], std::move(down), "global_model");
    }
    std::vector<Model> models;
    while (models.size() < expected) {
      std::optional<Model> got;
      if (close) {
        got = co_await algo::receive_until(*ctx.net, me, *cloud_inbox_, *close, "edge_model");
        if (!got) break;  // the close: average the edges that reported
      } else {
        got = co_await algo::receive(*ctx.net, me, *cloud_inbox_, "edge_model");
      }
      // An earlier round's model, or one landing at the close, is discarded.
      if (got->round != round || (close && ctx.sim->now() >= *close)) continue;
      models.push_back(std::move(*got));
    }
    cloud_closed_ = round;
    std::vector<std::int64_t> weights(config_.edges.size(), 0);
    for (const Model& m : models) weights[static_cast<std::size_t>(m.from)] = m.weight;
    std::erase_if(models, [](const Model& m) { return m.weight == 0; });
    std::int64_t samples = 0;
    if (!models.empty()) {  // else the model stays as it was
      Model next;
      co_await average(models, weights, *cloud_compute_, next);
      if (!ctx.timing_only) params_ = *next.values;
      samples = next.samples;
    }
    FlRoundRow& row = round_row(round);
    row.end = ctx.sim->now();
    row.end_local = local_time(ctx, me);
    round_done_[static_cast<std::size_t>(round - 1)] = true;
    if (ctx.monitor->on_update(round, samples, params_)) co_return;
  }
}

sim::Task HierFl::sample(std::vector<std::vector<int>>& members, std::vector<int>& keep,
                         bool& any) {
  RunContext& ctx = *ctx_;
  const auto e = config_.edges.size();
  const int n = static_cast<int>(config_.clients.size());
  any = true;
  if (config_.clients_per_round == 0 && !population_.schedule && !population_.selector) {
    members = members_;  // every client, no draw
    for (const auto& m : members_) keep.push_back(static_cast<int>(m.size()));
    co_return;
  }
  const std::optional<sim::Time> online = population_.next_online(n, ctx.sim->now());
  if (!online) {
    any = false;
    none_left_online_ = true;
    co_return;
  }
  if (*online > ctx.sim->now()) co_await ctx.sim->sleep(*online - ctx.sim->now());
  const int k = config_.clients_per_round > 0 ? config_.clients_per_round : n;
  const std::vector<int> chosen = population_.sample(
      n, over_selected(k, config_.devices.over_selection, n), ctx.sim->now(), *sampling_);
  members.assign(e, {});
  for (int c : chosen) {  // increasing, so each edge's list is in client order
    members[static_cast<std::size_t>(edge_of(c, static_cast<int>(e), n))].push_back(c);
  }
  keep = apportion(members, k);
  for (std::size_t i = 0; i < e; ++i) {
    if (keep[i] == 0) members[i].clear();  // all its sampled clients over-selected: it sits out
  }
}

std::vector<int> HierFl::apportion(const std::vector<std::vector<int>>& members, int k) {
  std::int64_t m = 0;
  for (const auto& list : members) m += static_cast<std::int64_t>(list.size());
  const std::int64_t wanted = std::min<std::int64_t>(k, m);
  std::vector<int> keep;
  std::vector<std::pair<std::int64_t, std::size_t>> remainders;  // (-remainder, edge)
  std::int64_t given = 0;
  for (std::size_t i = 0; i < members.size(); ++i) {
    const std::int64_t share = static_cast<std::int64_t>(members[i].size()) * wanted;
    keep.push_back(static_cast<int>(m == 0 ? 0 : share / m));
    given += keep.back();
    if (m > 0) remainders.emplace_back(-(share % m), i);
  }
  std::sort(remainders.begin(), remainders.end());  // largest remainder, then lower edge
  for (std::size_t j = 0; given < wanted; ++j, ++given) ++keep[remainders[j].second];
  return keep;
}

// An edge aggregator: for each model from the cloud, edge_rounds rounds with
// the clients it was given, then its model back to the cloud. A crash ends
// it for good, unless the cloud has a deadline (then it waits for the next
// model once rebooted).
sim::Task HierFl::edge(int e) {
  RunContext& ctx = *ctx_;
  const auto i = static_cast<std::size_t>(e);
  const topology::NodeId me = host(config_.edges[i]);
  const bool recovers = config_.cloud_deadline > 0;
  std::uint64_t incarnation = ctx.net->incarnation(me);
  for (;;) {
    Model model = co_await algo::receive(*ctx.net, me, *edge_down_[i], "global_model");
    if (ctx.net->incarnation(me) != incarnation) {  // its process found out it crashed
      drop_held(e);
      if (!recovers) break;
      incarnation = ctx.net->incarnation(me);  // rebooted: a new life from this model
    }
    const std::int64_t cloud_round = model.round;
    std::int64_t samples = 0;
    std::vector<int> applied;  // clients applied in this cloud round
    bool alive = true, gave_up = false;
    for (int r = 0; r < config_.edge_rounds && alive; ++r) {
      if (recovers && (cloud_closed_ >= cloud_round ||
                       (ctx.clocks && local_time(ctx, me) >= model.close_local))) {
        gave_up = true;  // the cloud no longer waits for it
        break;
      }
      EdgeRound round;
      co_await edge_round(e, incarnation, *model.members, model.keep, model, round, alive);
      if (!alive) break;
      count_edge_round(cloud_round, round);
      samples += round.samples;
      applied.insert(applied.end(), round.applied.begin(), round.applied.end());
    }
    if (!alive && !recovers) break;
    if (!alive || gave_up) continue;
    std::sort(applied.begin(), applied.end());
    applied.erase(std::unique(applied.begin(), applied.end()), applied.end());
    Model up;
    up.from = e;
    up.values = model.values;
    up.samples = samples;
    up.round = cloud_round;
    for (int k : applied) up.weight += client_weight_[static_cast<std::size_t>(k)];
    count_bytes(cloud_round, -1, 0.0, static_cast<double>(param_bytes_));
    send_message(*ctx.net, me, host(config_.server), static_cast<double>(param_bytes_),
                 *cloud_inbox_, std::move(up), "edge_model");
  }
  awaited_[i].clear();  // it waits for nobody: the cloud waits for it
}

}  // namespace algo
