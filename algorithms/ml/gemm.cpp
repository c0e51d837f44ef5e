#include "algorithms/ml/gemm.h"

#include <cassert>

namespace ml {
namespace {

// Eigen's blocking descriptor with caller-provided packing buffers (its own
// gemm_blocking_space allocates them per product).
class ReusedBlocking : public Eigen::internal::level3_blocking<float, float> {
 public:
  ReusedBlocking(Eigen::Index mc, Eigen::Index nc, Eigen::Index kc, float* block_a,
                 float* block_b) {
    m_mc = mc;
    m_nc = nc;
    m_kc = kc;
    m_blockA = block_a;
    m_blockB = block_b;
  }
};

void grow(Vector& buffer, Eigen::Index size) {
  if (buffer.size() < size) buffer.resize(size);
}

// Before main(), so that even an Eigen product that does not go through a
// Gemm (bench_mlp's reference, a test's) sees the pinned sizes. Linked into
// every program that uses Gemm (hence Mlp).
[[maybe_unused]] const bool pinned_at_startup = (pin_product_blocking(), true);

}  // namespace

void pin_product_blocking() {
  // A function-local static: set exactly once, and a thread arriving during
  // the first call waits for it, so no product reads the sizes while they change.
  static const bool pinned = [] {
    Eigen::setCpuCacheSizes(kPinnedL1CacheBytes, kPinnedL2CacheBytes, kPinnedL3CacheBytes);
    return true;
  }();
  (void)pinned;
}

ProductBlocking product_blocking(Eigen::Index m, Eigen::Index n, Eigen::Index k) {
  // A row-major result is computed by Eigen as the column-major transposed
  // product (rows and columns swapped), so size the blocks for that problem,
  // exactly as gemm_blocking_space<RowMajor, ...> does.
  ProductBlocking b{k, n, m};
  Eigen::internal::computeProductBlockingSizes<float, float, 1, Eigen::Index>(b.kc, b.mc, b.nc, 1);
  return b;
}

template <int LhsOrder, int RhsOrder>
void Gemm::run(Eigen::Index m, Eigen::Index n, Eigen::Index k, const float* lhs,
               Eigen::Index lhs_stride, const float* rhs, Eigen::Index rhs_stride, Ref c) {
  assert(c.rows() == m && c.cols() == n);
  c.setZero();  // the kernel accumulates: c += a * b
  if (m == 0 || n == 0 || k == 0) return;
  const ProductBlocking b = product_blocking(m, n, k);
  grow(packed_lhs_, b.mc * b.kc);
  grow(packed_rhs_, b.kc * b.nc);
  ReusedBlocking blocking(b.mc, b.nc, b.kc, packed_lhs_.data(), packed_rhs_.data());
  Eigen::internal::general_matrix_matrix_product<Eigen::Index, float, LhsOrder, false, float,
                                                 RhsOrder, false, Eigen::RowMajor,
                                                 1>::run(m, n, k, lhs, lhs_stride, rhs, rhs_stride,
                                                         c.data(), 1, c.outerStride(), 1.0f,
                                                         blocking, nullptr);
}

void Gemm::a_b(const ConstRef& a, const ConstRef& b, Ref c) {
  assert(a.cols() == b.rows());
  run<Eigen::RowMajor, Eigen::RowMajor>(a.rows(), b.cols(), a.cols(), a.data(), a.outerStride(),
                                        b.data(), b.outerStride(), c);
}

void Gemm::at_b(const ConstRef& a, const ConstRef& b, Ref c) {
  assert(a.rows() == b.rows());
  // a^T of a row-major a is column-major with the same pointer and stride.
  run<Eigen::ColMajor, Eigen::RowMajor>(a.cols(), b.cols(), a.rows(), a.data(), a.outerStride(),
                                        b.data(), b.outerStride(), c);
}

void Gemm::a_bt(const ConstRef& a, const ConstRef& b, Ref c) {
  assert(a.cols() == b.cols());
  run<Eigen::RowMajor, Eigen::ColMajor>(a.rows(), b.rows(), a.cols(), a.data(), a.outerStride(),
                                        b.data(), b.outerStride(), c);
}

}  // namespace ml
