#include "algorithms/runtime/gradient_buckets.h"

#include <stdexcept>

namespace algo {

BucketPlan plan_buckets(const ml::LayerProfile& profile, const ml::DeviceModel& device,
                        double cap_bytes) {
  if (!(cap_bytes > 0)) throw std::invalid_argument("bucket cap must be greater than zero");
  if (profile.parameters() < 1) throw std::invalid_argument("the profile has no parameters");
  BucketPlan plan;
  for (const ml::ProfileLayer& l : profile.layers) {
    plan.forward_flops += device.effective(l.forward_flops, l.kind);
  }
  // The lowest layer with parameters: the last bucket closes there.
  std::size_t lowest = 0;
  while (profile.layers[lowest].parameters == 0) ++lowest;
  GradientBucket open;
  double pending = 0;  // backward FLOPs since the last ready point
  std::int64_t offset = 0;
  for (std::size_t i = profile.layers.size(); i-- > 0;) {
    const ml::ProfileLayer& l = profile.layers[i];
    pending += device.effective(l.backward_flops, l.kind);
    if (l.parameters == 0) continue;
    open.floats += l.parameters;
    if (4.0 * static_cast<double>(open.floats) >= cap_bytes || i == lowest) {
      open.offset = offset;
      open.backward_flops = pending;
      offset += open.floats;
      plan.buckets.push_back(open);
      open = GradientBucket{};
      pending = 0;
    }
  }
  plan.tail_flops = pending;
  return plan;
}

}  // namespace algo
