// Throughput of the MLP math on one thread: a training step (forward,
// backward, SGD update) and a full evaluation pass, on the 784-128-10
// ReLU / softmax cross-entropy network of the Fashion-MNIST scenarios.
// Random inputs: the cost does not depend on the values. BM_EigenSgemm is the
// reference: the machine's single-core float GEMM peak as Eigen reaches it,
// measured in the same run, so the step's GFLOP/s can be quoted as a fraction.
//
// Run: build/release/bench/bench_mlp --benchmark_repetitions=3
// --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "algorithms/ml/dataset.h"
#include "algorithms/ml/mlp.h"
#include "algorithms/ml/optimizer.h"
#include "sim/random.h"

namespace {

ml::MlpSpec fashion_spec() { return ml::MlpSpec{{784, 128, 10}, ml::Activation::relu}; }

ml::Dataset random_dataset(std::int64_t samples, int features, int classes, std::uint64_t seed) {
  sim::RandomStream rng(seed);
  ml::Dataset d;
  d.num_classes = classes;
  d.features.resize(samples, features);
  for (Eigen::Index i = 0; i < d.features.size(); ++i) d.features.data()[i] = rng.uniform_float();
  d.labels.resize(static_cast<std::size_t>(samples));
  for (auto& label : d.labels) label = static_cast<std::int32_t>(rng.below(classes));
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
  // FLOPs the step really executes: the nominal count less the first layer's
  // dX (2 * 784 * 128 per sample), which the step skips.
  const double executed = mlp.train_flops_per_sample() - 2.0 * 784 * 128;
  state.counters["executed_flops"] =
      benchmark::Counter(samples * executed, benchmark::Counter::kIsRate);
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

// c = a * b on square float matrices, one thread (Eigen is built without
// OpenMP): 2 n^3 FLOPs per product. Large n is the peak the MLP is compared to.
void BM_EigenSgemm(benchmark::State& state) {
  const auto n = static_cast<Eigen::Index>(state.range(0));
  const Eigen::MatrixXf a = Eigen::MatrixXf::Random(n, n);
  const Eigen::MatrixXf b = Eigen::MatrixXf::Random(n, n);
  Eigen::MatrixXf c(n, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  const double flops =
      2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
  state.counters["flops"] = benchmark::Counter(static_cast<double>(state.iterations()) * flops,
                                               benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EigenSgemm)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
