// DP-SGD's objective, DP-FedAvg's server step and the run's privacy ledger,
// against closed forms: the noise's variance (a chi-square bound), the
// clipping bound, the non-private computation when sigma = 0 and C is out of
// reach, and the accountant's own epsilon.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "algorithms/ml/mlp.h"
#include "algorithms/privacy/rdp_accountant.h"
#include "algorithms/runtime/aggregator.h"
#include "algorithms/runtime/dp_fedavg.h"
#include "algorithms/runtime/dp_sgd_objective.h"
#include "algorithms/runtime/privacy_ledger.h"
#include "sim/random.h"

namespace {

ml::RowMatrix random_rows(int rows, int cols, std::uint64_t seed) {
  sim::RandomStream rng(seed);
  ml::RowMatrix x(rows, cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) x(r, c) = static_cast<float>(rng.normal());
  }
  return x;
}

ml::Vector random_vector(Eigen::Index n, double scale, std::uint64_t seed) {
  sim::RandomStream rng(seed);
  ml::Vector v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = static_cast<float>(scale * rng.normal());
  return v;
}

// Sample mean and variance (about the true mean 0) of the values, in double.
struct Moments {
  double mean = 0.0, variance = 0.0;
  std::int64_t n = 0;
};
Moments moments(const std::vector<double>& values) {
  Moments m;
  m.n = static_cast<std::int64_t>(values.size());
  for (double v : values) m.mean += v;
  m.mean /= static_cast<double>(m.n);
  for (double v : values) m.variance += v * v;
  m.variance /= static_cast<double>(m.n);
  return m;
}

// n draws of N(0, s^2): the mean is within 5 s / sqrt(n) and the variance
// (sum of squares / n, a chi-square with n degrees of freedom times s^2 / n)
// within 5 sqrt(2 / n) of s^2, relatively; both fail by chance about once in
// 3.5 million runs, and the draws are seeded, so never.
void check_gaussian(const std::vector<double>& values, double s) {
  const Moments m = moments(values);
  const double n = static_cast<double>(m.n);
  INFO("n = " << m.n << ", mean " << m.mean << ", variance " << m.variance << ", expected "
              << s * s);
  CHECK(std::abs(m.mean) <= 5.0 * s / std::sqrt(n));
  CHECK(std::abs(m.variance / (s * s) - 1.0) <= 5.0 * std::sqrt(2.0 / n));
}

const ml::MlpSpec kSpec{{20, 40, 10}, ml::Activation::relu, ml::LossKind::softmax_cross_entropy};

}  // namespace

TEST_CASE("DP-SGD's noise has standard deviation sigma C / B per coordinate", "[dp]") {
  const double clip = 0.5, sigma = 1.3;
  const int batch = 8;
  ml::Mlp model(kSpec);
  model.initialize(1);
  const ml::RowMatrix x = random_rows(batch, 20, 2);
  const std::vector<std::int32_t> y{0, 1, 2, 3, 4, 5, 6, 7};
  algo::DpSgdObjective noiseless(clip, 0.0, 9);
  algo::DpSgdObjective noisy(clip, sigma, 9);
  ml::Vector clean, dirty;
  std::vector<double> noise;
  for (int step = 0; step < 10; ++step) {
    noiseless.loss_and_gradient(model, x, y, clean);
    noisy.loss_and_gradient(model, x, y, dirty);
    for (Eigen::Index j = 0; j < clean.size(); ++j) {
      noise.push_back(static_cast<double>(dirty[j]) - static_cast<double>(clean[j]));
    }
  }
  check_gaussian(noise, sigma * clip / batch);
  CHECK(noisy.examples() == 10 * batch);
}

TEST_CASE("DP-SGD with sigma 0 and a clip out of reach is the plain loss bit for bit", "[dp]") {
  ml::Mlp model(kSpec);
  model.initialize(4);
  const ml::RowMatrix x = random_rows(16, 20, 5);
  std::vector<std::int32_t> y;
  for (int r = 0; r < 16; ++r) y.push_back(r % 10);
  algo::DpSgdObjective dp(1e30, 0.0, 3);
  algo::PlainLoss plain;
  ml::Vector a, b;
  CHECK(dp.loss_and_gradient(model, x, y, a) == plain.loss_and_gradient(model, x, y, b));
  REQUIRE(a.size() == b.size());
  CHECK(std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0);
  CHECK(dp.clipped() == 0);
}

TEST_CASE("DP-FedAvg clips every update to norm C, sums them and divides by K", "[dp]") {
  const Eigen::Index p = 50;
  const ml::Vector global = random_vector(p, 1.0, 1);
  std::vector<ml::Vector> models;
  for (int k = 0; k < 4; ++k) models.push_back(global + random_vector(p, 0.1 * (k + 1), 10 + k));
  std::vector<const ml::Vector*> pointers;
  for (const ml::Vector& m : models) pointers.push_back(&m);
  const double clip = 1.0;
  algo::DpFedAvgStep step(clip, 0.0, 5, 7);
  ml::Vector out;
  step.apply(global, pointers, out);
  // The oracle, in double: sum_k (m_k - w) min(1, C / ||m_k - w||), over K = 5.
  Eigen::VectorXd expected = Eigen::VectorXd::Zero(p);
  int clipped = 0;
  for (const ml::Vector& m : models) {
    const Eigen::VectorXd d = (m - global).cast<double>();
    const double factor = std::min(1.0, clip / d.norm());
    clipped += d.norm() > clip ? 1 : 0;
    // Each clipped update's norm: at most C.
    CHECK(factor * d.norm() <= clip * (1 + 1e-12));
    expected += factor * d;
  }
  REQUIRE(clipped >= 1);
  REQUIRE(clipped < 4);
  CHECK(step.clipped() == clipped);
  expected = global.cast<double>() + expected / 5.0;
  CHECK((out.cast<double>() - expected).cwiseAbs().maxCoeff() <= 1e-6);

  SECTION("one update alone moves the model by at most C / K") {
    algo::DpFedAvgStep single(clip, 0.0, 5, 7);
    const std::vector<const ml::Vector*> last{&models.back()};
    single.apply(global, last, out);
    CHECK((out - global).cast<double>().norm() <= clip / 5.0 * (1 + 1e-6));
  }
}

