// topology::Calibration: two corrections that fit the flow-level model to
// measured transfer times, both off by default (so the model stays exact for
// the alpha-beta formulas).
//
//   * bandwidth_efficiency, in (0, 1]: the share of each link's bandwidth
//     that a transfer can use (what the protocol headers, acknowledgements and
//     the stack leave of the line rate). It scales every channel, host links
//     and switch uplinks alike, so a lone transfer drains at efficiency x the
//     route's bottleneck bandwidth.
//   * message_overhead, >= 0 ns: a fixed time added once to every message
//     that crosses the network (the sender's and receiver's software path:
//     system calls, copies, rendezvous handshakes), on top of its route
//     latency. It does not occupy any link and does not depend on rates, so
//     re-solving the sharing never adds it again.
//
// So a lone transfer of S bytes takes
//   message_overhead + route latency + S / (efficiency x bottleneck bandwidth),
// the alpha-beta form time = alpha + S / beta that measurements are fitted to
// (docs/calibration.md).
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/time.h"

namespace topology {

struct Calibration {
  double bandwidth_efficiency = 1.0;  // (0, 1]; 1: the links' full bandwidth
  sim::Time message_overhead = 0;     // ns per message; 0: none

  // Throws std::invalid_argument unless efficiency is in (0, 1] and the
  // overhead is >= 0.
  void check() const {
    if (!(std::isfinite(bandwidth_efficiency) && bandwidth_efficiency > 0 &&
          bandwidth_efficiency <= 1)) {
      throw std::invalid_argument("bandwidth efficiency must be in (0, 1], got " +
                                  std::to_string(bandwidth_efficiency));
    }
    if (message_overhead < 0) {
      throw std::invalid_argument("message overhead must be >= 0 ns, got " +
                                  std::to_string(message_overhead));
    }
  }
};

}  // namespace topology
