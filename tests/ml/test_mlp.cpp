#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "algorithms/ml/mlp.h"
#include "sim/random.h"
#include "tolerance.h"

namespace {

ml::RowMatrix random_inputs(int rows, int cols, std::uint64_t seed) {
  sim::RandomStream rng(seed);
  ml::RowMatrix x(rows, cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) x(r, c) = static_cast<float>(rng.normal());
  }
  return x;
}

// Layer l's weights and bias read straight from the documented flat layout
// (W row-major I x O, then b), independently of Mlp's own accessors.
ml::RowMatrix layer_weights(const ml::Mlp& mlp, int l) {
  const auto& w = mlp.spec().widths;
  std::int64_t offset = 0;
  for (int k = 0; k < l; ++k) offset += std::int64_t{w[k]} * w[k + 1] + w[k + 1];
  ml::RowMatrix m(w[l], w[l + 1]);
  for (int i = 0; i < w[l]; ++i) {
    for (int o = 0; o < w[l + 1]; ++o) m(i, o) = mlp.parameters()[offset + i * w[l + 1] + o];
  }
  return m;
}

ml::Vector layer_bias(const ml::Mlp& mlp, int l) {
  const auto& w = mlp.spec().widths;
  std::int64_t offset = 0;
  for (int k = 0; k < l; ++k) offset += std::int64_t{w[k]} * w[k + 1] + w[k + 1];
  offset += std::int64_t{w[l]} * w[l + 1];
  return mlp.parameters().segment(offset, w[l + 1]);
}

// Smallest |pre-activation| over the hidden units, in double, from the layout.
double closest_to_kink(const ml::Mlp& mlp, const ml::RowMatrix& x) {
  Eigen::MatrixXd a = x.cast<double>();
  double closest = INFINITY;
  for (int l = 0; l + 1 < mlp.num_layers(); ++l) {
    Eigen::MatrixXd z = a * layer_weights(mlp, l).cast<double>();
    z.rowwise() += layer_bias(mlp, l).cast<double>().transpose();
    closest = std::min(closest, z.cwiseAbs().minCoeff());
    a = z.cwiseMax(0.0);
  }
  return closest;
}

}  // namespace

TEST_CASE("an mlp's gradient of every parameter matches central finite differences", "[ml][mlp]") {
  const ml::Activation act =
      GENERATE(ml::Activation::relu, ml::Activation::tanh, ml::Activation::sigmoid);
  const ml::LossKind loss = GENERATE(ml::LossKind::softmax_cross_entropy, ml::LossKind::mse);
  CAPTURE(ml::activation_name(act), ml::loss_name(loss));
  const float h = 1e-2f;

  ml::Mlp mlp(ml::MlpSpec{{5, 4, 3, 3}, act, loss});
  const ml::RowMatrix x = random_inputs(6, 5, 21);
  const std::vector<std::int32_t> y{0, 2, 1, 1, 0, 2};
  std::uint64_t seed = 1;
  mlp.initialize(seed);
  // Biases start at zero; give them values so their gradients are exercised
  // (and for relu, pick a seed whose hidden units all sit away from the kink).
  auto randomize_biases = [&](std::uint64_t s) {
    sim::RandomStream rng(s);
    for (int l = 0; l < mlp.num_layers(); ++l) {
      for (int o = 0; o < mlp.spec().widths[l + 1]; ++o) {
        mlp.parameters()[mlp.bias_offset(l) + o] = static_cast<float>(0.3 * rng.normal());
      }
    }
  };
  randomize_biases(seed);
  while (act == ml::Activation::relu && closest_to_kink(mlp, x) < 10 * h) {
    mlp.initialize(++seed);
    randomize_biases(seed);
  }

  ml::Vector grad;
  mlp.loss_and_gradient(x, y, grad);
  REQUIRE(grad.size() == mlp.num_parameters());

  ml::Vector numeric(mlp.num_parameters());
  ml::Vector scratch;
  for (Eigen::Index i = 0; i < numeric.size(); ++i) {
    const float original = mlp.parameters()[i];
    mlp.parameters()[i] = original + h;
    const float plus_value = mlp.parameters()[i];
    const double f_plus = mlp.loss_and_gradient(x, y, scratch);
    mlp.parameters()[i] = original - h;
    const float minus_value = mlp.parameters()[i];
    const double f_minus = mlp.loss_and_gradient(x, y, scratch);
    mlp.parameters()[i] = original;
    numeric[i] =
        static_cast<float>((f_plus - f_minus) / (static_cast<double>(plus_value) - minus_value));
  }
  // Float loss, h = 1e-2: rounding error ~ 1e-7 * |loss| / h ~ 1e-5, truncation
  // h^2 |f'''| / 6 ~ 1e-5..1e-4 (largest seen: 1e-4 on a gradient of 1.3).
  const auto worst = ml_test::compare(grad, numeric, 1e-4, 1e-2);
  INFO(worst.describe());
  CHECK(worst.error <= 1.0);
}

