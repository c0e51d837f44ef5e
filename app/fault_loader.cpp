#include "app/fault_loader.h"

#include "app/fault_names.h"
#include "app/random_faults.h"
#include "app/schema.h"

#include <algorithm>
#include <set>
#include <string>

#include "run/world.h"
#include "sim/random.h"
#include "topology/builders.h"

namespace app {
namespace {

using algo::Fault;

const std::vector<std::string> kKinds = {"crash",    "link_down", "degrade", "partition",
                                         "straggle", "link",      "random"};

sim::Time get_time(const ConfigNode& item, const std::string& key, sim::Time fallback) {
  if (!item.has(key)) return fallback;
  const sim::Time t = item.child(key).as_duration();
  item.child(key).require(t >= 0, key + " must be >= 0");
  return t;
}

}  // namespace

std::vector<algo::Fault> load_faults(const ConfigNode& node, const Scenario& s) {
  if (!node.is_sequence())
    node.fail("expected a list of faults, e.g. - {at: 2s, crash: worker1, for: 1s}");
  const topology::Topology topo = build_topology(s);
  Names names{&s, &topo, topology::rack_members(topo)};
  std::vector<Fault> faults;
  int partitions = 0;
  RandomEntries random_entries;
  random_entries.partitions = &partitions;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const ConfigNode item = node.at(i);
    if (!item.is_map()) item.fail("expected a fault: a map such as {at: 2s, crash: worker1}");
    std::vector<std::string> kinds;
    for (const std::string& k : item.keys()) {
      if (std::find(kKinds.begin(), kKinds.end(), k) != kKinds.end()) kinds.push_back(k);
    }
    if (kinds.size() != 1) {
      item.fail(
          "a fault needs exactly one of crash, link_down, degrade, partition, straggle, "
          "link (with loss) or random");
    }
    const std::string kind = kinds.front();
    if (kind == "random") {
      item.check_keys(schema::keys("faults.random"));
      load_random_faults(item.child("random"), s, names, random_entries, faults);
      continue;
    }
    Fault f;
    const ConfigNode target = item.child(kind);
    if (kind == "link") {
      item.check_keys(schema::keys("faults.link"));
      f.kind = Fault::Kind::loss;
      f.links = names.links_of(target);
      f.probability = item.child("loss").as_double_in(0.0, 1.0);
      f.at = get_time(item, "at", 0);
      faults.push_back(f);
      continue;
    }
    item.check_keys(schema::keys("faults." + kind));
    f.at = item.child("at").as_duration();
    item.child("at").require(f.at >= 0, "at must be >= 0");
    f.duration = get_time(item, "for", 0);
    if (kind == "crash" || kind == "partition" || kind == "straggle")
      f.hosts = names.hosts_of(target);
    if (kind == "link_down" || kind == "degrade") f.links = names.links_of(target);
    if (kind == "crash") f.kind = Fault::Kind::crash;
    if (kind == "link_down") f.kind = Fault::Kind::link_down;
    if (kind == "degrade") {
      f.kind = Fault::Kind::degrade;
      f.factor = item.child("factor").as_double();
      item.child("factor").require(f.factor > 0 && f.factor <= 1,
                                   "a degrade factor (of the bandwidth) must be in (0, 1]");
    }
    if (kind == "straggle") {
      f.kind = Fault::Kind::straggle;
      f.factor = item.child("factor").as_double();
      item.child("factor").require(f.factor >= 1,
                                   "a straggle factor (of the compute time) must be >= 1");
    }
    if (kind == "partition") {
      f.kind = Fault::Kind::partition;
      f.group = ++partitions;
      if (f.hosts.size() == static_cast<std::size_t>(topo.hosts().size())) {
        target.fail("a partition must leave some node outside it");
      }
    }
    faults.push_back(f);
  }
  return faults;
}

}  // namespace app
