// Optimizers over the flat parameter vector and a flat gradient of the same
// layout (see mlp.h). State (momentum buffers, Adam moments) is owned by the
// optimizer and sized lazily at the first step; clone() copies it, so each
// worker replica can carry its own.
#pragma once

#include <cstdint>
#include <memory>

#include "algorithms/ml/types.h"

namespace ml {

// torch.optim.SGD semantics (dampening 0):
//   g = grad + weight_decay * p
//   b = g on the first step, else b = momentum * b + g     (only if momentum != 0)
//   g = nesterov ? g + momentum * b : b                     (only if momentum != 0)
//   p = p - lr * g
struct SgdConfig {
  float lr = 0.1f;
  float momentum = 0.0f;
  float weight_decay = 0.0f;
  bool nesterov = false;
};

// torch.optim.Adam semantics (L2 weight decay added to the gradient, not AdamW):
//   g = grad + weight_decay * p; t = t + 1
//   m = beta1 * m + (1 - beta1) g;  v = beta2 * v + (1 - beta2) g^2
//   p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// (bias corrections computed in double, as PyTorch does with Python floats).
struct AdamConfig {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;
};

class Optimizer {
 public:
  virtual ~Optimizer();

  // One update of params from grad. REQUIRES grad.size() == params.size(),
  // and the same size at every call (else std::invalid_argument).
  // No heap allocation after the first step.
  void step(Vector& params, const Vector& grad) {
    begin_step(params, grad);
    step_range(params, grad, 0, params.size());
  }

  // The same update cut into ranges that may run at once on several threads
  // (a parameter server's step on the math pool): begin_step() once (checks
  // the sizes, sizes the state, counts the step), then step_range() for
  // ranges that cover [0, params.size()) once each. A range reads and writes
  // only its own elements of params and of the state, and every element gets
  // the arithmetic step() gives it, so the result is bit for bit step()'s
  // whatever the cut. REQUIRES: no other call on this optimizer in between.
  virtual void begin_step(const Vector& params, const Vector& grad) = 0;
  virtual void step_range(Vector& params, const Vector& grad, Eigen::Index offset,
                          Eigen::Index size) = 0;

  // An independent copy, state included.
  virtual std::unique_ptr<Optimizer> clone() const = 0;

  // Forgets all state (momentum buffers, moments, step count), as a freshly
  // made optimizer.
  virtual void reset() = 0;

  // Learning-rate access for schedules. set_lr REQUIRES lr >= 0.
  virtual float lr() const = 0;
  virtual void set_lr(float lr) = 0;

  // Steps taken since construction or the last reset().
  virtual std::int64_t steps() const = 0;

  // Floats a copy of the state takes on the wire for a model of `parameters`
  // (its buffers, and the step count as one more): what an elastic rejoin
  // sends with the parameters. Fixed by the configuration, so a timing-only
  // run (which never steps) sends the same bytes.
  virtual std::int64_t state_size(std::int64_t parameters) const = 0;
};

// Throw std::invalid_argument for a negative or non-finite lr, momentum,
// weight_decay, nesterov without momentum; Adam betas outside [0, 1), eps < 0.
std::unique_ptr<Optimizer> make_sgd(SgdConfig config);
std::unique_ptr<Optimizer> make_adam(AdamConfig config);

}  // namespace ml
