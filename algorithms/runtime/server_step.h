// A server's optimizer step on the math pool, and the buffers its parameter
// snapshots live in.
//
// server_step() cuts the step into the fixed ranges of weighted_sum.h
// (kWeightedSumRange elements, the same for every thread count), each range a
// job that steps its elements (ml::Optimizer::step_range: bit for bit the
// serial step) and copies them on to where the server keeps the new values
// (its global model, the snapshot it answers workers with), so the model is
// read once while hot instead of once per copy.
//
// SnapshotBuffers recycles the buffers of those snapshots: a snapshot is
// shared by every message and worker that received it, and once all of them
// have let go its buffer takes the next version, so a steady run neither
// allocates nor page-faults a model-sized buffer per version. Which buffer a
// version lands in depends on host timing (when a worker's job let go); what
// it holds does not, so no output depends on it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "algorithms/ml/optimizer.h"
#include "algorithms/ml/types.h"
#include "algorithms/runtime/math_pool.h"

namespace algo {

// optimizer.step(params, grad), then each of `copies` (each pointing to
// params.size() floats, none overlapping params or grad) receives the new
// params. Runs on `pool` (null: here) and joins every job before returning;
// `jobs` is scratch, kept to reuse its storage.
void server_step(MathPool* pool, ml::Optimizer& optimizer, ml::Vector& params,
                 const ml::Vector& grad, std::span<float* const> copies,
                 std::vector<MathPool::Job>& jobs);

class SnapshotBuffers {
 public:
  // Buffers kept for reuse; a run that holds more snapshots at once (an
  // asynchronous server with slow workers) allocates the rest.
  static constexpr std::size_t kKept = 4;

  // A buffer of `size` floats that nobody else holds, contents unspecified:
  // a kept one all of whose holders have let go, else a new one. Called on
  // the simulation thread; holders may let go on any thread.
  std::shared_ptr<ml::Vector> acquire(Eigen::Index size);

 private:
  std::vector<std::shared_ptr<ml::Vector>> kept_;  // at most kKept
};

}  // namespace algo
