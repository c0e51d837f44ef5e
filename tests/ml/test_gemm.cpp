// Gemm's block sizes are pinned (gemm.h): they, and with them the rounding of
// every product, must not depend on the CPU running the tests.
#include <catch2/catch.hpp>
#include <cstring>

#include "algorithms/ml/gemm.h"
#include "sim/random.h"

namespace {

ml::RowMatrix random_matrix(int rows, int cols, std::uint64_t seed) {
  sim::RandomStream rng(seed);
  ml::RowMatrix x(rows, cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) x(r, c) = static_cast<float>(rng.normal());
  }
  return x;
}

bool same_bits(const ml::RowMatrix& a, const ml::RowMatrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<std::size_t>(a.size())) == 0;
}

// Gives Eigen other cache sizes for one scope, then pins them back.
class OtherCacheSizes {
 public:
  OtherCacheSizes(std::ptrdiff_t l1, std::ptrdiff_t l2, std::ptrdiff_t l3) {
    Eigen::setCpuCacheSizes(l1, l2, l3);
  }
  ~OtherCacheSizes() {
    Eigen::setCpuCacheSizes(ml::kPinnedL1CacheBytes, ml::kPinnedL2CacheBytes,
                            ml::kPinnedL3CacheBytes);
  }
  OtherCacheSizes(const OtherCacheSizes&) = delete;
  OtherCacheSizes& operator=(const OtherCacheSizes&) = delete;
};

}  // namespace

TEST_CASE("Eigen sees the pinned cache sizes, not the CPU's", "[gemm]") {
  ml::Gemm gemm;  // pins (already done before main)
  CHECK(Eigen::l1CacheSize() == 32 * 1024);
  CHECK(Eigen::l2CacheSize() == 512 * 1024);
  CHECK(Eigen::l3CacheSize() == 256 * 1024 * 1024);
}

// Expected values from the x86-64-v3 build (8-float AVX2 packets): a build for
// another ISA (-DSYNCSIM_ISA=native on an AVX-512 machine) blocks differently
// and fails here, as its outputs would differ from the golden hashes.
TEST_CASE("the product blocking is fixed whatever CPU runs the product", "[gemm]") {
  SECTION("a training batch through the 784-wide input layer: 32 x 784 times 784 x 128") {
    const ml::ProductBlocking b = ml::product_blocking(32, 128, 784);
    CHECK(b.kc == 264);
    CHECK(b.mc == 128);
    CHECK(b.nc == 32);
  }
  SECTION("an evaluation chunk: 1000 x 784 times 784 x 128") {
    const ml::ProductBlocking b = ml::product_blocking(1000, 128, 784);
    CHECK(b.kc == 264);
    CHECK(b.mc == 128);
    CHECK(b.nc == 500);
  }
  SECTION("the weight gradient: (32 x 784)^T times 32 x 128") {
    const ml::ProductBlocking b = ml::product_blocking(784, 128, 32);
    CHECK(b.kc == 32);
    CHECK(b.mc == 128);
    CHECK(b.nc == 112);
  }
  SECTION("a large square product: 4096 x 4096 times 4096 x 4096") {
    const ml::ProductBlocking b = ml::product_blocking(4096, 4096, 4096);
    CHECK(b.kc == 280);
    CHECK(b.mc == 4096);
    CHECK(b.nc == 684);
  }
}

TEST_CASE("other cache sizes would change a product's bits, so the pinning guards them", "[gemm]") {
  const ml::RowMatrix a = random_matrix(64, 784, 1);
  const ml::RowMatrix b = random_matrix(784, 128, 2);
  ml::Gemm gemm;
  ml::RowMatrix pinned(64, 128);
  gemm.a_b(a, b, pinned);

  SECTION("Eigen's own product uses the same pinned blocking as Gemm") {
    const ml::RowMatrix plain = a * b;
    CHECK(same_bits(plain, pinned));
  }
  SECTION("a 48 KiB L1 (as on Ice Lake or Zen 5) splits the 784-term sums differently") {
    ml::RowMatrix other(64, 128);
    {
      OtherCacheSizes cpu(48 * 1024, 2048 * 1024, 32 * 1024 * 1024);
      CHECK(ml::product_blocking(64, 128, 784).kc == 400);
      gemm.a_b(a, b, other);
    }
    CHECK_FALSE(same_bits(other, pinned));
    CHECK(ml::product_blocking(64, 128, 784).kc == 264);  // pinned back
  }
}
