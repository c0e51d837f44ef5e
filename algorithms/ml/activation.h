// Element-wise activations of the hidden layers, forward and backward.
// Dimensions: B = batch rows, O = units of the layer.
//
// The backward pass is written in terms of the layer's *outputs* a = f(z)
// (relu' = [a > 0], tanh' = 1 - a^2, sigmoid' = a (1 - a)), so the forward
// pass can overwrite z with a in place and no pre-activation copy is kept.
#pragma once

#include "algorithms/ml/types.h"

namespace ml {

enum class Activation { relu, tanh, sigmoid };

// Human-readable name ("relu", "tanh", "sigmoid").
const char* activation_name(Activation activation);

// z (B x O) <- f(z + b) row by row: bias add and activation fused in one pass.
// REQUIRES bias.size() == z.cols().
void add_bias_and_activate(Activation activation, Eigen::Ref<RowMatrix> z,
                           const Eigen::Ref<const Vector>& bias);

// dz (B x O) <- dz * f'(z), with f'(z) computed from the outputs a = f(z).
// On entry dz holds d(loss)/d(a); on exit d(loss)/d(z).
// REQUIRES a and dz of the same shape.
void activation_backward(Activation activation, const Eigen::Ref<const RowMatrix>& a,
                         Eigen::Ref<RowMatrix> dz);

}  // namespace ml
