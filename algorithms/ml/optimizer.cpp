#include "algorithms/ml/optimizer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace ml {

Optimizer::~Optimizer() = default;

namespace {

void require_non_negative(float value, const char* name) {
  if (!(value >= 0.0f) || !std::isfinite(value)) {
    throw std::invalid_argument(std::string("optimizer: ") + name +
                                " must be finite and >= 0, got " + std::to_string(value));
  }
}

void require_sizes(const Vector& params, const Vector& grad, Eigen::Index state_size) {
  if (grad.size() != params.size()) {
    throw std::invalid_argument("optimizer: gradient has " + std::to_string(grad.size()) +
                                " entries, parameters " + std::to_string(params.size()));
  }
  if (state_size != 0 && state_size != params.size()) {
    throw std::invalid_argument("optimizer: parameter count changed from " +
                                std::to_string(state_size) + " to " +
                                std::to_string(params.size()));
  }
}

class Sgd final : public Optimizer {
 public:
  explicit Sgd(SgdConfig config) : config_(config) {
    require_non_negative(config_.lr, "lr");
    require_non_negative(config_.momentum, "momentum");
    require_non_negative(config_.weight_decay, "weight_decay");
    if (config_.nesterov && config_.momentum == 0.0f) {
      throw std::invalid_argument("optimizer: nesterov requires momentum > 0");
    }
  }

  void step(Vector& params, const Vector& grad) override {
    require_sizes(params, grad, std::max(buffer_.size(), work_.size()));
    const float lr = config_.lr;
    const float mu = config_.momentum;
    const float wd = config_.weight_decay;
    ++steps_;
    if (mu == 0.0f && wd == 0.0f) {  // plain SGD: no state, no scratch
      params.noalias() -= lr * grad;
      return;
    }
    // g = grad + wd * p (into scratch, so grad stays untouched)
    if (work_.size() != params.size()) work_.resize(params.size());
    if (wd != 0.0f) {
      work_.noalias() = grad + wd * params;
    } else {
      work_ = grad;
    }
    if (mu != 0.0f) {
      if (buffer_.size() == 0) {
        buffer_ = work_;  // first step: b = g (no dampening of the first buffer)
      } else {
        buffer_ = mu * buffer_ + work_;
      }
      if (config_.nesterov) {
        work_ += mu * buffer_;
      } else {
        work_ = buffer_;
      }
    }
    params.noalias() -= lr * work_;
  }

  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Sgd>(*this); }
  void reset() override {
    buffer_.resize(0);
    steps_ = 0;
  }
  float lr() const override { return config_.lr; }
  void set_lr(float lr) override {
    require_non_negative(lr, "lr");
    config_.lr = lr;
  }
  std::int64_t steps() const override { return steps_; }
  std::int64_t state_size(std::int64_t parameters) const override {
    return (config_.momentum != 0.0f ? parameters : 0) + 1;
  }

 private:
  SgdConfig config_;
  Vector buffer_;  // momentum buffer; empty until the first step with momentum
  Vector work_;    // scratch for the effective gradient
  std::int64_t steps_ = 0;
};

class Adam final : public Optimizer {
 public:
  explicit Adam(AdamConfig config) : config_(config) {
    require_non_negative(config_.lr, "lr");
    require_non_negative(config_.eps, "eps");
    require_non_negative(config_.weight_decay, "weight_decay");
    if (!(config_.beta1 >= 0.0f && config_.beta1 < 1.0f)) {
      throw std::invalid_argument("optimizer: Adam beta1 must be in [0, 1)");
    }
    if (!(config_.beta2 >= 0.0f && config_.beta2 < 1.0f)) {
      throw std::invalid_argument("optimizer: Adam beta2 must be in [0, 1)");
    }
  }

  void step(Vector& params, const Vector& grad) override {
    require_sizes(params, grad, m_.size());
    if (m_.size() == 0) {
      m_ = Vector::Zero(params.size());
      v_ = Vector::Zero(params.size());
      work_.resize(params.size());
    }
    ++steps_;
    const float b1 = config_.beta1;
    const float b2 = config_.beta2;
    if (config_.weight_decay != 0.0f) {
      work_.noalias() = grad + config_.weight_decay * params;
    } else {
      work_ = grad;
    }
    m_ = b1 * m_ + (1.0f - b1) * work_;
    v_.array() = b2 * v_.array() + (1.0f - b2) * work_.array().square();
    const double t = static_cast<double>(steps_);
    const double correction1 = 1.0 - std::pow(static_cast<double>(b1), t);
    const double correction2 = 1.0 - std::pow(static_cast<double>(b2), t);
    const auto step_size = static_cast<float>(config_.lr / correction1);
    const auto correction2_sqrt = static_cast<float>(std::sqrt(correction2));
    params.array() -= step_size * m_.array() / (v_.array().sqrt() / correction2_sqrt + config_.eps);
  }

  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Adam>(*this); }
  void reset() override {
    m_.resize(0);
    v_.resize(0);
    steps_ = 0;
  }
  float lr() const override { return config_.lr; }
  void set_lr(float lr) override {
    require_non_negative(lr, "lr");
    config_.lr = lr;
  }
  std::int64_t steps() const override { return steps_; }
  std::int64_t state_size(std::int64_t parameters) const override { return 2 * parameters + 1; }

 private:
  AdamConfig config_;
  Vector m_;     // first moment; empty until the first step
  Vector v_;     // second moment
  Vector work_;  // scratch for the effective gradient
  std::int64_t steps_ = 0;
};

}  // namespace

std::unique_ptr<Optimizer> make_sgd(SgdConfig config) { return std::make_unique<Sgd>(config); }
std::unique_ptr<Optimizer> make_adam(AdamConfig config) { return std::make_unique<Adam>(config); }

}  // namespace ml
