#include "algorithms/runtime/control_variates.h"

#include <stdexcept>
#include <utility>

#include "algorithms/runtime/averaging.h"

namespace algo {

namespace {

// The client's loss with SCAFFOLD's correction: the gradient gains c - c_k
// (fixed for the round). The reported loss is the model's own: the
// correction is a drift fix, not part of what the client is scored on.
class CorrectedLoss final : public LocalObjective {
 public:
  explicit CorrectedLoss(ml::Vector correction) : correction_(std::move(correction)) {}
  std::string_view name() const override { return "scaffold"; }
  float loss_and_gradient(ml::Mlp& model, const ml::RowMatrix& x, std::span<const std::int32_t> y,
                          ml::Vector& gradient) override {
    const float loss = model.loss_and_gradient(x, y, gradient);
    if (correction_.size() != 0) gradient += correction_;
    return loss;
  }
  double extra_flops(std::int64_t parameters) const override {
    return static_cast<double>(parameters);  // one add per element
  }

 private:
  ml::Vector correction_;  // c - c_k
};

}  // namespace

ControlVariates::ControlVariates(int clients, std::int64_t parameters, bool timing_only)
    : parameters_(parameters), timing_only_(timing_only) {
  if (clients < 1 || parameters < 1) throw std::invalid_argument("control variates need clients");
  server_ = std::make_shared<const ml::Vector>(
      timing_only ? ml::Vector() : ml::Vector(ml::Vector::Zero(parameters)));
  clients_.resize(static_cast<std::size_t>(clients));
}

ControlVariates::Round ControlVariates::start(int client,
                                              std::shared_ptr<const ml::Vector> model) const {
  Round round;
  round.client = client;
  round.model = std::move(model);
  round.control = server_;
  return round;
}

LocalObjective& ControlVariates::objective(Round& round) {
  ml::Vector correction;
  if (!timing_only_) {
    const ml::Vector& ck = clients_[static_cast<std::size_t>(round.client)];
    correction = ck.size() == 0 ? *round.control : ml::Vector(*round.control - ck);
  }
  round.objective = std::make_unique<CorrectedLoss>(std::move(correction));
  return *round.objective;
}

void ControlVariates::finish(Round& round, const ml::Vector& trained, float lr) {
  if (timing_only_ || trained.size() == 0 || round.steps == 0) return;
  ml::Vector& ck = clients_[static_cast<std::size_t>(round.client)];
  if (ck.size() == 0) ck = ml::Vector::Zero(parameters_);
  const float k_lr = static_cast<float>(round.steps) * lr;
  // c_k+ = c_k - c + (x - y) / (K lr); Delta c_k = c_k+ - c_k.
  ml::Vector updated = ck - *round.control + (*round.model - trained) / k_lr;
  round.delta = updated - ck;
  ck = std::move(updated);
}

double ControlVariates::server_update(const RunContext& ctx,
                                      std::span<const ml::Vector* const> deltas) {
  const auto n = static_cast<float>(clients_.size());
  const double flops = 2.0 * static_cast<double>(deltas.size()) * static_cast<double>(parameters_);
  if (timing_only_) return flops;
  inputs_.clear();
  inputs_.push_back({1.0f, server_.get()});
  for (const ml::Vector* delta : deltas) {
    if (delta->size() != 0) inputs_.push_back({1.0f / n, delta});
  }
  auto next = std::make_shared<ml::Vector>(parameters_);
  weighted_average(ctx, inputs_, *next, jobs_);
  server_ = std::move(next);
  return flops;
}

}  // namespace algo
