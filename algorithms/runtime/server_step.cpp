#include "algorithms/runtime/server_step.h"

#include <atomic>
#include <cassert>
#include <cstring>

#include "algorithms/runtime/weighted_sum.h"

namespace algo {

void server_step(MathPool* pool, ml::Optimizer& optimizer, ml::Vector& params,
                 const ml::Vector& grad, std::span<float* const> copies,
                 std::vector<MathPool::Job>& jobs) {
  optimizer.begin_step(params, grad);
  run_ranges(pool, params.size(), kWeightedSumRange, jobs,
             [&](std::int64_t offset, std::int64_t size) {
               optimizer.step_range(params, grad, offset, size);
               const float* from = params.data() + offset;
               for (float* copy : copies) {
                 std::memcpy(copy + offset, from, static_cast<std::size_t>(size) * sizeof(float));
               }
             });
}

std::shared_ptr<ml::Vector> SnapshotBuffers::acquire(Eigen::Index size) {
  for (std::shared_ptr<ml::Vector>& buffer : kept_) {
    if (buffer.use_count() != 1 || buffer->size() != size) continue;
    // The last holder let go on another thread (a worker's job loading the
    // snapshot): its reads happen before its release of the count, which
    // this fence orders before our writes.
    std::atomic_thread_fence(std::memory_order_acquire);
    return buffer;
  }
  auto fresh = std::make_shared<ml::Vector>(size);
  if (kept_.size() < kKept) kept_.push_back(fresh);
  return fresh;
}

}  // namespace algo
