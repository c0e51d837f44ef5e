// End-to-end: the pieces together learn, and do so reproducibly.
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "algorithms/ml/batch_sampler.h"
#include "algorithms/ml/dataset.h"
#include "algorithms/ml/mlp.h"
#include "algorithms/ml/optimizer.h"
#include "algorithms/ml/partition.h"
#include "algorithms/ml/synthetic.h"

namespace {

struct RunResult {
  ml::Vector parameters;
  ml::Mlp::Evaluation train;
  ml::Mlp::Evaluation test;
};

// Trains on worker 0's IID shard of a synthetic set, evaluates on a fresh set
// from the same class centres (same seed, more samples: the first samples are
// the training set, the tail is held out).
RunResult train(std::uint64_t seed, ml::Activation act, int steps, bool adam = false) {
  const ml::SyntheticSpec spec{3000, 20, 4, 1.0f, 3.0f};
  const ml::Dataset all = ml::make_synthetic(spec, seed);
  const ml::Dataset train_set = ml::take_first(all, 2000);
  ml::Dataset test_set;
  test_set.features = all.features.bottomRows(1000);
  test_set.labels.assign(all.labels.end() - 1000, all.labels.end());
  test_set.num_classes = all.num_classes;

  ml::Mlp mlp(ml::MlpSpec{{20, 32, 4}, act});
  mlp.initialize(seed + 1);
  auto opt = adam ? ml::make_adam({0.01f}) : ml::make_sgd({0.1f, 0.9f, 1e-4f, false});
  ml::BatchSampler sampler(ml::partition_iid(train_set.size(), 2, seed + 2)[0], seed + 3);
  ml::RowMatrix x;
  std::vector<std::int32_t> y;
  ml::Vector grad;
  for (int step = 0; step < steps; ++step) {
    ml::gather_batch(train_set, sampler.next_batch(32), x, y);
    mlp.loss_and_gradient(x, y, grad);
    opt->step(mlp.parameters(), grad);
  }
  return {mlp.parameters(), mlp.evaluate(train_set), mlp.evaluate(test_set)};
}

}  // namespace

TEST_CASE("an mlp trained with sgd on synthetic blobs reaches high accuracy", "[ml][training]") {
  const ml::Activation act =
      GENERATE(ml::Activation::relu, ml::Activation::tanh, ml::Activation::sigmoid);
  CAPTURE(ml::activation_name(act));
  const RunResult r = train(11, act, 300);
  CAPTURE(r.train.loss, r.train.accuracy, r.test.loss);
  CHECK(r.test.accuracy > 0.9);
}

TEST_CASE("an mlp trained with adam on synthetic blobs reaches high accuracy", "[ml][training]") {
  const RunResult r = train(12, ml::Activation::relu, 300, true);
  CAPTURE(r.train.loss, r.test.loss);
  CHECK(r.test.accuracy > 0.9);
}

TEST_CASE("two identical training runs give bit-identical parameters", "[ml][training]") {
  const RunResult a = train(5, ml::Activation::relu, 100);
  const RunResult b = train(5, ml::Activation::relu, 100);
  REQUIRE(a.parameters.size() == b.parameters.size());
  CHECK(std::memcmp(a.parameters.data(), b.parameters.data(),
                    sizeof(float) * static_cast<std::size_t>(a.parameters.size())) == 0);
  CHECK(a.test.loss == b.test.loss);
  const RunResult c = train(6, ml::Activation::relu, 100);
  CHECK(c.parameters != a.parameters);
}
