// Throughput of the MLP math on one thread: a training step (forward,
// backward, SGD update) and a full evaluation pass, on the 784-128-10
// ReLU / softmax cross-entropy network of the Fashion-MNIST scenarios.
// Random inputs: the cost does not depend on the values.
//
// Run: build/release/bench/bench_mlp --benchmark_repetitions=3
// --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "algorithms/ml/dataset.h"
#include "algorithms/ml/mlp.h"
#include "algorithms/ml/optimizer.h"
#include "algorithms/ml/rng.h"

namespace {

ml::MlpSpec fashion_spec() { return ml::MlpSpec{{784, 128, 10}, ml::Activation::relu}; }

ml::Dataset random_dataset(std::int64_t samples, int features, int classes, std::uint64_t seed) {
  ml::Rng rng(seed);
  ml::Dataset d;
  d.num_classes = classes;
  d.features.resize(samples, features);
  for (Eigen::Index i = 0; i < d.features.size(); ++i) d.features.data()[i] = rng.uniform_float();
  d.labels.resize(static_cast<std::size_t>(samples));
  for (auto& label : d.labels) label = static_cast<std::int32_t>(rng.bounded(classes));
  return d;
}

void BM_MlpTrainStep(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  ml::Mlp mlp(fashion_spec());
  mlp.initialize(1);
  const ml::Dataset data = random_dataset(batch, 784, 10, 2);
  auto sgd = ml::make_sgd({0.01f});
  ml::Vector grad;
  for (auto _ : state) {
    const float loss = mlp.loss_and_gradient(data.features, data.labels, grad);
    sgd->step(mlp.parameters(), grad);
    benchmark::DoNotOptimize(loss);
  }
  const auto samples = static_cast<double>(state.iterations()) * batch;
  state.SetItemsProcessed(static_cast<std::int64_t>(samples));
  // Nominal FLOP rate as the simulator counts it (6*I*O per sample; the step
  // really skips dX of the first layer, about a third of its cost).
  state.counters["model_flops"] =
      benchmark::Counter(samples * mlp.train_flops_per_sample(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MlpTrainStep)->Arg(32)->Arg(128)->Unit(benchmark::kMicrosecond);

void BM_MlpEvaluate(benchmark::State& state) {
  ml::Mlp mlp(fashion_spec());
  mlp.initialize(1);
  const ml::Dataset data = random_dataset(10000, 784, 10, 3);
  for (auto _ : state) {
    const auto e = mlp.evaluate(data);
    benchmark::DoNotOptimize(e);
  }
  const auto samples = static_cast<double>(state.iterations()) * data.size();
  state.SetItemsProcessed(static_cast<std::int64_t>(samples));
  state.counters["model_flops"] =
      benchmark::Counter(samples * mlp.forward_flops_per_sample(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MlpEvaluate)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