TEST_CASE("DP-FedAvg's noise has standard deviation sigma C / K per coordinate", "[dp]") {
  const double clip = 2.0, sigma = 0.7;
  const Eigen::Index p = 20000;
  const ml::Vector global = random_vector(p, 1.0, 3);
  algo::DpFedAvgStep step(clip, sigma, 4, 11);
  ml::Vector out;
  step.apply(global, {}, out);  // no update: the noise alone
  std::vector<double> noise;
  for (Eigen::Index j = 0; j < p; ++j) {
    noise.push_back(static_cast<double>(out[j]) - static_cast<double>(global[j]));
  }
  check_gaussian(noise, sigma * clip / 4.0);
}

TEST_CASE("DP-FedAvg with sigma 0 and a clip out of reach is FedAvg's mean of equal shards",
          "[dp]") {
  // Not bit for bit: FedAvg sums w_k m_k with w_k = 1/K, DP-FedAvg sums
  // (m_k - w) / K and adds w; the two round differently, by a few float ulps.
  const Eigen::Index p = 1000;
  const ml::Vector global = random_vector(p, 1.0, 5);
  std::vector<ml::Vector> models;
  for (int k = 0; k < 6; ++k) models.push_back(global + random_vector(p, 0.05, 20 + k));
  std::vector<const ml::Vector*> pointers;
  for (const ml::Vector& m : models) pointers.push_back(&m);
  algo::DpFedAvgStep step(1e30, 0.0, 6, 1);
  ml::Vector dp;
  step.apply(global, pointers, dp);
  algo::RunContext ctx;
  std::vector<algo::Contribution> in;
  for (int k = 0; k < 6; ++k) in.push_back({k, pointers[static_cast<std::size_t>(k)], 100});
  ml::Vector mean(p);
  algo::WeightedMean().aggregate(ctx, in, mean);
  const float worst = (dp - mean).cwiseAbs().maxCoeff();
  INFO("largest difference " << worst);
  CHECK(worst <= 1e-6f * 4);  // |values| ~ 3: a few ulps
}

TEST_CASE("the ledger's epsilon is the accountant's, the largest over entities", "[dp]") {
  algo::PrivacySpec spec;
  spec.noise_multiplier = 1.1;
  spec.delta = 1e-5;
  algo::PrivacyLedger ledger(spec, 1);
  CHECK(ledger.epsilon() == 0.0);  // nothing released
  for (int i = 0; i < 300; ++i) ledger.record("worker0", 0.01);
  for (int i = 0; i < 100; ++i) ledger.record("worker1", 0.01);
  for (int i = 0; i < 50; ++i) ledger.record("worker1", 0.02);
  privacy::RdpAccountant w0, w1;
  w0.add_steps(0.01, 1.1, 300);
  w1.add_steps(0.01, 1.1, 100);
  w1.add_steps(0.02, 1.1, 50);
  const double expected = std::max(w0.epsilon(1e-5).epsilon, w1.epsilon(1e-5).epsilon);
  CHECK(ledger.epsilon() == expected);
  CHECK(ledger.releases("worker1") == 150);

  SECTION("with sigma 0 epsilon is infinite") {
    spec.noise_multiplier = 0.0;
    algo::PrivacyLedger open(spec, 1);
    open.record("worker0", 0.5);
    CHECK(open.epsilon() == std::numeric_limits<double>::infinity());
  }
  SECTION("each replica of a node gets its own noise, the same in every run") {
    algo::PrivacyLedger a(spec, 1), b(spec, 1);
    ml::Mlp model(ml::MlpSpec{{3, 2}, ml::Activation::relu, ml::LossKind::mse});
    const ml::RowMatrix x = random_rows(2, 3, 1);
    const std::vector<std::int32_t> y{0, 1};
    ml::Vector g1, g2, g3;
    a.make_objective("c0")->loss_and_gradient(model, x, y, g1);
    a.make_objective("c0")->loss_and_gradient(model, x, y, g2);
    b.make_objective("c0")->loss_and_gradient(model, x, y, g3);
    CHECK(g1 != g2);
    CHECK(g1 == g3);
  }
}

TEST_CASE("a ledger rejects a bad spec", "[dp]") {
  algo::PrivacySpec spec;
  spec.clip = 0.0;
  CHECK_THROWS_AS(algo::PrivacyLedger(spec, 1), std::invalid_argument);
  spec.clip = 1.0;
  spec.delta = 1.0;
  CHECK_THROWS_AS(algo::PrivacyLedger(spec, 1), std::invalid_argument);
  spec.delta = 1e-5;
  spec.noise_multiplier = -1.0;
  CHECK_THROWS_AS(algo::PrivacyLedger(spec, 1), std::invalid_argument);
}
