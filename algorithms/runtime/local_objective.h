// LocalObjective: what a worker or client minimises on its own batches
// (plug-in point). The plain objective is the model's loss; a federated
// strategy adds to it (FedProx's proximal term, SCAFFOLD's correction) by
// implementing this interface, not by copying the local step.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "algorithms/ml/mlp.h"
#include "algorithms/ml/types.h"

namespace algo {

class LocalObjective {
 public:
  virtual ~LocalObjective() = default;
  virtual std::string_view name() const = 0;
  // The objective's value on the batch (x, y) at the model's parameters, and
  // its gradient with respect to them into `gradient` (resized to the
  // parameter count). Runs on a math thread: it may touch only the model,
  // the batch, `gradient` and its own state.
  virtual float loss_and_gradient(ml::Mlp& model, const ml::RowMatrix& x,
                                  std::span<const std::int32_t> y, ml::Vector& gradient) = 0;
  // Extra FLOPs per step on top of the model's forward and backward pass
  // (e.g. a proximal term's 3 x P), for the simulated compute time.
  virtual double extra_flops(std::int64_t /*parameters*/) const { return 0.0; }
};

// A federated client's objective for one round, made from the global model it
// received (e.g. FedProx anchors its proximal term there). One instance per
// client per round; null in a config means the plain loss.
using LocalObjectiveFactory =
    std::function<std::unique_ptr<LocalObjective>(const ml::Vector& global)>;

// The model's own loss, nothing added.
class PlainLoss final : public LocalObjective {
 public:
  std::string_view name() const override { return "plain"; }
  float loss_and_gradient(ml::Mlp& model, const ml::RowMatrix& x, std::span<const std::int32_t> y,
                          ml::Vector& gradient) override {
    return model.loss_and_gradient(x, y, gradient);
  }
};

}  // namespace algo
