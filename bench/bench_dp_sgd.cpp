// The cost of DP-SGD's per-example clipping: a plain gradient step against
// Mlp::loss_and_clipped_gradient (per-example norms from activations and
// deltas, rows scaled, the same products), and the whole DP-SGD gradient
// with its Gaussian noise (one draw per parameter), on the same batch and
// the 784-128-10 ReLU network of the Fashion-MNIST scenarios, one thread,
// in one run. The ratio of the times is quoted in docs/performance.md.
//
// Run: build/release/bench/bench_dp_sgd --benchmark_repetitions=3
// --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "algorithms/ml/mlp.h"
#include "algorithms/runtime/dp_sgd_objective.h"
#include "sim/random.h"

namespace {

struct Batch {
  ml::RowMatrix x;
  std::vector<std::int32_t> y;
};

Batch random_batch(int rows) {
  sim::RandomStream rng(2);
  Batch b{ml::RowMatrix(rows, 784), {}};
  for (Eigen::Index i = 0; i < b.x.size(); ++i) b.x.data()[i] = rng.uniform_float();
  for (int r = 0; r < rows; ++r) b.y.push_back(static_cast<std::int32_t>(rng.below(10)));
  return b;
}

ml::Mlp fashion_mlp() {
  ml::Mlp mlp(ml::MlpSpec{{784, 128, 10}, ml::Activation::relu});
  mlp.initialize(1);
  return mlp;
}

void BM_PlainGradient(benchmark::State& state) {
  const Batch b = random_batch(static_cast<int>(state.range(0)));
  ml::Mlp mlp = fashion_mlp();
  ml::Vector grad;
  for (auto _ : state) benchmark::DoNotOptimize(mlp.loss_and_gradient(b.x, b.y, grad));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PlainGradient)->Arg(32)->Arg(128)->Unit(benchmark::kMicrosecond);

void BM_ClippedGradient(benchmark::State& state) {
  const Batch b = random_batch(static_cast<int>(state.range(0)));
  ml::Mlp mlp = fashion_mlp();
  ml::Vector grad;
  std::vector<double> norms;
  for (auto _ : state) {
    benchmark::DoNotOptimize(mlp.loss_and_clipped_gradient(b.x, b.y, 1.0, grad, norms));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ClippedGradient)->Arg(32)->Arg(128)->Unit(benchmark::kMicrosecond);

void BM_DpSgdGradient(benchmark::State& state) {
  const Batch b = random_batch(static_cast<int>(state.range(0)));
  ml::Mlp mlp = fashion_mlp();
  algo::DpSgdObjective dp(1.0, 1.0, 3);
  ml::Vector grad;
  for (auto _ : state) benchmark::DoNotOptimize(dp.loss_and_gradient(mlp, b.x, b.y, grad));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_DpSgdGradient)->Arg(32)->Arg(128)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
