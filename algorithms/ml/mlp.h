// Mlp: a fully connected network trained for classification.
//
// Dimension legend (per layer l, of L = widths.size() - 1 layers):
//   B = batch rows (samples), I = inputs of the layer (widths[l]),
//   O = outputs of the layer (widths[l + 1]).
// Layer l: Z = A_prev * W + 1 b^T  (B x I times I x O, plus O), then
//   A = f(Z) for hidden layers (f = spec.activation); the last layer is
//   linear and its outputs are the logits fed to the loss.
//
// Parameters live in ONE contiguous float buffer (so a gradient is one vector
// that sync algorithms can average, slice and send). Layout, layer by layer:
//   W_l: I x O, row-major (element (i, o) at offset_l + i*O + o), then
//   b_l: O.
// The gradient vector has the same layout.
//
// Copyable: a copy owns independent parameters and scratch buffers (sync
// algorithms keep one replica per worker). Not thread-safe for concurrent
// loss_and_gradient on one object; evaluate() is const and allocates its own
// scratch, so concurrent evaluate() calls on one object are safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "algorithms/ml/activation.h"
#include "algorithms/ml/dataset.h"
#include "algorithms/ml/gemm.h"
#include "algorithms/ml/loss.h"
#include "algorithms/ml/types.h"

namespace ml {

struct MlpSpec {
  std::vector<int> widths{784, 128, 10};     // inputs, hidden..., outputs
  Activation activation = Activation::relu;  // of every hidden layer
  LossKind loss = LossKind::softmax_cross_entropy;
};

// FLOPs per sample of a forward pass (2 x in x out per layer), and of a
// training step (forward + backward = 3x forward), from the widths alone.
double forward_flops_per_sample(const MlpSpec& spec);
double train_flops_per_sample(const MlpSpec& spec);
// Parameters of the model, from the widths alone: in x out + out per layer.
std::int64_t parameter_count(const MlpSpec& spec);

class Mlp {
 public:
  // Throws std::invalid_argument if widths has < 2 entries or a width < 1.
  // Parameters start at zero: call initialize().
  explicit Mlp(MlpSpec spec);

  const MlpSpec& spec() const { return spec_; }
  int num_layers() const { return static_cast<int>(spec_.widths.size()) - 1; }
  int num_inputs() const { return spec_.widths.front(); }
  int num_outputs() const { return spec_.widths.back(); }
  std::int64_t num_parameters() const { return static_cast<std::int64_t>(params_.size()); }

  // The flat parameter buffer (layout above). Its size never changes.
  const Vector& parameters() const { return params_; }
  Vector& parameters() { return params_; }

  // Offsets of layer l's W and b in the flat buffer. REQUIRES 0 <= l < num_layers().
  std::int64_t weight_offset(int layer) const {
    return weight_offset_[static_cast<std::size_t>(layer)];
  }
  std::int64_t bias_offset(int layer) const {
    return bias_offset_[static_cast<std::size_t>(layer)];
  }

  // W ~ U(-a, a) with a = sqrt(6 / I) (He-uniform) for relu networks,
  // a = sqrt(6 / (I + O)) (Glorot-uniform) otherwise; biases zero.
  // Draws layer by layer, W in row-major order, from sim::RandomStream(seed).
  void initialize(std::uint64_t seed);

  // Forward + backward on one batch: returns the mean loss over the B rows
  // and writes the mean gradient over the batch into grad (resized to
  // num_parameters(); no allocation when already that size).
  // x is B x I row-major (a RowMatrix, or a row block of one, binds without a
  // copy). Uses preallocated scratch sized for the largest batch seen: no heap
  // allocation once warmed up at that batch size (or any smaller one).
  // REQUIRES B >= 1, x.cols() == num_inputs(), y.size() == B, y in
  // [0, num_outputs()); else std::invalid_argument.
  float loss_and_gradient(const Eigen::Ref<const RowMatrix>& x, std::span<const std::int32_t> y,
                          Vector& grad);

