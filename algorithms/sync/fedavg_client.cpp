// FedAvg's client side: a sampled client's program for one round (receive
// the global model, train, upload) and its deadline on its own clock. The
// server's side is in fedavg.cpp.
#include <memory>
#include <utility>

#include "algorithms/runtime/local_time.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/runtime/model_shape.h"
#include "algorithms/sync/fedavg.h"
#include "algorithms/sync/fedavg_client_round.h"

namespace algo {

// A client's program for one round: receive the global model, train E local
// epochs on it, upload the result (unless the round closed meanwhile).
sim::Task FedAvg::client_round(std::shared_ptr<ClientRound> state) {
  RunContext& ctx = *ctx_;
  const auto c = static_cast<std::size_t>(state->client);
  const Node& node = client_node(state->client);
  // A crash ends this round's work for the client when it next wakes.
  const auto dead = [&] { return ctx.net->incarnation(node.host) != state->incarnation; };
  std::shared_ptr<const ml::Vector> global =
      co_await algo::receive(*ctx.net, node.host, state->inbox, "global_model");
  if (dead()) co_return;
  Replica& replica = state->replica.emplace(ctx, compute_node(state->client), shards_[c],
                                            batch_sizes_[c], *global);
  if (config_.local_objective) {
    state->objective = config_.local_objective(*global);
    replica.objective = state->objective.get();
  }
  if (state->control) replica.objective = &control_->objective(*state->control);
  state->global = std::move(global);
  replica.sampler = ml::BatchSampler(shards_[c], state->order_seed);  // a new order every round
  replica.shared_compute = &compute_[c];  // its straggler draws go on across rounds
  StepPlan local_sgd;                     // the gradient, then the client's optimizer step
  local_sgd.apply = true;
  while (replica.sampler.epochs_completed() < config_.local_epochs && !past_deadline(*state)) {
    const StepResult step = co_await replica.local_step(ctx, local_sgd);
    state->samples += step.samples;
    state->loss_sum += static_cast<double>(step.loss) * static_cast<double>(step.samples);
    if (state->control) ++state->control->steps;
    if (dead()) co_return;
  }
  if (past_deadline(*state)) co_return;  // the server no longer waits for it, or so it believes
  upload(std::move(state));
}

void FedAvg::upload(std::shared_ptr<ClientRound> state) {
  RunContext& ctx = *ctx_;
  const auto c = static_cast<std::size_t>(state->client);
  Compressor& compressor = *compressors_[c];
  Replica& replica = *state->replica;
  double extra_bytes = 0.0;  // SCAFFOLD's Delta c_k, uncompressed
  if (state->control) {
    if (replica.has_model()) {
      control_->finish(*state->control, replica.parameters(), replica.optimizer->lr());
    }
    extra_bytes = static_cast<double>(control_->wire_bytes());
  }
  Encoded encoded =
      replica.has_model()
          ? encode_difference(compressor, std::move(replica.parameters()), *state->global)
          : Encoded{ml::Vector(), compressor.wire_bytes(model_parameters(ctx))};
  state->update = std::move(encoded.values);
  state->replica.reset();
  state->global.reset();  // the update is all the server needs
  const topology::NodeId server_host = ctx.nodes[static_cast<std::size_t>(config_.server)].host;
  const topology::NodeId host = client_node(state->client).host;
  const std::int64_t round = state->round;
  std::shared_ptr<ClientRound> held = state;        // the loss handler outlives the message
  UpdateCopy copy = std::move(state->update_copy);  // travels with the upload
  state->uploaded = true;
  count_bytes(round, state->client, 0.0, encoded.bytes + extra_bytes);
  send_message(*ctx.net, host, server_host, encoded.bytes + extra_bytes, *server_inbox_,
               ServerMessage{round, std::move(state), std::move(copy)}, "client_model",
               std::function<void()>([held, this] {
                 if (held->abandoned) return;  // its round is over: already counted as missing
                 held->upload_lost = true;
                 ctx_->monitor->record_lost();
                 --open_updates_;  // lost, so no longer outstanding
               }));
}

bool FedAvg::past_deadline(const ClientRound& state) {
  // Its device went offline: the round's work is lost with it.
  if (state.offline_at && ctx_->sim->now() >= *state.offline_at) return true;
  // Without a deadline the server abandons only over-selected clients once
  // it has its K updates; it tells them (modelled as a free, instant flag).
  if (config_.deadline == 0) return state.abandoned;
  // Perfect clocks: the same instant as the server's close.
  if (!ctx_->clocks) return state.abandoned;
  return local_time(*ctx_, client_node(state.client).host) >= state.close_local;
}

}  // namespace algo
