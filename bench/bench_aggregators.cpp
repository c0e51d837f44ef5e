// The server-side cost of each aggregation rule: combining n contributions
// of P parameters on one thread, n = 64 workers and P = 100,000 by default
// (Args: {n, P}). The weighted mean is the reference every robust rule is
// compared with in docs/robustness-and-privacy.md. Random values: only
// Krum's selection and the median's partial sort depend on them, weakly.
//
// Run: build/release/bench/bench_aggregators --benchmark_repetitions=3
// --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <functional>
#include <memory>
#include <vector>

#include "algorithms/robust/centered_clipping.h"
#include "algorithms/robust/coordinatewise.h"
#include "algorithms/robust/geometric_median.h"
#include "algorithms/robust/krum.h"
#include "algorithms/runtime/aggregator.h"
#include "sim/random.h"

namespace {

void run_rule(benchmark::State& state,
              const std::function<std::unique_ptr<algo::Aggregator>()>& make) {
  const auto n = static_cast<int>(state.range(0));
  const auto p = static_cast<Eigen::Index>(state.range(1));
  sim::RandomStream rng(1);
  std::vector<ml::Vector> vectors(static_cast<std::size_t>(n), ml::Vector(p));
  for (ml::Vector& v : vectors) {
    for (Eigen::Index j = 0; j < p; ++j) v[j] = static_cast<float>(rng.normal());
  }
  std::vector<algo::Contribution> in;
  for (int i = 0; i < n; ++i) in.push_back({i, &vectors[static_cast<std::size_t>(i)], 32});
  const algo::RunContext ctx;  // inline math, one thread
  ml::Vector out(p);
  std::unique_ptr<algo::Aggregator> rule = make();
  for (auto _ : state) {
    rule->aggregate(ctx, in, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["modelled_flops"] = rule->flops(p, n);
  state.SetBytesProcessed(state.iterations() * n * p * static_cast<std::int64_t>(sizeof(float)));
}

void BM_WeightedMean(benchmark::State& s) {
  run_rule(s, [] { return std::make_unique<algo::WeightedMean>(); });
}
void BM_Median(benchmark::State& s) {
  run_rule(s, [] { return std::make_unique<algo::CoordinateMedian>(); });
}
void BM_TrimmedMean(benchmark::State& s) {
  run_rule(s, [] { return std::make_unique<algo::TrimmedMean>(0.25); });
}
void BM_Krum(benchmark::State& s) {
  run_rule(s, [] { return std::make_unique<algo::Krum>(16, 1); });
}
void BM_MultiKrum(benchmark::State& s) {
  run_rule(s, [] { return std::make_unique<algo::Krum>(16, 32); });
}
void BM_GeometricMedian(benchmark::State& s) {
  run_rule(s, [] { return std::make_unique<algo::GeometricMedian>(10); });
}
void BM_CenteredClipping(benchmark::State& s) {
  run_rule(s, [] { return std::make_unique<algo::CenteredClipping>(1.0, 1); });
}

}  // namespace

#define SYNCSIM_RULE(bm) BENCHMARK(bm)->Args({64, 100'000})->Unit(benchmark::kMillisecond)
SYNCSIM_RULE(BM_WeightedMean);
SYNCSIM_RULE(BM_Median);
SYNCSIM_RULE(BM_TrimmedMean);
SYNCSIM_RULE(BM_Krum);
SYNCSIM_RULE(BM_MultiKrum);
SYNCSIM_RULE(BM_GeometricMedian);
SYNCSIM_RULE(BM_CenteredClipping);

BENCHMARK_MAIN();
