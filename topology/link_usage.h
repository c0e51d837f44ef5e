// LinkUsage: how much each channel (one direction of a link) carried over
// time, in fixed-width buckets of simulated time. Opt-in (links.csv): a
// Network with one attached integrates its flows' rates between its own
// updates, so the bytes are exact for the flow model (a rate is constant
// between two updates), and costs nothing when none is attached.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/time.h"

namespace topology {

class LinkUsage {
 public:
  struct Bucket {
    double bytes = 0.0;  // drained through the channel during the bucket
    sim::Time busy = 0;  // time during the bucket with at least one flow draining through it
  };

  // REQUIRES: channels >= 0, width > 0 (std::invalid_argument otherwise).
  LinkUsage(int channels, sim::Time width);

  // Records that over [from, to) the channel's flows drained at `rate` bytes/s
  // in total (rate > 0 counts the whole interval as busy). Intervals of one
  // channel must not overlap. REQUIRES: 0 <= from <= to.
  void carry(int channel, sim::Time from, sim::Time to, double rate);

  sim::Time width() const { return width_; }
  int channels() const { return static_cast<int>(buckets_.size()); }
  // The channel's buckets from time 0; bucket k covers [k * width, (k + 1) * width).
  // Trailing buckets where nothing was carried may be missing.
  const std::vector<Bucket>& buckets(int channel) const;
  double total_bytes(int channel) const;

 private:
  sim::Time width_;
  std::vector<std::vector<Bucket>> buckets_;  // by channel
};

}  // namespace topology
