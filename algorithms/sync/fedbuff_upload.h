// FedBuff's per-participation state (private to fedbuff*.cpp): what the
// server and the client's program share.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "algorithms/ml/mlp.h"
#include "algorithms/runtime/update_census.h"
#include "algorithms/sync/fedbuff.h"
#include "sim/mailbox.h"

namespace algo {

// One client's participation: made when the server picks it, freed once its
// upload is applied or, after it was dropped, the last holder lets go.
struct FedBuff::Upload {
  Upload(sim::Simulator& sim, int client) : client(client), inbox(sim) {}
  int client;                     // position in config_.clients
  std::int64_t version = 0;       // of the model it was sent
  std::uint64_t order_seed = 0;   // of this participation's batch order
  std::int64_t samples = 0;       // trained
  double loss_sum = 0.0;          // its batches' losses x samples (Oort's statistical utility)
  ml::Vector values;              // Delta (buffered) or the model (mixing); empty without math
  UpdateCopy update_copy;         // at the client, then travelling, then at the server
  UpdateCopy::Fate fate;          // settles it wherever it is
  sim::Time started = 0;          // when the server sent the model
  std::uint64_t incarnation = 0;  // of the client's host when picked: a change is a crash
  std::optional<sim::Time> offline_at;  // when its online session ends (schedules only)
  std::optional<sim::Time> timeout;     // when the server gives up on it (client_timeout)
  bool download_lost = false;           // the model never reached it
  bool upload_lost = false;             // its upload was lost on the way (counted lost)
  bool crash_counted = false;           // its host crashed with the update on it (dropped)
  bool uploaded = false;                // the update left the client
  bool dropped = false;                 // the server no longer waits for it
  sim::Mailbox<std::shared_ptr<const ml::Vector>> inbox;  // the model
};

}  // namespace algo
