// Dataset: an in-memory classification set (features + integer labels), and
// the two ways the rest of the code reads it: a prefix subset and a gathered
// mini-batch.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "algorithms/ml/types.h"

namespace ml {

// The most classes a data file may label (labels 0 to kMaxClasses - 1): a
// bound on what one stray label can make the model and the per-class
// counters allocate.
inline constexpr int kMaxClasses = 100'000;

// Invariant (checked by validate_dataset, kept by every loader here):
// features.rows() == labels.size(), every label in [0, num_classes).
// Except a labels-only dataset (labels_only()): features of 0 rows and D
// columns, what timing-only runs hold, as they read labels (partitions) and
// D (layer checks) but never a feature; gather_batch refuses it.
struct Dataset {
  RowMatrix features;                // N x D (images scaled to [0, 1])
  std::vector<std::int32_t> labels;  // N, each in [0, num_classes)
  int num_classes = 0;
  // Optional: which client (natural partition group) each sample belongs to,
  // in [0, number of clients); empty when the data has no such column.
  std::vector<std::int32_t> groups;

  std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
  int num_features() const { return static_cast<int>(features.cols()); }
  bool labels_only() const { return features.rows() == 0 && !labels.empty(); }
};

// Throws std::invalid_argument if `d` breaks the Dataset invariant.
void validate_dataset(const Dataset& d);

// The first n samples of d, copied (labels-only if d is). REQUIRES
// 0 <= n <= d.size(), else std::invalid_argument.
Dataset take_first(const Dataset& d, std::int64_t n);

// Gathers rows `indices` of d into x (resized to |indices| x D) and their
// labels into y (resized to |indices|).
// Allocation: y keeps its capacity; x is an Eigen matrix, which has no spare
// capacity, so it reallocates only when its element count changes (i.e. when
// the batch size changes, e.g. around the short last batch of an epoch).
// REQUIRES every index in [0, d.size()), else std::invalid_argument;
// std::logic_error for a labels-only d (it has no features to gather).
void gather_batch(const Dataset& d, std::span<const std::int32_t> indices, RowMatrix& x,
                  std::vector<std::int32_t>& y);

}  // namespace ml
