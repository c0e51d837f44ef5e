// FedAvg's per-client, per-round state (private to fedavg*.cpp): what the
// server's round and the client's program share.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "algorithms/runtime/control_variates.h"
#include "algorithms/runtime/local_objective.h"
#include "algorithms/runtime/replica.h"
#include "algorithms/runtime/update_census.h"
#include "algorithms/sync/fedavg.h"
#include "sim/mailbox.h"

namespace algo {

// Made when the client is sampled and online; freed when the last of the
// server's round, the client's task and in-flight messages lets go of it.
struct FedAvg::ClientRound {
  ClientRound(sim::Simulator& sim, int client, std::int64_t round, std::int64_t weight)
      : client(client), round(round), weight(weight), inbox(sim) {}
  int client;  // position in config_.clients
  std::int64_t round;
  std::int64_t weight;            // n_k: the client's shard size
  std::int64_t samples = 0;       // trained this round (E x n_k once done)
  bool abandoned = false;         // set by the server at the deadline: stop, send nothing
  sim::Time close_local = 0;      // the round's end on the server's clock, announced with the model
  std::uint64_t incarnation = 0;  // of the client's host when sampled: a change means it crashed
  std::uint64_t order_seed = 0;   // of this round's batch order
  bool download_lost = false;     // the global model never reached it
  bool upload_lost = false;       // its update was lost on the way back (counted lost)
  bool crash_counted = false;     // its host crashed with the update on it (counted dropped)
  bool uploaded = false;          // the update left the client
  sim::Time started = 0;          // when the server sent it the model
  std::optional<sim::Time> offline_at;  // when its online session ends (schedules only)
  bool gone_offline = false;            // the server saw it go offline before its update arrived
  bool received = false;                // its update reached the server in time
  double loss_sum = 0.0;                // sum of its batches' losses x samples, this round
  // The client's update for the census (update_census.h): here while the
  // client trains, in the upload while it travels, here again at the server.
  UpdateCopy update_copy;
  UpdateCopy::Fate fate;                          // settles it wherever it is
  std::unique_ptr<LocalObjective> objective;      // null: the plain loss; outlives the replica
  std::optional<ControlVariates::Round> control;  // SCAFFOLD's part; outlives the replica
  // Built from the global model when it arrives; freed once the update is
  // encoded.
  std::optional<Replica> replica;
  // The global model it started from: a lossy upload encodes the difference.
  std::shared_ptr<const ml::Vector> global;
  ml::Vector update;  // what the server decodes from the upload (empty with math: none)
  sim::Mailbox<std::shared_ptr<const ml::Vector>> inbox;  // the global model
};

}  // namespace algo
