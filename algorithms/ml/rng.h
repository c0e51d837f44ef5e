// Transitional, to be deleted: ml::Rng is gone (issue 12, "one random
// generator"); the one generator is sim::RandomStream in sim/random.h, with
// the same seeding, the same numbers and every method ml::Rng had (bounded is
// now below). These two names keep algorithms/sync/fedavg.cpp and
// tests/sync/test_gossip.cpp, which another change is reworking, compiling
// until they include sim/random.h themselves. Include sim/random.h in new code.
#pragma once

#include "sim/random.h"

namespace ml {

using Rng = sim::RandomStream;
using sim::derive_seed;

}  // namespace ml
