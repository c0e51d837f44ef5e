// The Eigen types the learning math is written in: float32, row-major
// batches (one sample per row), so a batch is B x features and a gathered
// row is contiguous.
#pragma once

// Workaround: GCC 12 warns -Wmaybe-uninitialized inside its own AVX-512
// intrinsics (_mm512_undefined_ps) as inlined into Eigen's packet math when
// built with -march=native on an AVX-512 machine; a false positive, GCC bug
// 105593, fixed in GCC 13. The suppression covers only the code of the headers
// included here (diagnostic state follows source location), so include Eigen
// through this header, first.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <Eigen/Core>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace ml {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXf;

}  // namespace ml
