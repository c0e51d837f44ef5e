// What `syncsim calibrate` times on the testbed (docs/testbed.md): rounds of
// a ring shift among the hosts of one switch. In every round each of those
// hosts sends one message of S bytes to the next and receives one from the
// previous, all at once; a host starts its next round once it has received
// this round's message. That loads every host link in both directions, data
// one way and the acknowledgements of the other flow on the same queue, as
// a collective's phase does. A round's point is its median transfer: the
// model charges its overhead per message, and the slowest of m transfers
// adds the spread among them, which grows with m (the slowest of 8 fitted
// 3.2 ms per message on the 50 Mbit/s star, where the ring all-reduce
// showed none).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "app/testbed_plan.h"

namespace app::testbed {

// `members`: host ranks (two or more) of a plan over `hosts` hosts.
Plan shift_plan(int hosts, const std::vector<int>& members, const std::vector<std::int64_t>& sizes,
                int repeats);

// One (bytes, seconds) point per round of a shift_plan: the median
// send-to-delivery time of the round's messages.
std::vector<std::pair<double, double>> round_points(const Plan& plan, const OpTimes& times,
                                                    const std::vector<int>& members);

// One point per size: the median of that size's rounds (a round whose
// slowest transfer met a retransmission timeout does not pull the line), in
// increasing size.
std::vector<std::pair<double, double>> median_per_size(
    const std::vector<std::pair<double, double>>& points);

// The bandwidth efficiency that TCP/IP headers alone allow on a shaped veth
// link, as tbf counts it: every full segment carries kSegmentPayload bytes
// in a kFrameBytes frame (the Ethernet header counted, no FCS or preamble on
// a veth), and the same link direction also carries `acks_per_segment`
// acknowledgements of kAckBytes for the flow coming the other way.
constexpr double kSegmentPayload = 1448;  // MTU 1500 - IP 20 - TCP 20 - timestamps 12
constexpr double kFrameBytes = 1514;      // + Ethernet 14
constexpr double kAckBytes = 66;          // Ethernet 14 + IP 20 + TCP 20 + timestamps 12
double header_efficiency(double acks_per_segment);

}  // namespace app::testbed