TEST_CASE("the parameter buffer holds each layer's row-major weights then its bias", "[ml][mlp]") {
  ml::Mlp mlp(ml::MlpSpec{{3, 4, 2}, ml::Activation::tanh, ml::LossKind::mse});
  mlp.initialize(5);
  CHECK(mlp.num_parameters() == 3 * 4 + 4 + 4 * 2 + 2);
  CHECK(mlp.weight_offset(0) == 0);
  CHECK(mlp.bias_offset(0) == 12);
  CHECK(mlp.weight_offset(1) == 16);
  CHECK(mlp.bias_offset(1) == 24);
  for (int o = 0; o < 4; ++o) mlp.parameters()[12 + o] = 0.1f * static_cast<float>(o);
  mlp.parameters()[25] = -0.2f;

  // Predictions from the layout, in double, against evaluate()'s loss.
  const ml::RowMatrix x = random_inputs(3, 3, 8);
  Eigen::MatrixXd hidden = x.cast<double>() * layer_weights(mlp, 0).cast<double>();
  hidden.rowwise() += layer_bias(mlp, 0).cast<double>().transpose();
  hidden = hidden.array().tanh().matrix();
  Eigen::MatrixXd out = hidden * layer_weights(mlp, 1).cast<double>();
  out.rowwise() += layer_bias(mlp, 1).cast<double>().transpose();
  ml::Dataset d{x, {0, 1, 1}, 2, {}};
  double expected = 0.0;
  for (int r = 0; r < 3; ++r) {
    for (int o = 0; o < 2; ++o) {
      const double t = d.labels[r] == o ? 1.0 : 0.0;
      expected += (out(r, o) - t) * (out(r, o) - t);
    }
  }
  expected /= 6.0;
  CHECK(mlp.evaluate(d).loss == Approx(expected).epsilon(1e-5));
}

TEST_CASE("an mlp rejects bad specs and bad batches", "[ml][mlp]") {
  SECTION("fewer than two widths") {
    CHECK_THROWS_AS(ml::Mlp(ml::MlpSpec{{784}}), std::invalid_argument);
  }
  SECTION("a zero width") {
    CHECK_THROWS_AS(ml::Mlp(ml::MlpSpec{{784, 0, 10}}), std::invalid_argument);
  }
  ml::Mlp mlp(ml::MlpSpec{{4, 3, 2}});
  mlp.initialize(1);
  ml::Vector grad;
  SECTION("wrong feature count") {
    const ml::RowMatrix x = ml::RowMatrix::Zero(2, 5);
    const std::vector<std::int32_t> y{0, 1};
    CHECK_THROWS_AS(mlp.loss_and_gradient(x, y, grad), std::invalid_argument);
  }
  SECTION("label count differs from rows") {
    const ml::RowMatrix x = ml::RowMatrix::Zero(2, 4);
    const std::vector<std::int32_t> y{0};
    CHECK_THROWS_AS(mlp.loss_and_gradient(x, y, grad), std::invalid_argument);
  }
  SECTION("label out of range") {
    const ml::RowMatrix x = ml::RowMatrix::Zero(2, 4);
    const std::vector<std::int32_t> y{0, 2};
    CHECK_THROWS_AS(mlp.loss_and_gradient(x, y, grad), std::invalid_argument);
  }
  SECTION("empty batch") {
    const ml::RowMatrix x(0, 4);
    CHECK_THROWS_AS(mlp.loss_and_gradient(x, {}, grad), std::invalid_argument);
  }
  SECTION("evaluation with a zero batch size") {
    ml::Dataset d{ml::RowMatrix::Zero(2, 4), {0, 1}, 2, {}};
    CHECK_THROWS_AS(mlp.evaluate(d, 0), std::invalid_argument);
  }
}

TEST_CASE("a copied mlp has independent parameters", "[ml][mlp]") {
  ml::Mlp a(ml::MlpSpec{{4, 3, 2}});
  a.initialize(3);
  ml::Mlp b = a;
  REQUIRE(b.parameters() == a.parameters());
  b.parameters()[0] += 1.0f;
  CHECK(b.parameters()[0] != a.parameters()[0]);
  CHECK(b.parameters().data() != a.parameters().data());
}

