#include "algorithms/ml/synthetic.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/random.h"

namespace ml {

namespace {

// Separate streams, so changing the sample count keeps the centres, and the
// labels do not depend on the features.
std::uint64_t centre_seed(std::uint64_t seed) { return sim::derive_seed(seed, 0); }
std::uint64_t label_seed(std::uint64_t seed) { return sim::derive_seed(seed, 1); }
std::uint64_t noise_seed(std::uint64_t seed) { return sim::derive_seed(seed, 2); }

void check_spec(const SyntheticSpec& spec) {
  if (spec.samples < 1 || spec.samples > std::numeric_limits<std::int32_t>::max()) {
    throw std::invalid_argument("synthetic: samples must be in [1, 2^31)");
  }
  if (spec.features < 1) throw std::invalid_argument("synthetic: features must be >= 1");
  if (spec.classes < 2) throw std::invalid_argument("synthetic: classes must be >= 2");
  if (!(spec.noise >= 0.0f) || !std::isfinite(spec.noise)) {
    throw std::invalid_argument("synthetic: noise must be finite and >= 0");
  }
  if (!(spec.separation >= 0.0f) || !std::isfinite(spec.separation)) {
    throw std::invalid_argument("synthetic: separation must be finite and >= 0");
  }
}

}  // namespace

Dataset make_synthetic_labels(const SyntheticSpec& spec, std::uint64_t seed) {
  check_spec(spec);
  sim::RandomStream label_rng(label_seed(seed));
  Dataset d;
  d.num_classes = spec.classes;
  d.labels.resize(static_cast<std::size_t>(spec.samples));
  for (std::size_t i = 0; i < d.labels.size(); ++i) {
    d.labels[i] = static_cast<std::int32_t>(i % static_cast<std::size_t>(spec.classes));
  }
  label_rng.shuffle(std::span<std::int32_t>(d.labels));
  d.features.resize(0, spec.features);
  return d;
}

Dataset make_synthetic(const SyntheticSpec& spec, std::uint64_t seed) {
  Dataset d = make_synthetic_labels(spec, seed);
  sim::RandomStream centre_rng(centre_seed(seed));
  sim::RandomStream noise_rng(noise_seed(seed));

  RowMatrix centres(spec.classes, spec.features);
  for (int c = 0; c < spec.classes; ++c) {
    double norm2 = 0.0;
    for (int f = 0; f < spec.features; ++f) {
      const double v = centre_rng.normal();
      centres(c, f) = static_cast<float>(v);
      norm2 += v * v;
    }
    // A zero draw has probability zero; guard anyway so the result is finite.
    const double scale = norm2 > 0.0 ? spec.separation / std::sqrt(norm2) : 0.0;
    centres.row(c) *= static_cast<float>(scale);
  }

  d.features.resize(spec.samples, spec.features);
  for (std::int64_t i = 0; i < spec.samples; ++i) {
    const std::int32_t label = d.labels[static_cast<std::size_t>(i)];
    for (int f = 0; f < spec.features; ++f) {
      d.features(i, f) = centres(label, f) + static_cast<float>(spec.noise * noise_rng.normal());
    }
  }
  return d;
}

}  // namespace ml
