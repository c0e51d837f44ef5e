// Losses on the last layer's outputs ("logits"), forward and backward in one
// call. Dimensions: B = batch rows, O = outputs (classes).
//
// Both return the MEAN loss over the batch and write d(mean loss)/d(logits),
// so the 1/B of the mean is applied once, here.
#pragma once

#include <cstdint>
#include <span>

#include "algorithms/ml/types.h"

namespace ml {

enum class LossKind {
  softmax_cross_entropy,  // -log softmax(logits)[label]
  mse,                    // mean over outputs of (logits - one_hot(label))^2, as torch MSELoss
};

const char* loss_name(LossKind kind);

// Softmax cross-entropy, stable for any finite logits (the row max is
// subtracted before exp, the log-sum-exp is never formed from raw exps).
// dlogits = (softmax(logits) - one_hot(label)) / B.
// REQUIRES labels.size() == B >= 1, labels in [0, O), dlogits B x O.
float softmax_cross_entropy(const Eigen::Ref<const RowMatrix>& logits,
                            std::span<const std::int32_t> labels, Eigen::Ref<RowMatrix> dlogits);

// Mean squared error against one-hot targets:
// loss = 1/(B*O) * sum (logits - t)^2 (torch.nn.MSELoss with reduction mean),
// dlogits = 2 (logits - t) / (B*O).
// REQUIRES as softmax_cross_entropy.
float mean_squared_error(const Eigen::Ref<const RowMatrix>& logits,
                         std::span<const std::int32_t> labels, Eigen::Ref<RowMatrix> dlogits);

// Dispatches on kind.
float loss_and_dlogits(LossKind kind, const Eigen::Ref<const RowMatrix>& logits,
                       std::span<const std::int32_t> labels, Eigen::Ref<RowMatrix> dlogits);

}  // namespace ml