TEST_CASE("initialization is seeded and uses He or Glorot bounds", "[ml][mlp]") {
  ml::Mlp relu(ml::MlpSpec{{100, 50, 10}, ml::Activation::relu});
  ml::Mlp tanh(ml::MlpSpec{{100, 50, 10}, ml::Activation::tanh});
  relu.initialize(4);
  tanh.initialize(4);
  const auto w0 = [](const ml::Mlp& m) { return m.parameters().head(100 * 50); };
  CHECK(w0(relu).cwiseAbs().maxCoeff() <= std::sqrt(6.0f / 100.0f));
  CHECK(w0(relu).cwiseAbs().maxCoeff() > 0.9f * std::sqrt(6.0f / 100.0f));
  CHECK(w0(tanh).cwiseAbs().maxCoeff() <= std::sqrt(6.0f / 150.0f));
  CHECK(relu.parameters().segment(relu.bias_offset(0), 50).isZero());
  ml::Mlp again(ml::MlpSpec{{100, 50, 10}, ml::Activation::relu});
  again.initialize(4);
  CHECK(again.parameters() == relu.parameters());
  again.initialize(5);
  CHECK(again.parameters() != relu.parameters());
}

TEST_CASE("flop counts follow the layer shapes", "[ml][mlp]") {
  ml::Mlp mlp(ml::MlpSpec{{784, 128, 10}});
  CHECK(mlp.num_parameters() == 101770);
  CHECK(mlp.forward_flops_per_sample() == 2.0 * (784 * 128 + 128 * 10));
  CHECK(mlp.train_flops_per_sample() == 6.0 * (784 * 128 + 128 * 10));
}

TEST_CASE("evaluation matches per-batch losses and counts argmax hits", "[ml][mlp]") {
  ml::Mlp mlp(ml::MlpSpec{{6, 5, 3}});
  mlp.initialize(2);
  sim::RandomStream rng(12);
  ml::Dataset d{random_inputs(25, 6, 13), std::vector<std::int32_t>(25), 3, {}};
  for (auto& label : d.labels) label = static_cast<std::int32_t>(rng.below(3));

  ml::Vector grad;
  const double whole = mlp.loss_and_gradient(d.features, d.labels, grad);
  const int batch = GENERATE(1, 7, 25, 1000);
  CAPTURE(batch);
  const auto e = mlp.evaluate(d, batch);
  CHECK(e.loss == Approx(whole).epsilon(1e-5));
  CHECK(e.accuracy >= 0.0);
  CHECK(e.accuracy <= 1.0);
  // Accuracy from an independent forward pass in double.
  Eigen::MatrixXd hidden = d.features.cast<double>() * layer_weights(mlp, 0).cast<double>();
  hidden.rowwise() += layer_bias(mlp, 0).cast<double>().transpose();
  hidden = hidden.cwiseMax(0.0);
  Eigen::MatrixXd out = hidden * layer_weights(mlp, 1).cast<double>();
  out.rowwise() += layer_bias(mlp, 1).cast<double>().transpose();
  int hits = 0;
  for (int r = 0; r < 25; ++r) {
    Eigen::Index best = 0;
    out.row(r).maxCoeff(&best);
    hits += best == d.labels[r] ? 1 : 0;
  }
  CHECK(e.accuracy == Approx(hits / 25.0));
}

TEST_CASE("evaluation chunks computed in any order combine to evaluate()'s bits", "[ml][mlp]") {
  ml::Mlp mlp(ml::MlpSpec{{6, 5, 3}});
  mlp.initialize(3);
  sim::RandomStream rng(5);
  ml::Dataset d{random_inputs(25, 6, 17), std::vector<std::int32_t>(25), 3, {}};
  for (auto& label : d.labels) label = static_cast<std::int32_t>(rng.below(3));
  const int batch = 7;  // chunks of 7, 7, 7, 4 rows
  const std::int64_t n = ml::Mlp::evaluation_chunks(d, batch);
  REQUIRE(n == 4);
  std::vector<ml::Mlp::ChunkEvaluation> chunks(static_cast<std::size_t>(n));
  for (std::int64_t c = n - 1; c >= 0; --c) {
    chunks[static_cast<std::size_t>(c)] = mlp.evaluate_chunk(d, c, batch);
  }
  // Each chunk's loss sum is its rows' mean loss times its rows.
  ml::Vector grad;
  for (std::int64_t c = 0; c < n; ++c) {
    const std::int64_t rows = std::min<std::int64_t>(batch, 25 - c * batch);
    const ml::RowMatrix x = d.features.middleRows(c * batch, rows);
    const std::span<const std::int32_t> y(d.labels.data() + c * batch,
                                          static_cast<std::size_t>(rows));
    const double mean = mlp.loss_and_gradient(x, y, grad);
    CHECK(chunks[static_cast<std::size_t>(c)].loss_sum == Approx(mean * rows).epsilon(1e-6));
  }
  const auto whole = mlp.evaluate(d, batch);
  const auto combined = ml::Mlp::combine(d, chunks);
  CHECK(combined.loss == whole.loss);  // exact: the same sum in the same order
  CHECK(combined.accuracy == whole.accuracy);
  CHECK_THROWS_AS(mlp.evaluate_chunk(d, n, batch), std::invalid_argument);
  CHECK_THROWS_AS(mlp.evaluate_chunk(d, -1, batch), std::invalid_argument);
}
