// The federated strategies built on fedavg's round, against oracles:
//  - FedProx: the proximal objective's loss and gradient against the closed
//    form; mu = 0 trains exactly as FedAvg; mu > 0 keeps the model nearer
//    the round's start;
//  - server optimizers: each kind's first two steps against a hand
//    computation in double; server SGD with lr 1 and no momentum is FedAvg
//    bit for bit (with either aggregator); FedAdam composed with the
//    aggregator takes its step from FedAvg's own aggregate.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <memory>

#include "algorithms/runtime/proximal_objective.h"
#include "algorithms/runtime/mean_aggregator.h"
#include "algorithms/runtime/server_optimizer.h"
#include "algorithms/runtime/training_seeds.h"
#include "fedavg_world.h"

using namespace fedavg_world;

namespace {

bool same_bits(const ml::Vector& a, const ml::Vector& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(float)) == 0;
}

// Partial participation, several local steps, momentum: every path of the
// client's local training is exercised.
WorldOptions heterogeneous_world() {
  WorldOptions options;
  options.clients = 6;
  options.sgd = {0.05f, 0.9f, 0.0f, false};
  options.partition.kind = ml::PartitionKind::dirichlet;
  options.partition.alpha = 0.3;
  options.stop = {0, 0.0, 6, 0.0};
  return options;
}

algo::FedAvgConfig partial_config() {
  algo::FedAvgConfig config;
  config.clients_per_round = 4;
  config.local_epochs = 2;
  config.batch_size = 16;
  return config;
}

ml::Vector initial_model(const World& world) {
  ml::Mlp initial(world.ctx.model);
  initial.initialize(algo::model_init_seed(world.ctx.seed));
  return initial.parameters();
}

}  // namespace

TEST_CASE(
    "the proximal objective adds mu/2 ||w - w_g||^2 to the loss and mu (w - w_g) to the gradient") {
  ml::Mlp model(ml::MlpSpec{{5, 7, 3}, ml::Activation::relu, ml::LossKind::softmax_cross_entropy});
  model.initialize(3);
  ml::Vector anchor = model.parameters();
  for (Eigen::Index i = 0; i < anchor.size(); ++i)
    anchor[i] += 0.01f * static_cast<float>(i % 7 - 3);
  ml::RowMatrix x(4, 5);
  for (Eigen::Index i = 0; i < x.size(); ++i)
    x.data()[i] = 0.1f * static_cast<float>(i % 11) - 0.4f;
  const std::vector<std::int32_t> y{0, 2, 1, 2};
  ml::Vector plain_gradient;
  const float plain_loss = model.loss_and_gradient(x, y, plain_gradient);

  const float mu = GENERATE(0.0f, 0.5f, 3.0f);
  CAPTURE(mu);
  algo::ProximalObjective objective(mu, anchor);
  ml::Vector gradient;
  const float loss = objective.loss_and_gradient(model, x, y, gradient);
  double norm2 = 0.0, worst = 0.0;
  for (Eigen::Index i = 0; i < gradient.size(); ++i) {
    const double drift = static_cast<double>(model.parameters()[i]) - anchor[i];
    norm2 += drift * drift;
    worst = std::max(worst, std::abs(gradient[i] - (plain_gradient[i] + mu * drift)));
  }
  INFO("largest gradient difference " << worst);
  CHECK(worst < 1e-6);
  CHECK(loss == Approx(plain_loss + 0.5 * mu * norm2).epsilon(1e-6));
  if (mu == 0.0f) CHECK(same_bits(gradient, plain_gradient));
  CHECK(objective.extra_flops(100) == 500.0);
  CHECK_THROWS_AS(algo::ProximalObjective(-1.0f, anchor), std::invalid_argument);
}

TEST_CASE("fedprox with mu 0 trains exactly as fedavg") {
  World fedavg(heterogeneous_world());
  const ml::Vector expected = fedavg.run_fedavg(partial_config()).global_parameters();

  World fedprox(heterogeneous_world());
  algo::FedAvgConfig config = partial_config();
  config.local_objective = algo::proximal_objective(0.0f);
  const ml::Vector got = fedprox.run_fedavg(config).global_parameters();
  CHECK(same_bits(got, expected));
  CHECK(fedprox.monitor->totals().samples == fedavg.monitor->totals().samples);
}

TEST_CASE("fedprox with mu > 0 pulls each client towards the round's global model") {
  // One round: the global model moves less from its start as mu grows.
  auto distance = [](float mu) {
    WorldOptions options = heterogeneous_world();
    options.stop = {0, 0.0, 1, 0.0};
    World world(options);
    algo::FedAvgConfig config = partial_config();
    if (mu > 0) config.local_objective = algo::proximal_objective(mu);
    const ml::Vector start = initial_model(world);
    return (world.run_fedavg(config).global_parameters() - start).norm();
  };
  const float d0 = distance(0.0f), d1 = distance(1.0f), d5 = distance(5.0f);
  INFO("distances " << d0 << " " << d1 << " " << d5);
  CHECK(d1 < 0.9f * d0);
  CHECK(d5 < 0.9f * d1);
}

