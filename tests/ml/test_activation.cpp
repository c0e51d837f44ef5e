// Activation derivatives against central finite differences.
// f(z) = sum_ij c_ij * act(z_ij): its gradient is c * act'(z), which is what
// activation_backward computes from the outputs.
#include <catch2/catch.hpp>
#include <cmath>

#include "algorithms/ml/activation.h"
#include "sim/random.h"
#include "tolerance.h"

namespace {

ml::RowMatrix random_matrix(int rows, int cols, double scale, std::uint64_t seed) {
  sim::RandomStream rng(seed);
  ml::RowMatrix m(rows, cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) m(r, c) = static_cast<float>(scale * rng.normal());
  }
  return m;
}

double weighted_sum(ml::Activation act, const ml::RowMatrix& z, const ml::RowMatrix& c) {
  ml::RowMatrix a = z;
  ml::add_bias_and_activate(act, a, ml::Vector::Zero(z.cols()));
  return (a.cast<double>().array() * c.cast<double>().array()).sum();
}

}  // namespace

TEST_CASE("activation backward matches central finite differences", "[ml][activation]") {
  const ml::Activation act =
      GENERATE(ml::Activation::relu, ml::Activation::tanh, ml::Activation::sigmoid);
  CAPTURE(ml::activation_name(act));
  ml::RowMatrix z = random_matrix(4, 6, 1.5, 1);
  const ml::RowMatrix c = random_matrix(4, 6, 1.0, 2);
  const float h = 1e-2f;
  if (act == ml::Activation::relu) {
    // Stay away from the kink: finite differences across it are meaningless.
    for (Eigen::Index i = 0; i < z.size(); ++i) {
      if (std::abs(z.data()[i]) < 4 * h) z.data()[i] = z.data()[i] < 0 ? -0.5f : 0.5f;
    }
  }

  ml::RowMatrix a = z;
  ml::add_bias_and_activate(act, a, ml::Vector::Zero(z.cols()));
  ml::RowMatrix dz = c;
  ml::activation_backward(act, a, dz);

  ml::RowMatrix numeric(z.rows(), z.cols());
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    ml::RowMatrix plus = z;
    ml::RowMatrix minus = z;
    plus.data()[i] += h;
    minus.data()[i] -= h;
    const double step = static_cast<double>(plus.data()[i]) - minus.data()[i];  // exact spacing
    numeric.data()[i] =
        static_cast<float>((weighted_sum(act, plus, c) - weighted_sum(act, minus, c)) / step);
  }
  const auto worst = ml_test::compare(dz.reshaped<Eigen::RowMajor>(),
                                      numeric.reshaped<Eigen::RowMajor>(), 1e-3, 1e-3);
  INFO(worst.describe());
  CHECK(worst.error <= 1.0);
}

TEST_CASE("activations compute their textbook values with the bias added", "[ml][activation]") {
  ml::RowMatrix z(1, 3);
  z << -1.0f, 0.0f, 2.0f;
  ml::Vector b(3);
  b << 0.5f, -0.25f, 0.0f;

  SECTION("relu") {
    ml::RowMatrix a = z;
    ml::add_bias_and_activate(ml::Activation::relu, a, b);
    CHECK(a(0, 0) == 0.0f);
    CHECK(a(0, 1) == 0.0f);
    CHECK(a(0, 2) == 2.0f);
  }
  SECTION("tanh") {
    ml::RowMatrix a = z;
    ml::add_bias_and_activate(ml::Activation::tanh, a, b);
    CHECK(a(0, 0) == Approx(std::tanh(-0.5)).epsilon(1e-6));
    CHECK(a(0, 1) == Approx(std::tanh(-0.25)).epsilon(1e-6));
    CHECK(a(0, 2) == Approx(std::tanh(2.0)).epsilon(1e-6));
  }
  SECTION("sigmoid") {
    ml::RowMatrix a = z;
    ml::add_bias_and_activate(ml::Activation::sigmoid, a, b);
    CHECK(a(0, 0) == Approx(1.0 / (1.0 + std::exp(0.5))).epsilon(1e-6));
    CHECK(a(0, 1) == Approx(1.0 / (1.0 + std::exp(0.25))).epsilon(1e-6));
    CHECK(a(0, 2) == Approx(1.0 / (1.0 + std::exp(-2.0))).epsilon(1e-6));
  }
  SECTION("sigmoid saturates without overflow") {
    ml::RowMatrix big(1, 2);
    big << -1000.0f, 1000.0f;
    ml::add_bias_and_activate(ml::Activation::sigmoid, big, ml::Vector::Zero(2));
    CHECK(big(0, 0) == Approx(0.0).margin(1e-30));
    CHECK(big(0, 1) == 1.0f);
  }
}