  // DP-SGD's gradient (Abadi et al. 2016), without the noise: the same
  // forward and backward pass, then each example's own gradient g_i (the
  // gradient of its loss alone) is scaled by f_i = min(1, clip / ||g_i||) and
  // grad = (1/B) sum_i f_i g_i. No per-example gradient is materialised: for a
  // dense layer g_i's weight part is the outer product a_i d_i^T, whose squared
  // norm is ||a_i||^2 ||d_i||^2, and its bias part is d_i; scaling row i of
  // every layer's delta by f_i then gives the clipped sum through the same
  // matrix products as loss_and_gradient. When no example is clipped
  // (every f_i = 1) grad equals loss_and_gradient's bit for bit: the deltas
  // and the products are the same. Writes ||g_i|| (before clipping) into
  // norms[i] (resized to B). Defined in mlp_per_example.cpp.
  // REQUIRES as loss_and_gradient, and clip > 0; else std::invalid_argument.
  float loss_and_clipped_gradient(const Eigen::Ref<const RowMatrix>& x,
                                  std::span<const std::int32_t> y, double clip, Vector& grad,
                                  std::vector<double>& norms);

  struct Evaluation {
    double loss;      // mean loss over all samples
    double accuracy;  // fraction whose arg-max output (first on ties) is the label
  };
  // Evaluates all of d in chunks of batch_size rows. Allocates its scratch per
  // call (so it is const and thread-safe).
  // REQUIRES d non-empty, d.num_features() == num_inputs(), labels in
  // [0, num_outputs()), batch_size >= 1; else std::invalid_argument.
  Evaluation evaluate(const Dataset& d, int batch_size = 1000) const;

  // evaluate() in pieces, for callers that spread the chunks over threads.
  // Chunk c is rows [c * batch_size, (c + 1) * batch_size) of d (the last one
  // shorter); combining the chunks' results in chunk order gives evaluate()'s
  // result bit for bit, however and wherever the chunks were computed.
  struct ChunkEvaluation {
    double loss_sum = 0.0;     // the chunk's mean loss times its rows
    std::int64_t correct = 0;  // rows whose arg-max output is the label
  };
  // REQUIRES as evaluate(); evaluate_chunk: 0 <= chunk < evaluation_chunks().
  static std::int64_t evaluation_chunks(const Dataset& d, int batch_size = 1000);
  ChunkEvaluation evaluate_chunk(const Dataset& d, std::int64_t chunk, int batch_size = 1000) const;
  static Evaluation combine(const Dataset& d, std::span<const ChunkEvaluation> chunks);

  // FLOPs per sample, from the layer shapes: forward 2*I*O per layer,
  // training (forward + backward) 6*I*O per layer. Biases and activations are
  // not counted (O(O) per layer, negligible).
  double train_flops_per_sample() const;
  double forward_flops_per_sample() const;

 private:
  // Per-layer activation and gradient buffers with a row capacity; the views
  // used for a batch of B rows are the first B*width floats.
  struct Workspace {
    std::vector<Vector> outputs;  // outputs[l]: A of layer l (logits for the last), B x O
    std::vector<Vector> deltas;   // deltas[l]: d(loss)/dZ of layer l, B x O
    Gemm gemm;                    // owns the matrix products' packing buffers
    Eigen::Index capacity_rows = 0;
    void reserve(Eigen::Index rows, const std::vector<int>& widths);
  };

  Eigen::Map<const RowMatrix> weights(int layer) const;
  Eigen::Map<const Vector> bias(int layer) const;
  void check_batch(const Eigen::Ref<const RowMatrix>& x, std::span<const std::int32_t> y) const;
  // Runs the forward pass of x into ws.outputs (ws must hold x.rows() rows).
  void forward(const Eigen::Ref<const RowMatrix>& x, Workspace& ws) const;
  // The start every gradient shares: checks the batch, sizes training_ and
  // grad, runs the forward pass and leaves the logits' delta (batch mean
  // folded in) in training_.deltas of the last layer. Returns the loss.
  float forward_to_dlogits(const Eigen::Ref<const RowMatrix>& x, std::span<const std::int32_t> y,
                           Vector& grad);

  // Constant after construction.
  MlpSpec spec_;
  std::vector<std::int64_t> weight_offset_;
  std::vector<std::int64_t> bias_offset_;

  Vector params_;       // the flat parameter buffer
  Workspace training_;  // scratch of loss_and_gradient
};

}  // namespace ml
