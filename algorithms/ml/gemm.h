// Gemm: row-major float matrix products through Eigen's GEMM kernel, with the
// kernel's packing buffers owned here and reused across calls.
//
// Why: Eigen's `c.noalias() = a * b` packs its operands into scratch buffers
// that it allocates on the heap for every product once they exceed
// EIGEN_STACK_ALLOCATION_LIMIT (128 KiB; the 784 x 128 layer needs ~200 KiB).
// The training step must not allocate once warmed up, so the buffers are kept
// here and handed to the kernel through Eigen's level3_blocking hook. Uses
// Eigen 3.4 internals (general_matrix_matrix_product, level3_blocking,
// computeProductBlockingSizes): the results are those of the plain product.
//
// Single-threaded, like the rest of the math (no OpenMP). Copyable: a copy
// owns its own buffers.
#pragma once

#include "algorithms/ml/types.h"

namespace ml {

class Gemm {
 public:
  using ConstRef = Eigen::Ref<const RowMatrix>;
  using Ref = Eigen::Ref<RowMatrix>;

  // c = a * b        (a: m x k, b: k x n, c: m x n)
  void a_b(const ConstRef& a, const ConstRef& b, Ref c);
  // c = a^T * b      (a: k x m, b: k x n, c: m x n)
  void at_b(const ConstRef& a, const ConstRef& b, Ref c);
  // c = a * b^T      (a: m x k, b: n x k, c: m x n)
  void a_bt(const ConstRef& a, const ConstRef& b, Ref c);
  // REQUIRES (all three) matching shapes (asserted) and c not aliasing a or b.
  // Allocates only when a product needs larger packing buffers than any before.

 private:
  template <int LhsOrder, int RhsOrder>
  void run(Eigen::Index m, Eigen::Index n, Eigen::Index k, const float* lhs,
           Eigen::Index lhs_stride, const float* rhs, Eigen::Index rhs_stride, Ref c);

  Vector packed_lhs_;  // capacity = size(); grown, never shrunk
  Vector packed_rhs_;
};

}  // namespace ml
