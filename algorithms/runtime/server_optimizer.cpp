#include "algorithms/runtime/server_optimizer.h"

#include <cmath>
#include <stdexcept>

namespace algo {

namespace {

bool in_unit(float x) { return x >= 0.0f && x < 1.0f; }

}  // namespace

ServerOptimizer::ServerOptimizer(ServerOptimizerConfig config) : config_(config) {
  if (!(config_.lr > 0.0f && std::isfinite(config_.lr))) {
    throw std::invalid_argument("server optimizer lr must be > 0");
  }
  if (!in_unit(config_.momentum)) throw std::invalid_argument("server momentum must be in [0, 1)");
  if (!in_unit(config_.beta1) || !in_unit(config_.beta2)) {
    throw std::invalid_argument("server optimizer betas must be in [0, 1)");
  }
  if (!(config_.tau > 0.0f && std::isfinite(config_.tau))) {
    throw std::invalid_argument("server optimizer tau must be > 0");
  }
}

std::string_view ServerOptimizer::name() const {
  switch (config_.kind) {
    case ServerOptimizerKind::sgd:
      return config_.momentum > 0.0f ? "fedavgm" : "sgd";
    case ServerOptimizerKind::adam:
      return "fedadam";
    case ServerOptimizerKind::yogi:
      return "fedyogi";
    case ServerOptimizerKind::adagrad:
      return "fedadagrad";
  }
  return "";
}

double ServerOptimizer::flops(std::int64_t parameters) const {
  const auto p = static_cast<double>(parameters);
  switch (config_.kind) {
    case ServerOptimizerKind::sgd:
      // Delta, lr * u - Delta, the add; the momentum's scale and add.
      return (config_.momentum > 0.0f ? 5.0 : 3.0) * p;
    case ServerOptimizerKind::adam:
    case ServerOptimizerKind::yogi:
    case ServerOptimizerKind::adagrad:
      // Delta; m (3); Delta^2 and v (about 4); sqrt, +tau, divide; lr * u - Delta, the add.
      return 13.0 * p;
  }
  return 0.0;
}

void ServerOptimizer::step(const RunContext& ctx, const ml::Vector& aggregate, ml::Vector& model) {
  if (ctx.timing_only) return;
  if (aggregate.size() != model.size()) {
    throw std::invalid_argument("server optimizer: aggregate and model of different sizes");
  }
  const ServerOptimizerConfig& c = config_;
  delta_ = aggregate - model;  // Delta = a - w
  auto d = delta_.array();
  if (c.kind == ServerOptimizerKind::sgd) {
    if (c.momentum == 0.0f) {
      model = aggregate + (c.lr * delta_ - delta_);
      return;
    }
    if (m_.size() == 0) m_ = ml::Vector::Zero(model.size());
    m_ = c.momentum * m_ + delta_;
    model = aggregate + (c.lr * m_ - delta_);
    return;
  }
  if (m_.size() == 0) {
    m_ = ml::Vector::Zero(model.size());
    v_ = ml::Vector::Constant(model.size(), c.tau * c.tau);
  }
  auto m = m_.array();
  auto v = v_.array();
  m = c.beta1 * m + (1.0f - c.beta1) * d;
  const auto d2 = (d * d).eval();
  switch (c.kind) {
    case ServerOptimizerKind::adam:
      v = c.beta2 * v + (1.0f - c.beta2) * d2;
      break;
    case ServerOptimizerKind::yogi:
      v = v - (1.0f - c.beta2) * d2 * (v - d2).sign();
      break;
    case ServerOptimizerKind::adagrad:
      v = v + d2;
      break;
    case ServerOptimizerKind::sgd:
      break;
  }
  const auto u = (m / (v.sqrt() + c.tau)).eval();
  model.array() = aggregate.array() + (c.lr * u - d);
}

}  // namespace algo
