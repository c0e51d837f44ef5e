// Gradient buckets, as PyTorch DDP forms them: the layers' gradients, taken
// in reverse layer order (the order the backward pass produces them), are
// packed into buckets of at least `cap` bytes (a bucket closes as soon as it
// reaches the cap, so it may exceed it by its last layer; the last bucket
// takes what is left). A bucket is ready when the backward pass has computed
// the gradient of its lowest parameterised layer; its all-reduce can start
// then, while the backward pass goes on below it.
//
// The plan is per sample, at the node's full FLOP/s (effective FLOPs: a
// layer's FLOPs / its kind's efficiency, ml::DeviceModel): multiply by the
// batch and time with the node's ComputeModel.
#pragma once

#include <cstdint>
#include <vector>

#include "algorithms/ml/profiles/layer_profile.h"

namespace algo {

struct GradientBucket {
  std::int64_t offset = 0;  // first float of the bucket in the gradient (buckets are contiguous)
  std::int64_t floats = 0;  // its parameters
  // Effective backward FLOPs per sample from the previous bucket's ready
  // point (the forward pass's end, for the first) to this one's.
  double backward_flops = 0;
};

struct BucketPlan {
  double forward_flops = 0;             // effective, per sample
  std::vector<GradientBucket> buckets;  // in the order they become ready
  // Effective backward FLOPs per sample after the last bucket is ready
  // (layers below the lowest parameterised one).
  double tail_flops = 0;
};

// REQUIRES: cap_bytes > 0 and the profile has a parameter (throws
// std::invalid_argument otherwise). Gradients are float32 (4 bytes).
BucketPlan plan_buckets(const ml::LayerProfile& profile, const ml::DeviceModel& device,
                        double cap_bytes);

}  // namespace algo
