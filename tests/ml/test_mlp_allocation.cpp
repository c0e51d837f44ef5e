// Checks the "no heap allocation per step once warmed up" contract of
// Mlp::loss_and_gradient and Optimizer::step by counting malloc calls.
//
// Counting works by interposing malloc/calloc/realloc in this executable and
// forwarding to glibc's __libc_* entry points (operator new and Eigen's
// aligned allocator both end in malloc). Only on glibc, and not under
// AddressSanitizer, which owns malloc itself; elsewhere the test is skipped.
#include <catch2/catch.hpp>
#include <cstddef>
#include <vector>

#include "algorithms/ml/mlp.h"
#include "algorithms/ml/optimizer.h"
#include "sim/random.h"

#if defined(__SANITIZE_ADDRESS__)
#define SYNCSIM_ML_COUNT_MALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define SYNCSIM_ML_COUNT_MALLOC 0
#endif
#endif
#if !defined(SYNCSIM_ML_COUNT_MALLOC)
#if defined(__GLIBC__)
#define SYNCSIM_ML_COUNT_MALLOC 1
#else
#define SYNCSIM_ML_COUNT_MALLOC 0
#endif
#endif

#if SYNCSIM_ML_COUNT_MALLOC
namespace {
// Plain globals: the test runs on one thread, and they must be usable before
// any constructor runs (malloc is called during start-up).
long g_allocations = 0;
bool g_counting = false;
}  // namespace

extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);

void* malloc(std::size_t size) {
  if (g_counting) ++g_allocations;
  return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) {
  if (g_counting) ++g_allocations;
  return __libc_calloc(count, size);
}
void* realloc(void* pointer, std::size_t size) {
  if (g_counting) ++g_allocations;
  return __libc_realloc(pointer, size);
}
}

namespace {
template <typename F>
long allocations_during(F&& f) {
  g_allocations = 0;
  g_counting = true;
  f();
  g_counting = false;
  return g_allocations;
}
}  // namespace
#endif

TEST_CASE("a warmed-up training step does not allocate", "[ml][mlp][allocation]") {
#if !SYNCSIM_ML_COUNT_MALLOC
  WARN("malloc counting unavailable here (not glibc, or a sanitizer owns malloc)");
#else
  // Sanity check of the counter itself.
  REQUIRE(allocations_during([] {
            std::vector<int> v(1000);
            (void)v;
          }) >= 1);

  const int widths_case = GENERATE(0, 1);
  const std::vector<int> widths =
      widths_case == 0 ? std::vector<int>{784, 128, 10} : std::vector<int>{20, 64, 32, 4};
  const int batch = GENERATE(1, 32, 128);
  CAPTURE(widths_case, batch);
  ml::Mlp mlp(ml::MlpSpec{widths, ml::Activation::relu});
  mlp.initialize(1);
  sim::RandomStream rng(2);
  ml::RowMatrix x(batch, widths.front());
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform_float();
  std::vector<std::int32_t> y(static_cast<std::size_t>(batch));
  for (auto& label : y) label = static_cast<std::int32_t>(rng.below(widths.back()));

  auto sgd = ml::make_sgd({0.01f, 0.9f, 1e-4f, true});
  auto adam = ml::make_adam({});
  ml::Vector grad;
  auto step = [&] {
    mlp.loss_and_gradient(x, y, grad);
    sgd->step(mlp.parameters(), grad);
    adam->step(mlp.parameters(), grad);
  };
  step();  // warm-up: sizes the scratch, the gradient and the optimizer state
  CHECK(allocations_during(step) == 0);
  // A smaller batch (the short last batch of an epoch) reuses the buffers.
  const auto short_x = x.topRows((batch + 1) / 2);
  const std::span<const std::int32_t> short_y(y.data(), static_cast<std::size_t>(short_x.rows()));
  CHECK(allocations_during([&] { mlp.loss_and_gradient(short_x, short_y, grad); }) == 0);
#endif
}
