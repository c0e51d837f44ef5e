// Per-example gradient clipping for DP-SGD (declared in mlp.h).
//
// Dimension legend: B = batch rows, I = layer inputs, O = layer outputs.
// The loss folds the batch mean into the logits' delta, so deltas[l] row i is
// d_i / B, where d_i = d(loss_i)/dZ_i is example i's own delta. Example i's
// gradient is, layer by layer, the outer product a_i d_i^T (I x O, a_i its
// input to the layer: row i of x or of the previous layer's outputs) and d_i
// (the bias), so
//   ||g_i||^2 = B^2 sum_l (||a_i||^2 + 1) ||row i of deltas[l]||^2
// needs only the batch's activations and deltas: O(B (I + O)) per layer
// instead of B gradients of P parameters.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "algorithms/ml/mlp.h"

namespace ml {

using RowMap = Eigen::Map<RowMatrix>;
using ConstRowMap = Eigen::Map<const RowMatrix>;

namespace {

// Adds ||row r of a||^2 (in double) to sums[r] times ||row r of d||^2 plus the bias's share.
void add_layer_norms(const Eigen::Ref<const RowMatrix>& a, const ConstRowMap& d,
                     std::vector<double>& sums) {
  for (Eigen::Index r = 0; r < d.rows(); ++r) {
    double a2 = 1.0;  // the bias's input is 1
    for (Eigen::Index c = 0; c < a.cols(); ++c) a2 += static_cast<double>(a(r, c)) * a(r, c);
    double d2 = 0.0;
    for (Eigen::Index c = 0; c < d.cols(); ++c) d2 += static_cast<double>(d(r, c)) * d(r, c);
    sums[static_cast<std::size_t>(r)] += a2 * d2;
  }
}

}  // namespace

float Mlp::loss_and_clipped_gradient(const Eigen::Ref<const RowMatrix>& x,
                                     std::span<const std::int32_t> y, double clip, Vector& grad,
                                     std::vector<double>& norms) {
  if (!(clip > 0.0)) throw std::invalid_argument("Mlp: the clipping norm must be > 0");
  const float loss = forward_to_dlogits(x, y, grad);
  const Eigen::Index rows = x.rows();
  const int last = num_layers() - 1;

  // Every layer's delta first (the clipping factors need all of them), each
  // from the unscaled delta above it, as in loss_and_gradient.
  for (int l = last; l >= 1; --l) {
    const auto ul = static_cast<std::size_t>(l);
    const int inputs = spec_.widths[ul];
    const ConstRowMap dz(training_.deltas[ul].data(), rows, spec_.widths[ul + 1]);
    RowMap da_prev(training_.deltas[ul - 1].data(), rows, inputs);
    training_.gemm.a_bt(dz, weights(l), da_prev);
    activation_backward(spec_.activation,
                        ConstRowMap(training_.outputs[ul - 1].data(), rows, inputs), da_prev);
  }

  // ||g_i|| from the activations and deltas.
  norms.assign(static_cast<std::size_t>(rows), 0.0);
  for (int l = 0; l <= last; ++l) {
    const auto ul = static_cast<std::size_t>(l);
    const ConstRowMap dz(training_.deltas[ul].data(), rows, spec_.widths[ul + 1]);
    if (l == 0) {
      add_layer_norms(x, dz, norms);
    } else {
      add_layer_norms(ConstRowMap(training_.outputs[ul - 1].data(), rows, spec_.widths[ul]), dz,
                      norms);
    }
  }
  const auto batch = static_cast<double>(rows);
  for (double& n : norms) n = batch * std::sqrt(n);

  // Scale each clipped example's rows, then the plain sums of the products.
  for (int l = 0; l <= last; ++l) {
    const auto ul = static_cast<std::size_t>(l);
    const int inputs = spec_.widths[ul];
    const int outputs = spec_.widths[ul + 1];
    RowMap dz(training_.deltas[ul].data(), rows, outputs);
    for (Eigen::Index r = 0; r < rows; ++r) {
      const double norm = norms[static_cast<std::size_t>(r)];
      if (norm > clip) dz.row(r) *= static_cast<float>(clip / norm);
    }
    RowMap dw(grad.data() + weight_offset(l), inputs, outputs);
    Eigen::Map<Vector> db(grad.data() + bias_offset(l), outputs);
    if (l == 0) {
      training_.gemm.at_b(x, dz, dw);
    } else {
      training_.gemm.at_b(ConstRowMap(training_.outputs[ul - 1].data(), rows, inputs), dz, dw);
    }
    db.noalias() = dz.colwise().sum().transpose();
  }
  return loss;
}

}  // namespace ml
