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

  void begin_step(const Vector& params, const Vector& grad) override {
    require_sizes(params, grad, std::max(buffer_.size(), work_.size()));
    ++steps_;
    if (config_.momentum == 0.0f && config_.weight_decay == 0.0f) return;  // no state, no scratch
    if (work_.size() != params.size()) work_.resize(params.size());
    first_momentum_step_ = config_.momentum != 0.0f && buffer_.size() == 0;
    if (first_momentum_step_) buffer_.resize(params.size());
  }

  void step_range(Vector& params, const Vector& grad, Eigen::Index offset,
                  Eigen::Index size) override {
    const float lr = config_.lr;
    const float mu = config_.momentum;
    const float wd = config_.weight_decay;
    auto p = params.segment(offset, size);
    const auto g = grad.segment(offset, size);
    if (mu == 0.0f && wd == 0.0f) {  // plain SGD
      p.noalias() -= lr * g;
      return;
    }
    // g = grad + wd * p (into scratch, so grad stays untouched)
    auto work = work_.segment(offset, size);
    if (wd != 0.0f) {
      work.noalias() = g + wd * p;
    } else {
      work = g;
    }
    if (mu != 0.0f) {
      auto buffer = buffer_.segment(offset, size);
      if (first_momentum_step_) {
        buffer = work;  // first step: b = g (no dampening of the first buffer)
      } else {
        buffer = mu * buffer + work;
      }
      if (config_.nesterov) {
        work += mu * buffer;
      } else {
        work = buffer;
      }
    }
    p.noalias() -= lr * work;
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
  bool first_momentum_step_ = false;  // the step under way sets b = g
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

  void begin_step(const Vector& params, const Vector& grad) override {
    require_sizes(params, grad, m_.size());
    if (m_.size() == 0) {
      m_ = Vector::Zero(params.size());
      v_ = Vector::Zero(params.size());
      work_.resize(params.size());
    }
    ++steps_;
    const double t = static_cast<double>(steps_);
    const double correction1 = 1.0 - std::pow(static_cast<double>(config_.beta1), t);
    const double correction2 = 1.0 - std::pow(static_cast<double>(config_.beta2), t);
    step_size_ = static_cast<float>(config_.lr / correction1);
    correction2_sqrt_ = static_cast<float>(std::sqrt(correction2));
  }

  void step_range(Vector& params, const Vector& grad, Eigen::Index offset,
                  Eigen::Index size) override {
    const float b1 = config_.beta1;
    const float b2 = config_.beta2;
    auto p = params.segment(offset, size);
    auto work = work_.segment(offset, size);
    auto m = m_.segment(offset, size);
    auto v = v_.segment(offset, size);
    if (config_.weight_decay != 0.0f) {
      work.noalias() = grad.segment(offset, size) + config_.weight_decay * p;
    } else {
      work = grad.segment(offset, size);
    }
    m = b1 * m + (1.0f - b1) * work;
    v.array() = b2 * v.array() + (1.0f - b2) * work.array().square();
    p.array() -= step_size_ * m.array() / (v.array().sqrt() / correction2_sqrt_ + config_.eps);
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
  float step_size_ = 0.0f;         // lr / (1 - beta1^t) of the step under way
  float correction2_sqrt_ = 1.0f;  // sqrt(1 - beta2^t) of the step under way
};

}  // namespace

std::unique_ptr<Optimizer> make_sgd(SgdConfig config) { return std::make_unique<Sgd>(config); }
std::unique_ptr<Optimizer> make_adam(AdamConfig config) { return std::make_unique<Adam>(config); }

}  // namespace ml
