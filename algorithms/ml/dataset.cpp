#include "algorithms/ml/dataset.h"

#include <stdexcept>
#include <string>

namespace ml {

void validate_dataset(const Dataset& d) {
  if (d.features.rows() != d.size()) {
    throw std::invalid_argument("dataset has " + std::to_string(d.features.rows()) +
                                " feature rows but " + std::to_string(d.size()) + " labels");
  }
  if (d.num_classes < 1) throw std::invalid_argument("dataset num_classes must be >= 1");
  for (std::int64_t i = 0; i < d.size(); ++i) {
    const std::int32_t label = d.labels[static_cast<std::size_t>(i)];
    if (label < 0 || label >= d.num_classes) {
      throw std::invalid_argument("dataset label " + std::to_string(label) + " at sample " +
                                  std::to_string(i) + " is outside [0, " +
                                  std::to_string(d.num_classes) + ")");
    }
  }
  if (!d.groups.empty() && d.groups.size() != d.labels.size()) {
    throw std::invalid_argument("dataset has " + std::to_string(d.groups.size()) +
                                " client ids for " + std::to_string(d.size()) + " samples");
  }
  for (std::int32_t g : d.groups) {
    if (g < 0) throw std::invalid_argument("dataset client id " + std::to_string(g) + " < 0");
  }
}

Dataset take_first(const Dataset& d, std::int64_t n) {
  if (n < 0 || n > d.size()) {
    throw std::invalid_argument("take_first: n = " + std::to_string(n) + " is outside [0, " +
                                std::to_string(d.size()) + "]");
  }
  Dataset out;
  out.features = d.labels_only() ? RowMatrix(0, d.features.cols()) : d.features.topRows(n);
  out.labels.assign(d.labels.begin(), d.labels.begin() + n);
  out.num_classes = d.num_classes;
  if (!d.groups.empty()) out.groups.assign(d.groups.begin(), d.groups.begin() + n);
  return out;
}

void gather_batch(const Dataset& d, std::span<const std::int32_t> indices, RowMatrix& x,
                  std::vector<std::int32_t>& y) {
  if (d.labels_only()) throw std::logic_error("gather_batch: the dataset holds labels only");
  const auto rows = static_cast<Eigen::Index>(indices.size());
  x.resize(rows, d.features.cols());
  y.resize(indices.size());
  for (Eigen::Index r = 0; r < rows; ++r) {
    const std::int32_t index = indices[static_cast<std::size_t>(r)];
    if (index < 0 || index >= d.size()) {
      throw std::invalid_argument("gather_batch: index " + std::to_string(index) +
                                  " is outside [0, " + std::to_string(d.size()) + ")");
    }
    x.row(r) = d.features.row(index);
    y[static_cast<std::size_t>(r)] = d.labels[static_cast<std::size_t>(index)];
  }
}

}  // namespace ml
