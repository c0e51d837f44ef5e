// The communication schedule a testbed replays (docs/testbed.md): what every
// node of a recorded simulation did, in the order it did it, reduced to three
// operations a real process can repeat on a real network.
//
//   compute  sleep for the simulated compute time of a phase
//   send     put a message of exactly the recorded size on the wire
//   receive  wait until a given message has arrived in full
//
// A node's operations are its recorded events in simulated-time order, with
// a delivery at time t before a send at t, so a replaying node sends only
// after it has received every message delivered to it earlier in simulated
// time: the happens-before order of the recorded run.
//
// Steps: a compute phase is a run of compute operations with no message in
// between; step k of the run starts at the earliest start of any node's k-th
// compute phase (step 1 at time 0) and ends where step k+1 starts, the last
// at the last delivery. The same rule cuts the simulated times (prediction)
// and the measured ones, so the two are compared step by step.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "run/result.h"
#include "sim/time.h"

namespace app::testbed {

struct Op {
  enum class Kind { compute, send, receive };
  Kind kind = Kind::compute;
  sim::Time sim_time = 0;     // when it starts in the recorded run (receive: delivery)
  sim::Time duration = 0;     // compute only
  std::uint64_t message = 0;  // send/receive: the recorded message number
  int peer = -1;              // send: receiver; receive: sender
  std::int64_t bytes = 0;     // send/receive: payload size
};

struct Plan {
  int hosts = 0;
  std::vector<std::vector<Op>> ops;  // per host id, in replay order
  sim::Time end = 0;                 // the last delivery (or compute end) of the run
};

// The schedule of one recorded algorithm run (RunResult::messages and spans,
// so the run must record them). Messages a node sends to itself never leave
// it and are left out, and so are messages never delivered (in flight at the
// end).
Plan plan_of(const syncsim::RunResult& run);

// Per op of every host, the time it started (compute, send) or completed
// (receive): simulated, or measured on the testbed in ns from the start.
using OpTimes = std::vector<std::vector<sim::Time>>;
OpTimes simulated_times(const Plan& plan);

// The step boundaries (see above): steps()+1 times, first 0, last the end.
std::vector<sim::Time> step_bounds(const Plan& plan, const OpTimes& times);

// A plan as text for the node processes, and back. read_plan throws
// std::runtime_error on text it did not write.
void write_plan(std::ostream& out, const Plan& plan);
Plan read_plan(std::istream& in);

// How many bytes and messages a plan moves, to refuse the unreasonable.
std::int64_t total_bytes(const Plan& plan);
std::int64_t total_messages(const Plan& plan);

}  // namespace app::testbed
