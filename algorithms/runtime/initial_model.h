// The model every algorithm starts from, drawn from the scenario's seed
// (training_seeds.h) so that two algorithms on one scenario start alike.
//
// With math: none (RunContext::timing_only) nothing holds parameters: the
// initial model is an empty vector and only its size, model_size(), matters
// (message sizes, update FLOPs). So no node of a timing-only run keeps a
// parameter-sized buffer, and its memory does not grow with the model.
#pragma once

#include <cstdint>

#include "algorithms/ml/types.h"
#include "algorithms/runtime/algorithm.h"

namespace algo {

// The number of parameters of ctx.model.
std::int64_t model_size(const RunContext& ctx);

// The seeded initial parameters (model_size() of them), or an empty vector
// with math: none.
ml::Vector initial_parameters(const RunContext& ctx);

}  // namespace algo
