#include "topology/link_usage.h"

#include <algorithm>
#include <stdexcept>

namespace topology {

LinkUsage::LinkUsage(int channels, sim::Time width) : width_(width) {
  if (channels < 0 || width <= 0) {
    throw std::invalid_argument("LinkUsage needs channels >= 0 and a bucket width > 0");
  }
  buckets_.resize(static_cast<std::size_t>(channels));
}

void LinkUsage::carry(int channel, sim::Time from, sim::Time to, double rate) {
  std::vector<Bucket>& series = buckets_.at(static_cast<std::size_t>(channel));
  // Split [from, to) at bucket edges; each piece carries rate x its length.
  for (sim::Time start = from; start < to;) {
    const auto k = static_cast<std::size_t>(start / width_);
    const sim::Time end = std::min(to, static_cast<sim::Time>(k + 1) * width_);
    if (series.size() <= k) series.resize(k + 1);
    series[k].bytes += rate * sim::to_seconds(end - start);
    if (rate > 0) series[k].busy += end - start;
    start = end;
  }
}

const std::vector<LinkUsage::Bucket>& LinkUsage::buckets(int channel) const {
  return buckets_.at(static_cast<std::size_t>(channel));
}

double LinkUsage::total_bytes(int channel) const {
  double sum = 0.0;
  for (const Bucket& b : buckets(channel)) sum += b.bytes;
  return sum;
}

}  // namespace topology
