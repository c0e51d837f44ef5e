// HierFL's client: for each model from its edge, train local_epochs and
// upload; and the one weighted mean the edges and the cloud compute. The
// tiers' loops are in hierfl.cpp, the edge round in hierfl_edge.cpp.
#include <algorithm>
#include <functional>

#include "algorithms/ml/batch_sampler.h"
#include "algorithms/runtime/aggregator.h"
#include "algorithms/runtime/local_time.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/runtime/model_shape.h"
#include "algorithms/runtime/replica.h"
#include "algorithms/runtime/training_seeds.h"
#include "algorithms/sync/hierfl.h"

namespace algo {

const Node& HierFl::compute_node(int k) const {
  if (!population_.device_nodes.empty()) {
    return population_.device_nodes[static_cast<std::size_t>(k)];
  }
  return ctx_->nodes[static_cast<std::size_t>(config_.clients[static_cast<std::size_t>(k)])];
}

bool HierFl::gives_up(int k, std::int64_t round) const {
  const auto c = static_cast<std::size_t>(k);
  const int n = static_cast<int>(config_.clients.size());
  const auto edge = static_cast<std::size_t>(edge_of(k, static_cast<int>(config_.edges.size()), n));
  if (edge_closed_[edge] >= round) return true;  // the edge said so (a free, instant flag)
  const Invitation& invitation = invitation_[c];
  if (invitation.round != round) return false;
  if (invitation.offline_at && ctx_->sim->now() >= *invitation.offline_at) return true;
  if (config_.edge_deadline == 0 || !ctx_->clocks) return false;
  return local_time(*ctx_, host(config_.clients[c])) >= invitation.close_local;
}

// A client: for each model from its edge, train local_epochs and upload. A
// crash loses the work in hand; rebooted, it waits for its edge's next model.
// A model whose edge round has closed (or closes while it trains) is given up.
sim::Task HierFl::client(int k) {
  RunContext& ctx = *ctx_;
  const auto c = static_cast<std::size_t>(k);
  const Node& node = ctx.nodes[static_cast<std::size_t>(config_.clients[c])];
  const std::size_t edge = static_cast<std::size_t>(
      edge_of(k, static_cast<int>(config_.edges.size()), static_cast<int>(config_.clients.size())));
  for (std::uint64_t participation = 0;; ++participation) {
    Model model = co_await algo::receive(*ctx.net, node.host, *client_inbox_[c], "edge_model");
    const std::uint64_t incarnation = ctx.net->incarnation(node.host);
    const std::int64_t round = model.round;
    const auto dead = [&] { return ctx.net->incarnation(node.host) != incarnation; };
    if (gives_up(k, round)) continue;
    std::optional<Replica> replica;
    replica.emplace(ctx, compute_node(k), shards_[c], batch_sizes_[c], *model.values);
    model.values.reset();
    replica->sampler = ml::BatchSampler(
        shards_[c], sim::derive_seed(batch_order_seed(ctx.seed, node.name), participation));
    replica->shared_compute = &client_compute_[c];
    StepPlan local_sgd;
    local_sgd.apply = true;
    std::int64_t samples = 0;
    double loss_sum = 0.0;
    while (replica->sampler.epochs_completed() < config_.local_epochs && !dead() &&
           !gives_up(k, round)) {
      const StepResult step = co_await replica->local_step(ctx, local_sgd);
      samples += step.samples;
      loss_sum += static_cast<double>(step.loss) * static_cast<double>(step.samples);
    }
    if (dead() || gives_up(k, round)) continue;
    auto trained = std::make_shared<const ml::Vector>(
        replica->has_model() ? std::move(replica->parameters()) : ml::Vector());
    replica.reset();
    UpdateCopy copy = ctx.census->produce(node.host);
    const UpdateCopy::Fate fate = copy.fate();
    ctx.monitor->record_produced(1);
    ++outstanding_;
    count_bytes(model.cloud_round, k, 0.0, static_cast<double>(param_bytes_));
    Model upload;
    upload.from = k;
    upload.values = std::move(trained);
    upload.samples = samples;
    upload.update_copy = std::move(copy);
    upload.round = round;
    upload.loss_sum = loss_sum;
    send_message(*ctx.net, node.host, host(config_.edges[edge]), static_cast<double>(param_bytes_),
                 *edge_up_[edge], std::move(upload), "client_model",
                 std::function<void()>([this, c, round] {
                   ctx_->monitor->record_lost();
                   --outstanding_;
                   if (invitation_[c].round == round) invitation_[c].upload_lost = true;
                 }),
                 std::function<void()>([this, edge, k, round, fate] {
                   held_[edge].push_back({k, round, fate});
                 }));
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
