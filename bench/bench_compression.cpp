// The cost of each compressor on the host: one encode() of an n-element
// float vector, which produces both the encoding's size and what the
// receiver decodes, so it is encoding and decoding together. Reported per
// MB of input (SetBytesProcessed: 4n bytes per call).
//   build/release/bench/bench_compression --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <memory>

#include "algorithms/runtime/quantizers.h"
#include "algorithms/runtime/sparsifiers.h"
#include "sim/random.h"

namespace {

ml::Vector gradient(std::int64_t n) {
  sim::RandomStream random(1);
  ml::Vector v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = static_cast<float>(random.normal());
  return v;
}

void run(benchmark::State& state, algo::Compressor& compressor) {
  const std::int64_t n = state.range(0);
  const ml::Vector g = gradient(n);
  compressor.seed(7);
  for (auto _ : state) {
    algo::Encoded encoded = compressor.encode(g);
    benchmark::DoNotOptimize(encoded.values.data());
  }
  state.SetBytesProcessed(state.iterations() * n * static_cast<std::int64_t>(sizeof(float)));
}

void BM_TopK(benchmark::State& state) {
  algo::TopK c(algo::KeepRule{0.01, 0}, true);
  run(state, c);
}
void BM_RandomK(benchmark::State& state) {
  algo::RandomK c(algo::KeepRule{0.01, 0}, true);
  run(state, c);
}
void BM_Qsgd(benchmark::State& state) {
  algo::Qsgd c(15, false);
  run(state, c);
}
void BM_ScaledSign(benchmark::State& state) {
  algo::ScaledSign c(true);
  run(state, c);
}

}  // namespace

BENCHMARK(BM_TopK)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_RandomK)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_Qsgd)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_ScaledSign)->Arg(100'000)->Arg(1'000'000);

BENCHMARK_MAIN();
