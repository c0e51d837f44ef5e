// DP-SGD's per-example clipping (Mlp::loss_and_clipped_gradient) against a
// naive per-example backward pass: each example's gradient computed alone by
// loss_and_gradient on its one row (the batch mean of one row is its own
// gradient), clipped and averaged in double.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "algorithms/ml/mlp.h"
#include "sim/random.h"
#include "tolerance.h"

namespace {

ml::RowMatrix random_rows(int rows, int cols, std::uint64_t seed) {
  sim::RandomStream rng(seed);
  ml::RowMatrix x(rows, cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) x(r, c) = static_cast<float>(rng.normal());
  }
  return x;
}

std::vector<std::int32_t> random_labels(int rows, int classes, std::uint64_t seed) {
  sim::RandomStream rng(seed);
  std::vector<std::int32_t> y;
  for (int r = 0; r < rows; ++r) y.push_back(static_cast<std::int32_t>(rng.below(classes)));
  return y;
}

// Example r's own gradient, by a backward pass over that row alone.
Eigen::VectorXd naive_gradient(ml::Mlp& mlp, const ml::RowMatrix& x,
                               const std::vector<std::int32_t>& y, int r) {
  ml::Vector g;
  const ml::RowMatrix row = x.row(r);
  mlp.loss_and_gradient(row, std::span<const std::int32_t>(&y[static_cast<std::size_t>(r)], 1), g);
  return g.cast<double>();
}

}  // namespace

TEST_CASE("per-example norms from activations and deltas match a naive per-example backward pass",
          "[ml][dp]") {
  const ml::Activation act = GENERATE(ml::Activation::relu, ml::Activation::tanh);
  const ml::LossKind loss = GENERATE(ml::LossKind::softmax_cross_entropy, ml::LossKind::mse);
  CAPTURE(ml::activation_name(act), ml::loss_name(loss));
  ml::Mlp mlp(ml::MlpSpec{{7, 9, 5, 4}, act, loss});
  mlp.initialize(3);
  const int batch = 12;
  const ml::RowMatrix x = random_rows(batch, 7, 5);
  const std::vector<std::int32_t> y = random_labels(batch, 4, 6);

  ml::Vector grad;
  std::vector<double> norms;
  mlp.loss_and_clipped_gradient(x, y, 1e30, grad, norms);
  REQUIRE(norms.size() == static_cast<std::size_t>(batch));
  ml::Mlp copy = mlp;
  std::vector<double> naive;
  for (int r = 0; r < batch; ++r) naive.push_back(naive_gradient(copy, x, y, r).norm());
  const auto worst = ml_test::compare(norms, naive, 1e-7, 1e-5);
  INFO(worst.describe());
  CHECK(worst.error <= 1.0);
}

TEST_CASE("clipping scales every example's gradient to norm at most C and averages them",
          "[ml][dp]") {
  ml::Mlp mlp(ml::MlpSpec{{6, 8, 3}, ml::Activation::relu, ml::LossKind::softmax_cross_entropy});
  mlp.initialize(11);
  const int batch = 16;
  const ml::RowMatrix x = random_rows(batch, 6, 12);
  const std::vector<std::int32_t> y = random_labels(batch, 3, 13);
  ml::Mlp copy = mlp;
  std::vector<Eigen::VectorXd> naive;
  std::vector<double> naive_norms;
  for (int r = 0; r < batch; ++r) {
    naive.push_back(naive_gradient(copy, x, y, r));
    naive_norms.push_back(naive.back().norm());
  }
  // A C between the smallest and the largest norm: some clipped, some not.
  std::vector<double> sorted = naive_norms;
  std::sort(sorted.begin(), sorted.end());
  const double clip = sorted[static_cast<std::size_t>(batch / 2)];
  REQUIRE(sorted.front() < clip);

  ml::Vector grad;
  std::vector<double> norms;
  mlp.loss_and_clipped_gradient(x, y, clip, grad, norms);
  Eigen::VectorXd expected = Eigen::VectorXd::Zero(grad.size());
  int clipped = 0;
  for (int r = 0; r < batch; ++r) {
    const double n = naive_norms[static_cast<std::size_t>(r)];
    const double factor = std::min(1.0, clip / n);
    clipped += n > clip ? 1 : 0;
    // The clipped example's norm: at most C, to float rounding of the factor.
    const double clipped_norm = factor * norms[static_cast<std::size_t>(r)];
    CHECK(clipped_norm <= clip * (1.0 + 1e-6));
    if (n > clip) CHECK(clipped_norm == Approx(clip).epsilon(1e-6));
    expected += factor * naive[static_cast<std::size_t>(r)];
  }
  CHECK(clipped >= 1);
  expected /= batch;
  const Eigen::VectorXd got = grad.cast<double>();
  const auto worst = ml_test::compare(got, expected, 1e-6, 1e-4);
  INFO(worst.describe());
  CHECK(worst.error <= 1.0);
}

TEST_CASE("with a clip no example reaches, the clipped gradient equals the plain one bit for bit",
          "[ml][dp]") {
  const ml::Activation act = GENERATE(ml::Activation::relu, ml::Activation::sigmoid);
  const int batch = GENERATE(1, 7, 32);
  ml::Mlp mlp(ml::MlpSpec{{10, 16, 8, 3}, act, ml::LossKind::softmax_cross_entropy});
  mlp.initialize(21);
  const ml::RowMatrix x = random_rows(batch, 10, 22);
  const std::vector<std::int32_t> y = random_labels(batch, 3, 23);
  ml::Vector plain, clipped;
  std::vector<double> norms;
  const float plain_loss = mlp.loss_and_gradient(x, y, plain);
  const float clipped_loss = mlp.loss_and_clipped_gradient(x, y, 1e30, clipped, norms);
  CHECK(plain_loss == clipped_loss);
  REQUIRE(plain.size() == clipped.size());
  CHECK(std::memcmp(plain.data(), clipped.data(), sizeof(float) * plain.size()) == 0);
}

TEST_CASE("a non-positive clip is rejected", "[ml][dp]") {
  ml::Mlp mlp(ml::MlpSpec{{2, 2}, ml::Activation::relu, ml::LossKind::mse});
  ml::Vector g;
  std::vector<double> norms;
  const ml::RowMatrix x = random_rows(2, 2, 1);
  const std::vector<std::int32_t> y{0, 1};
  CHECK_THROWS_AS(mlp.loss_and_clipped_gradient(x, y, 0.0, g, norms), std::invalid_argument);
}
