// One host of a testbed: the hidden `syncsim testbed-node PLAN RANK` mode,
// started by the testbed inside the host's network namespace
// (app/testbed_network.h). It replays its host's operations of the plan
// over TCP (app/testbed_plan.h) and reports when each happened.
//
// Conversation with the testbed, on standard input and output:
//   node -> "ready"      listening, connected to every host it sends to, and
//                        every host that sends to it has connected
//   testbed -> "go T0"   T0: CLOCK_MONOTONIC ns at which simulated time 0 is
//                        (one clock for every namespace of the machine)
//   node -> "t I NS"...  per op I, ns after T0 it started (receive: completed)
//   node -> "done"
//   testbed -> "quit"    (or end of input): close the connections, exit 0
// Any failure: a line on standard error, exit 1.
//
// On the wire every message is a 16-byte header (message number, payload
// size) followed by exactly the recorded payload size of zero bytes; one TCP
// connection per ordered pair of hosts that exchange messages.
#pragma once

#include <string>

namespace app::testbed {

constexpr int kNodePort = 47017;
// The TCP congestion control of every replay connection (testbed_node.cpp).
constexpr const char* kCongestionControl = "cubic";

// The address of host `rank` inside the testbed (10.77.0.0/16, which exists
// only in the testbed's namespaces).
std::string host_address(int rank);

int node_main(const std::string& plan_file, int rank);

}  // namespace app::testbed
