// What an algorithm needs to know of the model it trains, whether it is the
// scenario's MLP (real math) or a layer profile (math: none): its parameter
// count, its initial parameters, and the simulated compute of a step.
#pragma once

#include <cstdint>

#include "algorithms/ml/types.h"
#include "algorithms/runtime/algorithm.h"

namespace algo {

// P: the MLP's parameters, or the profile's.
std::int64_t model_parameters(const RunContext& ctx);

// The initial global model: the MLP initialised from the scenario's seed,
// or with math: none (RunContext::timing_only, always so for a profile) an
// empty vector: only its size, model_parameters(), matters (message sizes,
// update FLOPs), so no node of a timing-only run keeps a parameter-sized
// buffer and its memory does not grow with the model.
ml::Vector initial_parameters(const RunContext& ctx);

// The simulated FLOPs of one sample's forward and backward pass, at the
// node's full FLOP/s: the MLP's count, or for a profile the sum over its
// layers of (forward + backward) / the device's efficiency for the layer's
// kind (ml::DeviceModel::effective).
double step_flops_per_sample(const RunContext& ctx);

// The framework overhead of one step (profiles only; 0 otherwise) as FLOPs
// at `node`'s FLOP/s, so it is timed, and slowed by stragglers, like the
// step it belongs to.
double step_overhead_flops(const RunContext& ctx, const Node& node);

}  // namespace algo
