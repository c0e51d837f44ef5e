// `privacy:` end to end: loading, the equivalences that pin DP-SGD and
// DP-FedAvg to the non-private runs, epsilon in summary.csv, and the
// loader's errors.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "algorithms/privacy/rdp_accountant.h"
#include "app/scenario_loader.h"
#include "run/outputs.h"
#include "run/run.h"
#include "run/scenario_error.h"

namespace {

std::string scenario(const std::string& algorithms) {
  return "name: privacy\n"
         "seed: 5\n"
         "cluster:\n"
         "  server: {count: 1, flops: 20GFLOPS}\n"
         "  worker: {count: 4, flops: 10GFLOPS, straggler: \"uniform(1, 1.5)\"}\n"
         "  client: {count: 8, flops: 5GFLOPS}\n"
         "topology: {kind: star, bandwidth: 1Gbps, latency: 20us}\n"
         "data: {dataset: synthetic, samples: 800, features: 20, classes: 4}\n"
         "model: {layers: [20, 16, 4]}\n"
         "optimizer: {kind: sgd, lr: 0.1}\n" +
         algorithms + "stop: {epochs: 2}\neval: {every: 2ms}\n";
}

app::ScenarioResult run_text(const std::string& yaml) {
  return syncsim::run(app::load_scenario_string(yaml, "privacy.yaml"));
}

// The metrics.csv rows of the run labelled `label`, without the label.
std::string rows_of(const app::ScenarioResult& result, const std::string& label) {
  std::istringstream in(app::metrics_csv(result));
  std::string line, rows;
  while (std::getline(in, line)) {
    if (line.rfind(label + ",", 0) == 0) rows += line.substr(label.size()) + "\n";
  }
  return rows;
}

std::string error_of(const std::string& algorithms) {
  try {
    app::load_scenario_string(scenario(algorithms), "privacy.yaml");
  } catch (const app::ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("DP-SGD with sigma 0 and a clip out of reach trains exactly as without privacy") {
  const std::string kind =
      GENERATE(std::string("ps_sync"), std::string("allreduce_ring"), std::string("local_sgd"));
  CAPTURE(kind);
  const app::ScenarioResult r =
      run_text(scenario("algorithms:\n"
                        "  - {kind: " +
                        kind +
                        ", label: plain, batch_size: 20}\n"
                        "  - {kind: " +
                        kind +
                        ", label: private, batch_size: 20,"
                        " privacy: {mechanism: dp_sgd, clip: 1000000, noise_multiplier: 0}}\n"));
  const std::string plain = rows_of(r, "plain");
  REQUIRE(!plain.empty());
  CHECK(plain == rows_of(r, "private"));
  CHECK(r.runs[0].final_parameters == r.runs[1].final_parameters);
  CHECK(!r.runs[0].privacy_epsilon);
  CHECK(*r.runs[1].privacy_epsilon == std::numeric_limits<double>::infinity());
}

TEST_CASE("DP-SGD's noise and clipping change the training, and epsilon is the accountant's") {
  const app::ScenarioResult r = run_text(
      scenario("algorithms:\n"
               "  - {kind: ps_sync, label: plain, batch_size: 20}\n"
               "  - {kind: ps_sync, label: private, batch_size: 20,"
               " privacy: {mechanism: dp_sgd, clip: 0.1, noise_multiplier: 1.2, delta: 1e-5}}\n"));
  CHECK(rows_of(r, "plain") != rows_of(r, "private"));
  // Each worker: a shard of 200, batches of 20 (q = 0.1), 2 epochs = 20 steps.
  privacy::RdpAccountant accountant;
  accountant.add_steps(0.1, 1.2, 20);
  REQUIRE(r.runs[1].privacy_epsilon);
  CHECK(*r.runs[1].privacy_epsilon == Approx(accountant.epsilon(1e-5).epsilon).epsilon(1e-12));
  const std::string summary = app::summary_csv(r);
  CHECK(summary.find(",epsilon,delta\n") != std::string::npos);
  CHECK(summary.find(",1e-05\n") != std::string::npos);
}

TEST_CASE("DP-FedAvg with sigma 0 and a clip out of reach is FedAvg on equal shards, to rounding") {
  const app::ScenarioResult r =
      run_text(scenario("algorithms:\n"
                        "  - {kind: fedavg, label: plain, clients_per_round: 4, batch_size: 20}\n"
                        "  - {kind: fedavg, label: private, clients_per_round: 4, batch_size: 20,"
                        " privacy: {mechanism: dp_fedavg, clip: 1000000, noise_multiplier: 0}}\n"));
  // FedAvg weights equal shards 1/K and sums the models; DP-FedAvg sums the
  // updates over K and adds them to the model: the same value, rounded
  // differently (a few float ulps per round).
  const ml::Vector& a = r.runs[0].final_parameters;
  const ml::Vector& b = r.runs[1].final_parameters;
  REQUIRE(a.size() == b.size());
  const float worst = (a - b).cwiseAbs().maxCoeff();
  INFO("largest difference " << worst);
  CHECK(worst <= 1e-4f);
  CHECK(r.runs[0].totals.steps == r.runs[1].totals.steps);
}

TEST_CASE("DP-FedAvg's epsilon counts one release per round at q = K / N") {
  const app::ScenarioResult r =
      run_text(scenario("algorithms:\n"
                        "  - {kind: fedavg, label: private, clients_per_round: 2, batch_size: 20,"
                        " privacy: {mechanism: dp_fedavg, clip: 0.5, noise_multiplier: 0.8}}\n"));
  privacy::RdpAccountant accountant;
  accountant.add_steps(2.0 / 8.0, 0.8, r.runs[0].totals.steps);
  CHECK(*r.runs[0].privacy_epsilon == Approx(accountant.epsilon(1e-5).epsilon).epsilon(1e-12));
}

TEST_CASE("privacy keys are checked when the scenario loads") {
  SECTION("an unknown mechanism, with a suggestion") {
    CHECK_THAT(error_of("algorithm: {kind: ps_sync, privacy: {mechanism: dp_sdg, clip: 1,"
                        " noise_multiplier: 1}}\n"),
               Catch::Contains("did you mean 'dp_sgd'"));
  }
  SECTION("a clip of zero") {
    CHECK_THAT(error_of("algorithm: {kind: ps_sync, privacy: {mechanism: dp_sgd, clip: 0,"
                        " noise_multiplier: 1}}\n"),
               Catch::Contains("algorithm.privacy.clip"));
  }
  SECTION("a negative noise multiplier") {
    CHECK_THAT(error_of("algorithm: {kind: ps_sync, privacy: {mechanism: dp_sgd, clip: 1,"
                        " noise_multiplier: -1}}\n"),
               Catch::Contains("noise_multiplier"));
  }
  SECTION("a delta of 1") {
    CHECK_THAT(error_of("algorithm: {kind: ps_sync, privacy: {mechanism: dp_sgd, clip: 1,"
                        " noise_multiplier: 1, delta: 1}}\n"),
               Catch::Contains("delta"));
  }
  SECTION("an unknown key") {
    CHECK_THAT(error_of("algorithm: {kind: ps_sync, privacy: {mechanism: dp_sgd, clip: 1,"
                        " noise_multiplier: 1, sigma: 2}}\n"),
               Catch::Contains("unknown key 'sigma'"));
  }
  SECTION("dp_fedavg without a FedAvg server") {
    CHECK_THAT(error_of("algorithm: {kind: ps_sync, privacy: {mechanism: dp_fedavg, clip: 1,"
                        " noise_multiplier: 1}}\n"),
               Catch::Contains("dp_fedavg needs a FedAvg server"));
  }
  SECTION("dp_fedavg with an aggregator") {
    CHECK_THAT(error_of("algorithm: {kind: fedavg, aggregator: median, privacy: {mechanism:"
                        " dp_fedavg, clip: 1, noise_multiplier: 1}}\n"),
               Catch::Contains("remove 'aggregator'"));
  }
  SECTION("dp_sgd with fedprox") {
    CHECK_THAT(error_of("algorithm: {kind: fedprox, privacy: {mechanism: dp_sgd, clip: 1,"
                        " noise_multiplier: 1}}\n"),
               Catch::Contains("fedprox changes the clients' objective"));
  }
}