TEST_CASE("server optimizers take the paper's steps on the pseudo-gradient") {
  const algo::RunContext math;  // inline math, no fault
  const ml::Vector w0 = (ml::Vector(3) << 1.0f, 2.0f, -0.5f).finished();
  const ml::Vector a1 = (ml::Vector(3) << 1.5f, 1.0f, -0.5f).finished();
  const ml::Vector a2 = (ml::Vector(3) << 1.6f, 1.9f, -0.4f).finished();
  using K = algo::ServerOptimizerKind;
  struct Case {
    const char* name;
    algo::ServerOptimizerConfig config;
    double after1[3], after2[3];  // computed by hand (in double) from the update rule
  };
  const Case cases[] = {
      {"fedadam",
       {K::adam, 0.1f, 0.0f, 0.9f, 0.99f, 0.1f},
       {1.02365685, 1.95851782, -0.5},
       {1.06929425, 1.91865965, -0.494987563}},
      {"fedyogi",
       {K::yogi, 0.1f, 0.0f, 0.9f, 0.99f, 0.1f},
       {1.0236068, 1.95857864, -0.5},
       {1.06906533, 1.91885304, -0.494987437}},
      {"fedadagrad",
       {K::adagrad, 0.1f, 0.0f, 0.9f, 0.99f, 0.1f},
       {1.00819804, 1.99095012, -0.5},
       {1.02002095, 1.98201536, -0.495857864}},
      {"fedavgm", {K::sgd, 1.0f, 0.9f}, {1.5, 1.0, -0.5}, {2.05, 1.0, -0.4}},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      algo::ServerOptimizer optimizer(c.config);
      CHECK(optimizer.name() == c.name);
      ml::Vector w = w0;
      optimizer.step(math, a1, w);
      for (int i = 0; i < 3; ++i) CHECK(w[i] == Approx(c.after1[i]).margin(2e-6));
      optimizer.step(math, a2, w);
      for (int i = 0; i < 3; ++i) CHECK(w[i] == Approx(c.after2[i]).margin(2e-6));
    }
  }
  SECTION("bad configurations throw") {
    CHECK_THROWS_AS(algo::ServerOptimizer({K::sgd, 0.0f}), std::invalid_argument);
    CHECK_THROWS_AS(algo::ServerOptimizer({K::sgd, 1.0f, 1.0f}), std::invalid_argument);
    CHECK_THROWS_AS(algo::ServerOptimizer({K::adam, 0.1f, 0.0f, 0.9f, 1.0f}),
                    std::invalid_argument);
    CHECK_THROWS_AS(algo::ServerOptimizer({K::adam, 0.1f, 0.0f, 0.9f, 0.99f, 0.0f}),
                    std::invalid_argument);
  }
}

TEST_CASE("server sgd with lr 1 and no momentum is fedavg bit for bit") {
  const bool unweighted = GENERATE(false, true);
  CAPTURE(unweighted);
  algo::FedAvgConfig config = partial_config();
  if (unweighted) config.aggregator = [] { return std::make_unique<algo::MeanAggregator>(); };
  World fedavg(heterogeneous_world());
  const ml::Vector expected = fedavg.run_fedavg(config).global_parameters();

  World server_sgd(heterogeneous_world());
  config.server_optimizer = [] {
    return std::make_unique<algo::ServerOptimizer>(algo::ServerOptimizerConfig{});
  };
  const ml::Vector got = server_sgd.run_fedavg(config).global_parameters();
  CHECK(same_bits(got, expected));
}

TEST_CASE("fedadam steps from the round's model towards fedavg's aggregate") {
  // One round: the clients train the same as under FedAvg, so FedAvg's new
  // model is the aggregate a, and FedAdam's is w0 + lr m / (sqrt(v) + tau)
  // with Delta = a - w0, computed here in double.
  WorldOptions options = heterogeneous_world();
  options.stop = {0, 0.0, 1, 0.0};
  World fedavg(options);
  const ml::Vector a = fedavg.run_fedavg(partial_config()).global_parameters();

  World fedadam(options);
  algo::FedAvgConfig config = partial_config();
  const algo::ServerOptimizerConfig adam{
      algo::ServerOptimizerKind::adam, 0.05f, 0.0f, 0.9f, 0.99f, 1e-3f};
  config.server_optimizer = [adam] { return std::make_unique<algo::ServerOptimizer>(adam); };
  const ml::Vector got = fedadam.run_fedavg(config).global_parameters();
  const ml::Vector w0 = initial_model(fedadam);
  double worst = 0.0;
  for (Eigen::Index i = 0; i < w0.size(); ++i) {
    const double delta = static_cast<double>(a[i]) - w0[i];
    const double m = 0.1 * delta, v = 0.99 * 1e-6 + 0.01 * delta * delta;
    const double expected = w0[i] + 0.05 * m / (std::sqrt(v) + 1e-3);
    worst = std::max(worst, std::abs(expected - got[i]));
  }
  INFO("largest difference " << worst);
  CHECK(worst < 1e-5);
  CHECK(!same_bits(got, a));
}
