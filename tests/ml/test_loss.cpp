// Losses against central finite differences and closed forms.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "algorithms/ml/loss.h"
#include "sim/random.h"
#include "tolerance.h"

namespace {

ml::RowMatrix random_logits(int rows, int cols, std::uint64_t seed) {
  sim::RandomStream rng(seed);
  ml::RowMatrix m(rows, cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) m(r, c) = static_cast<float>(2.0 * rng.normal());
  }
  return m;
}

}  // namespace

TEST_CASE("loss gradients match central finite differences", "[ml][loss]") {
  const ml::LossKind kind = GENERATE(ml::LossKind::softmax_cross_entropy, ml::LossKind::mse);
  CAPTURE(ml::loss_name(kind));
  const ml::RowMatrix logits = random_logits(5, 4, 17);
  const std::vector<std::int32_t> labels{0, 3, 1, 1, 2};
  ml::RowMatrix dlogits(5, 4);
  ml::loss_and_dlogits(kind, logits, labels, dlogits);

  ml::RowMatrix scratch(5, 4);
  ml::RowMatrix numeric(5, 4);
  const float h = 1e-2f;
  for (Eigen::Index i = 0; i < logits.size(); ++i) {
    ml::RowMatrix plus = logits;
    ml::RowMatrix minus = logits;
    plus.data()[i] += h;
    minus.data()[i] -= h;
    const double step = static_cast<double>(plus.data()[i]) - minus.data()[i];
    const double f_plus = ml::loss_and_dlogits(kind, plus, labels, scratch);
    const double f_minus = ml::loss_and_dlogits(kind, minus, labels, scratch);
    numeric.data()[i] = static_cast<float>((f_plus - f_minus) / step);
  }
  const auto worst = ml_test::compare(dlogits.reshaped<Eigen::RowMajor>(),
                                      numeric.reshaped<Eigen::RowMajor>(), 2e-4, 2e-3);
  INFO(worst.describe());
  CHECK(worst.error <= 1.0);
}

TEST_CASE("softmax cross-entropy and mse match their closed forms", "[ml][loss]") {
  ml::RowMatrix logits(2, 3);
  logits << 1.0f, 2.0f, 3.0f,  //
      0.0f, 0.0f, 0.0f;
  const std::vector<std::int32_t> labels{2, 0};
  ml::RowMatrix d(2, 3);

  SECTION("softmax cross-entropy") {
    const double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
    const double expected = ((lse - 3.0) + std::log(3.0)) / 2.0;
    CHECK(ml::softmax_cross_entropy(logits, labels, d) == Approx(expected).epsilon(1e-6));
    CHECK(d(1, 0) == Approx((1.0 / 3.0 - 1.0) / 2.0).epsilon(1e-6));
    CHECK(d(1, 1) == Approx((1.0 / 3.0) / 2.0).epsilon(1e-6));
  }
  SECTION("mse averages over batch and outputs, like torch MSELoss") {
    // row 0: (1, 2, 2)^2 -> 1 + 4 + 4 = 9; row 1: (-1, 0, 0)^2 -> 1
    CHECK(ml::mean_squared_error(logits, labels, d) == Approx(10.0 / 6.0).epsilon(1e-6));
    CHECK(d(0, 2) == Approx(2.0 * 2.0 / 6.0).epsilon(1e-6));
    CHECK(d(1, 0) == Approx(2.0 * -1.0 / 6.0).epsilon(1e-6));
  }
}

TEST_CASE("softmax cross-entropy is numerically stable for large logits", "[ml][loss]") {
  ml::RowMatrix logits(3, 3);
  logits << 1000.0f, 0.0f, -1000.0f,  //
      1e30f, 1e30f, -1e30f,           //
      -5000.0f, -5001.0f, -5002.0f;
  const std::vector<std::int32_t> labels{1, 0, 2};
  ml::RowMatrix d(3, 3);
  const float loss = ml::softmax_cross_entropy(logits, labels, d);
  REQUIRE(std::isfinite(loss));
  REQUIRE(d.allFinite());
  // Row 0: loss 1000 (label logit 1000 below the max); row 1: log 2;
  // row 2: the same as logits (0, -1, -2) shifted, label 2.
  const double row2 = std::log(1.0 + std::exp(-1.0) + std::exp(-2.0)) + 2.0;
  CHECK(loss == Approx((1000.0 + std::log(2.0) + row2) / 3.0).epsilon(1e-6));
  // Each gradient row sums to zero (softmax sums to one).
  for (int r = 0; r < 3; ++r) CHECK(d.row(r).sum() == Approx(0.0).margin(1e-6));
  CHECK(d(1, 0) == Approx((0.5 - 1.0) / 3.0).epsilon(1e-6));
}
