// ControlVariates: SCAFFOLD's state (Karimireddy et al. 2020, "SCAFFOLD:
// Stochastic Controlled Averaging for Federated Learning", Algorithm 1 with
// option II), kept by a federated server for itself and its N clients.
//
// The server holds c; client k holds c_k (all start at 0). In a round the
// server sends x and c; client k corrects every local gradient by c - c_k
// (its objective, below), and after K local steps at learning rate lr, from
// x to y_k, sets
//   c_k+ = c_k - c + (x - y_k) / (K lr)
// and uploads y_k and Delta c_k = c_k+ - c_k. The server aggregates the
// models as FedAvg does and sets
//   c = c + (1/N) sum_{k accepted} Delta c_k       (summed in client order)
// which keeps c the mean of the c_k exactly in exact arithmetic, under
// partial participation too, as long as no accepted upload is lost (tested
// up to float rounding). A client's c_k changes when it uploads: if the
// upload is then lost or late, c no longer counts it, as in a real system.
//
// Memory: c_k is materialised when client k first trains (P floats each);
// timing-only runs keep no vectors.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "algorithms/ml/types.h"
#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/local_objective.h"
#include "algorithms/runtime/weighted_sum.h"

namespace algo {

class ControlVariates {
 public:
  // One client's part of one round.
  struct Round {
    int client = 0;
    std::shared_ptr<const ml::Vector> model;    // x, as received
    std::shared_ptr<const ml::Vector> control;  // c, as received
    std::int64_t steps = 0;                     // K: local steps taken
    std::unique_ptr<LocalObjective> objective;  // loss + (c - c_k) . w
    ml::Vector delta;                           // Delta c_k, uploaded (empty without math)
  };

  // REQUIRES clients >= 1, parameters >= 1.
  ControlVariates(int clients, std::int64_t parameters, bool timing_only);
  ControlVariates(const ControlVariates&) = delete;
  ControlVariates& operator=(const ControlVariates&) = delete;

  // What the server sends client `client` with the global model `model`.
  Round start(int client, std::shared_ptr<const ml::Vector> model) const;
  // The corrected objective for the round's local steps (owned by `round`).
  LocalObjective& objective(Round& round);
  // After round.steps local steps from x to `trained` (y_k) at learning
  // rate `lr` (the client optimizer's): c_k <- c_k+, round.delta = Delta c_k.
  // Does nothing without math or without a step.
  void finish(Round& round, const ml::Vector& trained, float lr);
  // c <- c + (1/N) sum Delta c_k over `deltas` in order, through the one
  // averaging kernel. Returns the server's FLOPs for it.
  double server_update(const RunContext& ctx, std::span<const ml::Vector* const> deltas);

  // The bytes of c or of Delta c on the wire (float32).
  std::int64_t wire_bytes() const { return parameters_ * static_cast<std::int64_t>(sizeof(float)); }
  const ml::Vector& server() const { return *server_; }
  // c_k; empty until client k first finished a round.
  const ml::Vector& client(int k) const { return clients_[static_cast<std::size_t>(k)]; }

 private:
  std::int64_t parameters_;
  bool timing_only_;
  std::shared_ptr<const ml::Vector> server_;  // c; replaced, never changed in place
  std::vector<ml::Vector> clients_;           // c_k, in client order
  std::vector<WeightedInput> inputs_;         // scratch of server_update
  std::vector<MathPool::Job> jobs_;
};

}  // namespace algo
