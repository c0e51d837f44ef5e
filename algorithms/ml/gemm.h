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
//
// Blocking pinned to fixed cache sizes: Eigen splits a product's k-sum into
// blocks of kc terms, with kc (and mc, nc) derived from the L1/L2/L3 sizes it
// reads from the running CPU; another split rounds differently, so results
// would follow the machine that runs the binary (a 48 KiB L1 gives kc = 400
// instead of 264 for the 784-deep layer, and other bits). See
// pin_product_blocking().
#pragma once

#include <cstddef>

#include "algorithms/ml/types.h"

namespace ml {

// The cache sizes Eigen sizes its GEMM blocks from, whatever the CPU. They are
// the development machine's (what Eigen read there before the pinning), so
// results made there before the pinning stay as they were.
inline constexpr std::ptrdiff_t kPinnedL1CacheBytes = 32 * 1024;
inline constexpr std::ptrdiff_t kPinnedL2CacheBytes = 512 * 1024;
inline constexpr std::ptrdiff_t kPinnedL3CacheBytes = 256 * 1024 * 1024;

// Sets Eigen's cache sizes (Eigen::setCpuCacheSizes, process-wide) to the
// constants above, once per process; later calls do nothing. Thread-safe.
// Every product of this program is covered: a program that links gemm.cpp
// runs it before main(), and Gemm's constructor runs it again for Gemms
// built by other static initializers. Code that changes Eigen's cache sizes
// afterwards (only a test does) must restore these.
void pin_product_blocking();

// The block sizes Gemm (and Eigen's own products) use for c (m x n) = a (m x k) * b (k x n),
// in Eigen's terms for a row-major result (the column-major product of the
// transposes: kc along k, mc along n, nc along m).
struct ProductBlocking {
  Eigen::Index kc;
  Eigen::Index mc;
  Eigen::Index nc;
};
ProductBlocking product_blocking(Eigen::Index m, Eigen::Index n, Eigen::Index k);

class Gemm {
 public:
  Gemm() { pin_product_blocking(); }

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
