// Fault schedules and update-accounting checks shared by the fault tests of
// every algorithm family.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>

#include "algorithms/runtime/algorithm.h"
#include "algorithms/services/fault_injector.h"
#include "algorithms/runtime/monitor.h"
#include "topology/topology.h"

namespace fault_helpers {

// `host` crashes (or is cut off from every other node) at `at` for
// `duration`; a duration of 0 means for good.
inline algo::Fault host_fault(algo::Fault::Kind kind, topology::NodeId host, sim::Time at,
                              sim::Time duration) {
  algo::Fault f;
  f.kind = kind;
  f.hosts = {host};
  f.at = at;
  f.duration = duration;
  return f;
}
inline algo::Fault crash(topology::NodeId host, sim::Time at, sim::Time duration) {
  return host_fault(algo::Fault::Kind::crash, host, at, duration);
}
inline algo::Fault partition(topology::NodeId host, sim::Time at, sim::Time duration) {
  return host_fault(algo::Fault::Kind::partition, host, at, duration);
}

// Updates dropped for `reason` (0 if none were).
inline std::int64_t dropped(const algo::RunTotals& t, const char* reason) {
  const auto it = t.dropped_by_reason.find(reason);
  return it == t.dropped_by_reason.end() ? 0 : it->second;
}

// The drops by reason add up, and produced = applied + dropped + lost +
// outstanding, with the algorithm's own count of what is outstanding.
inline void check_accounting(const algo::Algorithm& algorithm, const algo::RunTotals& t) {
  std::int64_t by_reason = 0;
  for (const auto& [reason, count] : t.dropped_by_reason) by_reason += count;
  CHECK(by_reason == t.updates_dropped);
  REQUIRE(algorithm.updates_outstanding().has_value());
  CHECK(*algorithm.updates_outstanding() >= 0);
  CHECK(t.updates_produced ==
        t.updates_applied + t.updates_dropped + t.updates_lost + *algorithm.updates_outstanding());
}

}  // namespace fault_helpers
