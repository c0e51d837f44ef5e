// Dimension legend: B = batch rows, I = layer inputs, O = layer outputs
// (see mlp.h for the parameter layout).
#include "algorithms/ml/mlp.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "sim/random.h"

namespace ml {

using RowMap = Eigen::Map<RowMatrix>;
using ConstRowMap = Eigen::Map<const RowMatrix>;

Mlp::Mlp(MlpSpec spec) : spec_(std::move(spec)) {
  if (spec_.widths.size() < 2) {
    throw std::invalid_argument("Mlp: widths needs at least 2 entries (inputs, outputs)");
  }
  for (std::size_t i = 0; i < spec_.widths.size(); ++i) {
    if (spec_.widths[i] < 1) {
      throw std::invalid_argument("Mlp: widths[" + std::to_string(i) +
                                  "] = " + std::to_string(spec_.widths[i]) + " must be >= 1");
    }
  }
  std::int64_t offset = 0;
  for (int l = 0; l < num_layers(); ++l) {
    const std::int64_t inputs = spec_.widths[static_cast<std::size_t>(l)];
    const std::int64_t outputs = spec_.widths[static_cast<std::size_t>(l) + 1];
    weight_offset_.push_back(offset);
    offset += inputs * outputs;
    bias_offset_.push_back(offset);
    offset += outputs;
  }
  params_ = Vector::Zero(offset);
}

Eigen::Map<const RowMatrix> Mlp::weights(int layer) const {
  const auto l = static_cast<std::size_t>(layer);
  return ConstRowMap(params_.data() + weight_offset_[l], spec_.widths[l], spec_.widths[l + 1]);
}

Eigen::Map<const Vector> Mlp::bias(int layer) const {
  const auto l = static_cast<std::size_t>(layer);
  return Eigen::Map<const Vector>(params_.data() + bias_offset_[l], spec_.widths[l + 1]);
}

void Mlp::initialize(std::uint64_t seed) {
  sim::RandomStream rng(seed);
  for (int l = 0; l < num_layers(); ++l) {
    const auto fan_in = static_cast<double>(spec_.widths[static_cast<std::size_t>(l)]);
    const auto fan_out = static_cast<double>(spec_.widths[static_cast<std::size_t>(l) + 1]);
    // He keeps the activation variance through ReLUs (which zero half the
    // signal); Glorot balances forward and backward variance for tanh/sigmoid.
    const double bound = spec_.activation == Activation::relu ? std::sqrt(6.0 / fan_in)
                                                              : std::sqrt(6.0 / (fan_in + fan_out));
    float* w = params_.data() + weight_offset(l);
    const std::int64_t count = bias_offset(l) - weight_offset(l);
    for (std::int64_t i = 0; i < count; ++i) {
      w[i] = static_cast<float>(bound * (2.0 * rng.uniform() - 1.0));
    }
    Eigen::Map<Vector>(params_.data() + bias_offset(l), static_cast<Eigen::Index>(fan_out))
        .setZero();
  }
}

void Mlp::Workspace::reserve(Eigen::Index rows, const std::vector<int>& widths) {
  if (rows <= capacity_rows) return;
  const std::size_t layers = widths.size() - 1;
  outputs.resize(layers);
  deltas.resize(layers);
  for (std::size_t l = 0; l < layers; ++l) {
    outputs[l].resize(rows * widths[l + 1]);
    deltas[l].resize(rows * widths[l + 1]);
  }
  capacity_rows = rows;
}

void Mlp::check_batch(const Eigen::Ref<const RowMatrix>& x, std::span<const std::int32_t> y) const {
  if (x.rows() < 1) throw std::invalid_argument("Mlp: empty batch");
  if (x.cols() != num_inputs()) {
    throw std::invalid_argument("Mlp: batch has " + std::to_string(x.cols()) +
                                " features, the network takes " + std::to_string(num_inputs()));
  }
  if (static_cast<std::size_t>(x.rows()) != y.size()) {
    throw std::invalid_argument("Mlp: batch has " + std::to_string(x.rows()) + " rows but " +
                                std::to_string(y.size()) + " labels");
  }
  for (const std::int32_t label : y) {
    if (label < 0 || label >= num_outputs()) {
      throw std::invalid_argument("Mlp: label " + std::to_string(label) + " outside [0, " +
                                  std::to_string(num_outputs()) + ")");
    }
  }
}

void Mlp::forward(const Eigen::Ref<const RowMatrix>& x, Workspace& ws) const {
  const Eigen::Index rows = x.rows();
  const int last = num_layers() - 1;
  for (int l = 0; l <= last; ++l) {
    const auto ul = static_cast<std::size_t>(l);
    const int outputs = spec_.widths[ul + 1];
    RowMap z(ws.outputs[ul].data(), rows, outputs);  // B x O
    if (l == 0) {
      ws.gemm.a_b(x, weights(l), z);  // B x I times I x O
    } else {
      ws.gemm.a_b(ConstRowMap(ws.outputs[ul - 1].data(), rows, spec_.widths[ul]), weights(l), z);
    }
    if (l == last) {
      z.rowwise() += bias(l).transpose();  // logits stay linear
    } else {
      add_bias_and_activate(spec_.activation, z, bias(l));
    }
  }
}

float Mlp::forward_to_dlogits(const Eigen::Ref<const RowMatrix>& x, std::span<const std::int32_t> y,
                              Vector& grad) {
  check_batch(x, y);
  const Eigen::Index rows = x.rows();
  training_.reserve(rows, spec_.widths);
  if (grad.size() != params_.size()) grad.resize(params_.size());

  forward(x, training_);

  const auto ulast = static_cast<std::size_t>(num_layers() - 1);
  return loss_and_dlogits(spec_.loss,
                          ConstRowMap(training_.outputs[ulast].data(), rows, num_outputs()), y,
                          RowMap(training_.deltas[ulast].data(), rows, num_outputs()));
}

float Mlp::loss_and_gradient(const Eigen::Ref<const RowMatrix>& x, std::span<const std::int32_t> y,
                             Vector& grad) {
  const float loss = forward_to_dlogits(x, y, grad);
  const Eigen::Index rows = x.rows();
  const int last = num_layers() - 1;

  // Backward, last layer first. deltas[l] holds dZ of layer l (mean over the
  // batch already folded in by the loss), so dW and db are plain sums.
  for (int l = last; l >= 0; --l) {
    const auto ul = static_cast<std::size_t>(l);
    const int inputs = spec_.widths[ul];
    const int outputs = spec_.widths[ul + 1];
    const ConstRowMap dz(training_.deltas[ul].data(), rows, outputs);  // B x O
    RowMap dw(grad.data() + weight_offset(l), inputs, outputs);        // I x O
    Eigen::Map<Vector> db(grad.data() + bias_offset(l), outputs);      // O
    if (l == 0) {
      training_.gemm.at_b(x, dz, dw);  // (B x I)^T times B x O
    } else {
      const ConstRowMap a_prev(training_.outputs[ul - 1].data(), rows, inputs);
      training_.gemm.at_b(a_prev, dz, dw);
    }
    db.noalias() = dz.colwise().sum().transpose();
    if (l == 0) break;  // the input needs no gradient: skip dX (a third of layer 0's cost)
    RowMap da_prev(training_.deltas[ul - 1].data(), rows, inputs);  // B x I
    training_.gemm.a_bt(dz, weights(l), da_prev);                   // B x O times (I x O)^T
    activation_backward(spec_.activation,
                        ConstRowMap(training_.outputs[ul - 1].data(), rows, inputs), da_prev);
  }
  return loss;
}

namespace {

void check_evaluation(const Dataset& d, int batch_size) {
  if (batch_size < 1) throw std::invalid_argument("Mlp::evaluate: batch_size must be >= 1");
  if (d.size() < 1) throw std::invalid_argument("Mlp::evaluate: empty dataset");
  if (d.features.rows() != d.size()) {
    throw std::invalid_argument("Mlp::evaluate: dataset rows and labels differ in count");
  }
}

}  // namespace

std::int64_t Mlp::evaluation_chunks(const Dataset& d, int batch_size) {
  check_evaluation(d, batch_size);
  return (d.size() + batch_size - 1) / batch_size;
}

Mlp::ChunkEvaluation Mlp::evaluate_chunk(const Dataset& d, std::int64_t chunk,
                                         int batch_size) const {
  if (chunk < 0 || chunk >= evaluation_chunks(d, batch_size)) {
    throw std::invalid_argument("Mlp::evaluate_chunk: chunk out of range");
  }
  const std::int64_t start = chunk * batch_size;
  const std::int64_t rows = std::min<std::int64_t>(batch_size, d.size() - start);
  Workspace ws;  // per call: chunks may run on several threads at once
  ws.reserve(rows, spec_.widths);
  const auto last = static_cast<std::size_t>(num_layers() - 1);
  const auto x = d.features.middleRows(start, rows);
  const std::span<const std::int32_t> y(d.labels.data() + start, static_cast<std::size_t>(rows));
  check_batch(x, y);
  forward(x, ws);
  const ConstRowMap logits(ws.outputs[last].data(), rows, num_outputs());
  // The loss gradient is not needed; the delta buffer is free scratch.
  const float mean =
      loss_and_dlogits(spec_.loss, logits, y, RowMap(ws.deltas[last].data(), rows, num_outputs()));
  ChunkEvaluation result;
  result.loss_sum = static_cast<double>(mean) * static_cast<double>(rows);
  for (Eigen::Index r = 0; r < rows; ++r) {
    Eigen::Index best = 0;
    for (Eigen::Index o = 1; o < logits.cols(); ++o) {
      if (logits(r, o) > logits(r, best)) best = o;
    }
    if (best == y[static_cast<std::size_t>(r)]) ++result.correct;
  }
  return result;
}

Mlp::Evaluation Mlp::combine(const Dataset& d, std::span<const ChunkEvaluation> chunks) {
  double loss_sum = 0.0;
  std::int64_t correct = 0;
  for (const ChunkEvaluation& c : chunks) {  // in chunk order: the sum's bits depend on it
    loss_sum += c.loss_sum;
    correct += c.correct;
  }
  const auto n = static_cast<double>(d.size());
  return Evaluation{loss_sum / n, static_cast<double>(correct) / n};
}

Mlp::Evaluation Mlp::evaluate(const Dataset& d, int batch_size) const {
  const std::int64_t n = evaluation_chunks(d, batch_size);
  std::vector<ChunkEvaluation> chunks;
  chunks.reserve(static_cast<std::size_t>(n));
  for (std::int64_t c = 0; c < n; ++c) chunks.push_back(evaluate_chunk(d, c, batch_size));
  return combine(d, chunks);
}

double forward_flops_per_sample(const MlpSpec& spec) {
  double flops = 0.0;
  for (std::size_t l = 0; l + 1 < spec.widths.size(); ++l) {
    flops += 2.0 * spec.widths[l] * spec.widths[l + 1];
  }
  return flops;
}

double train_flops_per_sample(const MlpSpec& spec) { return 3.0 * forward_flops_per_sample(spec); }

std::int64_t parameter_count(const MlpSpec& spec) {
  std::int64_t count = 0;
  for (std::size_t l = 0; l + 1 < spec.widths.size(); ++l) {
    const std::int64_t outputs = spec.widths[l + 1];
    count += static_cast<std::int64_t>(spec.widths[l]) * outputs + outputs;
  }
  return count;
}

double Mlp::forward_flops_per_sample() const { return ml::forward_flops_per_sample(spec_); }

double Mlp::train_flops_per_sample() const { return ml::train_flops_per_sample(spec_); }

}  // namespace ml
