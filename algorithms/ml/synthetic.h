// A seeded synthetic classification set: Gaussian blobs, one per class.
// Class centres are random directions scaled to length `separation`; a point
// is its class centre plus N(0, noise^2) on every feature. With noise 1 the
// separation is measured in noise standard deviations, so 3 is easy and
// 1 is hard. Classes are balanced (sample counts differ by at most one) and
// shuffled. Everything is a pure function of (spec, seed).
#pragma once

#include <cstdint>

#include "algorithms/ml/dataset.h"

namespace ml {

struct SyntheticSpec {
  std::int64_t samples = 1000;
  int features = 20;
  int classes = 4;
  float noise = 1.0f;
  float separation = 3.0f;
};

// Throws std::invalid_argument unless samples >= 1 (and fits int32 indices),
// features >= 1, classes >= 2, noise >= 0, separation >= 0 (finite).
Dataset make_synthetic(const SyntheticSpec& spec, std::uint64_t seed);

// The labels make_synthetic(spec, seed) draws, the very same, without the
// features: a labels-only Dataset (features of 0 rows and spec.features
// columns, see Dataset) for timing-only runs, which read no feature. Drawing
// the features is most of make_synthetic's cost (a normal draw per value).
// Throws as make_synthetic does.
Dataset make_synthetic_labels(const SyntheticSpec& spec, std::uint64_t seed);

}  // namespace ml
