// SCAFFOLD (fedavg's round with control variates) against oracles:
//  - the control variates' update rule and gradient correction, on vectors
//    worked out by hand;
//  - the server's c stays the mean of the clients' c_k (an exact identity,
//    checked to float rounding), under full and partial participation;
//  - with one client c = c_1, the correction is zero up to rounding and
//    SCAFFOLD trains as FedAvg;
//  - the download carries c and the upload Delta c_k: the bytes double.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>

#include "algorithms/runtime/control_variates.h"
#include "fedavg_world.h"

using namespace fedavg_world;

namespace {

ml::Vector vec(std::initializer_list<float> values) {
  ml::Vector v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (float x : values) v[i++] = x;
  return v;
}

void check_close(const ml::Vector& got, const ml::Vector& expected) {
  REQUIRE(got.size() == expected.size());
  const float diff = (got - expected).cwiseAbs().maxCoeff();
  INFO("largest difference " << diff);
  CHECK(diff < 1e-6f);
}

// The gradient of `objective` minus the model's own, on one batch.
ml::Vector correction_applied(algo::LocalObjective& objective, ml::Mlp& model) {
  ml::RowMatrix x(2, 2);
  x << 0.5f, -1.0f, 2.0f, 0.25f;
  const std::vector<std::int32_t> y{1, 0};
  ml::Vector plain, corrected;
  const float plain_loss = model.loss_and_gradient(x, y, plain);
  const float loss = objective.loss_and_gradient(model, x, y, corrected);
  CHECK(loss == plain_loss);  // the reported loss is the model's own
  return corrected - plain;
}

}  // namespace

TEST_CASE("scaffold's control variates follow option II, worked out by hand") {
  // A one-layer model of 2 inputs and 2 classes: 6 parameters.
  ml::Mlp model(ml::MlpSpec{{2, 2}, ml::Activation::relu, ml::LossKind::softmax_cross_entropy});
  model.initialize(5);
  const algo::RunContext math;
  algo::ControlVariates cv(2, 6, false);
  const auto x0 = std::make_shared<const ml::Vector>(vec({0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}));

  // Client 0, first round: c = c_0 = 0, so no correction. 2 steps at lr 0.5
  // (K lr = 1): c_0 = x - y.
  algo::ControlVariates::Round r0 = cv.start(0, x0);
  check_close(correction_applied(cv.objective(r0), model), ml::Vector::Zero(6));
  r0.steps = 2;
  const ml::Vector d0 = vec({0.2f, -0.4f, 0.6f, 0.0f, 0.2f, -0.2f});
  cv.finish(r0, *x0 - d0, 0.5f);
  check_close(cv.client(0), d0);
  check_close(r0.delta, d0);
  const ml::Vector* deltas0[] = {&r0.delta};
  CHECK(cv.server_update(math, deltas0) == 2.0 * 6);
  check_close(cv.server(), vec({0.1f, -0.2f, 0.3f, 0.0f, 0.1f, -0.1f}));  // c_0 / N

  // Client 1: its gradient is corrected by c - c_1 = c; 4 steps at lr 0.25.
  const auto x1 = std::make_shared<const ml::Vector>(vec({1, 1, 1, 1, 1, 1}));
  algo::ControlVariates::Round r1 = cv.start(1, x1);
  check_close(correction_applied(cv.objective(r1), model), cv.server());
  r1.steps = 4;
  const ml::Vector d1 = vec({0.4f, 0.0f, 0.0f, 0.4f, -0.4f, 0.8f});
  cv.finish(r1, *x1 - d1, 0.25f);
  const ml::Vector c1 = vec({0.3f, 0.2f, -0.3f, 0.4f, -0.5f, 0.9f});  // 0 - c + d1
  check_close(cv.client(1), c1);
  const ml::Vector* deltas1[] = {&r1.delta};
  cv.server_update(math, deltas1);
  check_close(cv.server(), vec({0.25f, -0.1f, 0.15f, 0.2f, -0.15f, 0.35f}));  // (c_0 + c_1) / 2

  // Client 0 again: corrected by c - c_0.
  algo::ControlVariates::Round r2 = cv.start(0, x1);
  check_close(correction_applied(cv.objective(r2), model),
              vec({0.05f, 0.3f, -0.45f, 0.2f, -0.35f, 0.55f}));
  // A round sent before the update keeps the c it was sent.
  check_close(*r1.control, vec({0.1f, -0.2f, 0.3f, 0.0f, 0.1f, -0.1f}));
}

TEST_CASE("scaffold's server control variate is the mean of the clients' ones") {
  const int per_round = GENERATE(6, 3);
  CAPTURE(per_round);
  WorldOptions options;
  options.clients = 6;
  options.partition.kind = ml::PartitionKind::dirichlet;
  options.partition.alpha = 0.3;
  options.stop = {0, 0.0, 8, 0.0};
  World world(options);
  algo::FedAvgConfig config;
  config.clients_per_round = per_round;
  config.local_epochs = 2;
  config.batch_size = 16;
  config.control_variates = true;
  const algo::FedAvg& scaffold = world.run_fedavg(config);
  const algo::ControlVariates* cv = scaffold.control_variates();
  REQUIRE(cv != nullptr);
  ml::Vector mean = ml::Vector::Zero(cv->server().size());
  int joined = 0;
  for (int k = 0; k < options.clients; ++k) {
    if (cv->client(k).size() == 0) continue;
    mean += cv->client(k) / static_cast<float>(options.clients);
    ++joined;
  }
  CHECK(joined > 1);
  CHECK(cv->server().cwiseAbs().maxCoeff() > 1e-3f);  // it moved
  check_close(cv->server(), mean);
}

TEST_CASE("scaffold with one client trains as fedavg, to float rounding") {
  // c = c_1 in exact arithmetic; in floats c is summed from the Delta c_1, so
  // c - c_1 is rounding noise, not zero.
  WorldOptions options;
  options.clients = 1;
  options.stop = {0, 0.0, 4, 0.0};
  algo::FedAvgConfig config;
  config.local_epochs = 2;
  config.batch_size = 32;
  World fedavg(options);
  const ml::Vector expected = fedavg.run_fedavg(config).global_parameters();
  World scaffold(options);
  config.control_variates = true;
  const ml::Vector got = scaffold.run_fedavg(config).global_parameters();
  check_close(got, expected);
}

TEST_CASE("scaffold's models carry their control variates: the bytes double") {
  WorldOptions options;
  options.stop = {0, 0.0, 3, 0.0};
  algo::FedAvgConfig config;
  config.clients_per_round = 2;
  World fedavg(options);
  fedavg.run_fedavg(config);
  World scaffold(options);
  config.control_variates = true;
  scaffold.run_fedavg(config);
  CHECK(fedavg.monitor->totals().bytes_sent > 0);
  CHECK(scaffold.monitor->totals().bytes_sent == 2 * fedavg.monitor->totals().bytes_sent);
  CHECK(scaffold.monitor->totals().time > fedavg.monitor->totals().time);
}
