#include "algorithms/ml/loss.h"

#include <cassert>
#include <cmath>

namespace ml {

const char* loss_name(LossKind kind) {
  switch (kind) {
    case LossKind::softmax_cross_entropy:
      return "softmax_cross_entropy";
    case LossKind::mse:
      return "mse";
  }
  return "?";
}

float softmax_cross_entropy(const Eigen::Ref<const RowMatrix>& logits,
                            std::span<const std::int32_t> labels, Eigen::Ref<RowMatrix> dlogits) {
  const Eigen::Index rows = logits.rows();
  const Eigen::Index outputs = logits.cols();
  assert(rows >= 1 && static_cast<std::size_t>(rows) == labels.size());
  assert(dlogits.rows() == rows && dlogits.cols() == outputs);
  const float inv_rows = 1.0f / static_cast<float>(rows);
  double loss_sum = 0.0;  // double: a fixed-order sum that stays exact enough for big B
  for (Eigen::Index r = 0; r < rows; ++r) {
    const float row_max = logits.row(r).maxCoeff();
    float exp_sum = 0.0f;
    for (Eigen::Index o = 0; o < outputs; ++o) {
      const float e = std::exp(logits(r, o) - row_max);  // <= 1: cannot overflow
      dlogits(r, o) = e;
      exp_sum += e;  // >= 1 (the max term), so log(exp_sum) is finite
    }
    const std::int32_t label = labels[static_cast<std::size_t>(r)];
    assert(label >= 0 && label < outputs);
    loss_sum += std::log(exp_sum) - (logits(r, label) - row_max);
    const float scale = inv_rows / exp_sum;
    dlogits.row(r) *= scale;
    dlogits(r, label) -= inv_rows;
  }
  return static_cast<float>(loss_sum / static_cast<double>(rows));
}

float mean_squared_error(const Eigen::Ref<const RowMatrix>& logits,
                         std::span<const std::int32_t> labels, Eigen::Ref<RowMatrix> dlogits) {
  const Eigen::Index rows = logits.rows();
  const Eigen::Index outputs = logits.cols();
  assert(rows >= 1 && static_cast<std::size_t>(rows) == labels.size());
  assert(dlogits.rows() == rows && dlogits.cols() == outputs);
  const float count = static_cast<float>(rows) * static_cast<float>(outputs);
  const float grad_scale = 2.0f / count;
  double loss_sum = 0.0;
  for (Eigen::Index r = 0; r < rows; ++r) {
    const std::int32_t label = labels[static_cast<std::size_t>(r)];
    assert(label >= 0 && label < outputs);
    for (Eigen::Index o = 0; o < outputs; ++o) {
      const float diff = logits(r, o) - (o == label ? 1.0f : 0.0f);
      loss_sum += static_cast<double>(diff) * diff;
      dlogits(r, o) = grad_scale * diff;
    }
  }
  return static_cast<float>(loss_sum / static_cast<double>(count));
}

float loss_and_dlogits(LossKind kind, const Eigen::Ref<const RowMatrix>& logits,
                       std::span<const std::int32_t> labels, Eigen::Ref<RowMatrix> dlogits) {
  switch (kind) {
    case LossKind::softmax_cross_entropy:
      return softmax_cross_entropy(logits, labels, dlogits);
    case LossKind::mse:
      return mean_squared_error(logits, labels, dlogits);
  }
  return 0.0f;
}

}  // namespace ml
