// ServerOptimizer: how a federated server moves its model once the round's
// client models are aggregated (Reddi et al. 2021, "Adaptive Federated
// Optimization"; FedAvgM: Hsu et al. 2019). It composes with the Aggregator:
// the aggregator combines the clients' models into a, then the optimizer
// takes one step on the pseudo-gradient; without one, a is the new model.
//
// With the round's model w and the aggregate a, Delta = a - w (minus the
// pseudo-gradient w - a). One step, elementwise:
//   sgd, fedavgm:  m = momentum * m + Delta (m = Delta when momentum is 0)
//                  u = m
//   fedadam:       m = beta1 * m + (1 - beta1) * Delta
//                  v = beta2 * v + (1 - beta2) * Delta^2
//   fedyogi:       m as fedadam;  v = v - (1 - beta2) * Delta^2 * sign(v - Delta^2)
//   fedadagrad:    m as fedadam;  v = v + Delta^2
//                  u = m / (sqrt(v) + tau)          (the three adaptive kinds)
//   w' = w + lr * u
// m starts at 0 and v at tau^2 (the paper's v_{-1} >= tau^2); no bias
// correction, as in the paper. w' is computed as a + (lr * u - Delta), equal
// to w + lr * u in exact arithmetic: so server SGD with lr 1 and no momentum
// (lr * u = Delta) returns the aggregate bit for bit, that is plain FedAvg.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "algorithms/ml/types.h"
#include "algorithms/runtime/algorithm.h"

namespace algo {

enum class ServerOptimizerKind { sgd, adam, yogi, adagrad };

struct ServerOptimizerConfig {
  ServerOptimizerKind kind = ServerOptimizerKind::sgd;
  float lr = 1.0f;        // eta > 0, the server learning rate
  float momentum = 0.0f;  // sgd: in [0, 1)
  float beta1 = 0.9f;     // adaptive kinds: in [0, 1)
  float beta2 = 0.99f;    // adam, yogi: in [0, 1)
  float tau = 1e-3f;      // adaptive kinds: > 0, the adaptivity floor
};

class ServerOptimizer {
 public:
  explicit ServerOptimizer(ServerOptimizerConfig config);  // invalid_argument on a bad config
  ServerOptimizer(const ServerOptimizer&) = delete;
  ServerOptimizer& operator=(const ServerOptimizer&) = delete;

  // One step: `model` (w, the round's global model) becomes w' from the
  // aggregate a. Timing-only runs (ctx.timing_only) compute nothing.
  // REQUIRES aggregate.size() == model.size(), the same at every call.
  void step(const RunContext& ctx, const ml::Vector& aggregate, ml::Vector& model);

  // The server's FLOPs for one step over `parameters` elements.
  double flops(std::int64_t parameters) const;

  const ServerOptimizerConfig& config() const { return config_; }
  std::string_view name() const;

 private:
  ServerOptimizerConfig config_;
  // Sized at the first step; state across rounds.
  ml::Vector m_;      // first moment (sgd: the momentum buffer)
  ml::Vector v_;      // second moment (adaptive kinds)
  ml::Vector delta_;  // scratch: Delta
};

// A factory: one server optimizer per server, made at launch; null in a
// config means none (the aggregate is the new model).
using ServerOptimizerFactory = std::function<std::unique_ptr<ServerOptimizer>()>;

}  // namespace algo
