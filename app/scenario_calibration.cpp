// Loads the calibration keys of the `topology` section (bandwidth_efficiency,
// message_overhead) and checks them against the links they scale.
#include <algorithm>
#include <cstdio>
#include <string>

#include "app/scenario_sections.h"
#include "app/units.h"
#include "topology/builders.h"

namespace app::section {
namespace {

constexpr double kMinBandwidth = 125.0;  // bytes per second: 1 kbit/s, as for every link
// Beyond a minute per message the fitted value is not a network's software
// path but a unit mistake (ms for us), and it would hide every other cost.
constexpr sim::Time kMaxMessageOverhead = 60'000'000'000;

// The nominal bandwidth of every link the topology builds: the section's own
// host links (and a tree's uplinks), the groups' own links, explicit links.
double slowest_link(const Scenario& s) {
  const TopologySpec& t = s.topology;
  double slowest = t.link.bandwidth_bytes_per_s > 0 ? t.link.bandwidth_bytes_per_s : 0.0;
  const auto take = [&slowest](double bandwidth) {
    if (bandwidth > 0) slowest = slowest > 0 ? std::min(slowest, bandwidth) : bandwidth;
  };
  for (const NodeGroup& g : s.groups) {
    if (g.link) take(g.link->bandwidth_bytes_per_s);
  }
  for (const ExplicitLink& l : t.links) take(l.params.bandwidth_bytes_per_s);
  if (t.kind == "tree") {
    topology::TreeParams p;
    p.hosts_per_rack = t.hosts_per_rack;
    p.host_link = t.link;
    p.oversubscription = t.oversubscription;
    p.uplink_bandwidth = t.uplink_bandwidth;
    take(topology::tree_uplink_bandwidth(p));
  }
  return slowest;
}

}  // namespace

void load_calibration(const ConfigNode& topo, TopologySpec& spec) {
  if (auto e = topo.optional_child("bandwidth_efficiency")) {
    const double efficiency = e->as_double_in(0.0, 1.0);
    e->require(efficiency > 0,
               "bandwidth_efficiency is the share of the bandwidth a transfer gets: it must be "
               "greater than 0");
    spec.calibration.bandwidth_efficiency = efficiency;
  }
  if (auto o = topo.optional_child("message_overhead")) {
    const sim::Time overhead = o->as_duration();
    o->require(
        overhead <= kMaxMessageOverhead,
        "message_overhead must be at most 1min per message, got " + sim::format_time(overhead));
    spec.calibration.message_overhead = overhead;
  }
}

void check_calibration(const ConfigNode& topo, const Scenario& s) {
  const double efficiency = s.topology.calibration.bandwidth_efficiency;
  if (efficiency == 1.0) return;
  const double slowest = slowest_link(s);
  if (slowest * efficiency >= kMinBandwidth) return;
  char text[64];
  std::snprintf(text, sizeof text, "bandwidth_efficiency %g", efficiency);
  topo.child("bandwidth_efficiency")
      .fail(std::string(text) + " leaves the slowest link (" + format_bandwidth(slowest) + ") " +
            format_bandwidth(slowest * efficiency) +
            ", under 1kbps (a slower link outlasts simulated time)");
}

}  // namespace app::section
