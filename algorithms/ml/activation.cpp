#include "algorithms/ml/activation.h"

#include <cassert>

namespace ml {

const char* activation_name(Activation activation) {
  switch (activation) {
    case Activation::relu:
      return "relu";
    case Activation::tanh:
      return "tanh";
    case Activation::sigmoid:
      return "sigmoid";
  }
  return "?";
}

void add_bias_and_activate(Activation activation, Eigen::Ref<RowMatrix> z,
                           const Eigen::Ref<const Vector>& bias) {
  assert(bias.size() == z.cols());
  const auto biased = z.rowwise() + bias.transpose();
  switch (activation) {
    case Activation::relu:
      z = biased.cwiseMax(0.0f);
      return;
    case Activation::tanh:
      z = biased.array().tanh().matrix();
      return;
    case Activation::sigmoid:
      // Eigen's logistic() saturates cleanly for large |z| (no exp overflow).
      z = biased.array().logistic().matrix();
      return;
  }
}

void activation_backward(Activation activation, const Eigen::Ref<const RowMatrix>& a,
                         Eigen::Ref<RowMatrix> dz) {
  assert(a.rows() == dz.rows() && a.cols() == dz.cols());
  switch (activation) {
    case Activation::relu:
      // Derivative 0 at the kink, as PyTorch does.
      dz = (a.array() > 0.0f).select(dz, 0.0f);
      return;
    case Activation::tanh:
      dz.array() *= 1.0f - a.array().square();
      return;
    case Activation::sigmoid:
      dz.array() *= a.array() * (1.0f - a.array());
      return;
  }
}

}  // namespace ml
