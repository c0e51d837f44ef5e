// FedProx's local objective (Li et al. 2020, "Federated Optimization in
// Heterogeneous Networks"): the model's loss plus a proximal term that keeps
// the client near the global model w_g it started the round from,
//   h(w) = loss(w) + mu/2 * ||w - w_g||^2,   grad h = grad loss + mu * (w - w_g).
// With mu = 0 the term adds exactly zero to the loss and the gradient, so the
// client trains as under FedAvg, bit for bit (tested).
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string_view>

#include "algorithms/runtime/local_objective.h"

namespace algo {

class ProximalObjective final : public LocalObjective {
 public:
  // REQUIRES mu >= 0 and finite, else std::invalid_argument. Copies the anchor.
  ProximalObjective(float mu, const ml::Vector& anchor) : mu_(mu), anchor_(anchor) {
    if (!(mu >= 0.0f && mu < 1e30f)) throw std::invalid_argument("proximal mu must be >= 0");
  }
  std::string_view name() const override { return "proximal"; }

  float loss_and_gradient(ml::Mlp& model, const ml::RowMatrix& x, std::span<const std::int32_t> y,
                          ml::Vector& gradient) override {
    const float loss = model.loss_and_gradient(x, y, gradient);
    const ml::Vector& w = model.parameters();
    drift_ = w - anchor_;                             // w - w_g
    gradient += mu_ * drift_;                         // + mu (w - w_g)
    return loss + 0.5f * mu_ * drift_.squaredNorm();  // + mu/2 ||w - w_g||^2
  }

  // The drift (a subtraction), its scaling and the add to the gradient, and
  // the squared norm (a multiply-add): 5 x P.
  double extra_flops(std::int64_t parameters) const override {
    return 5.0 * static_cast<double>(parameters);
  }

  float mu() const { return mu_; }

 private:
  float mu_;
  ml::Vector anchor_;  // w_g: the global model of the round
  ml::Vector drift_;   // scratch, kept for its storage
};

// The factory FedProx's clients use: one objective per client per round,
// anchored at the global model it received.
inline LocalObjectiveFactory proximal_objective(float mu) {
  if (!(mu >= 0.0f && mu < 1e30f)) throw std::invalid_argument("proximal mu must be >= 0");
  return [mu](const ml::Vector& global) { return std::make_unique<ProximalObjective>(mu, global); };
}

}  // namespace algo
