// Loads the services that run beside the algorithm: `clock_sync` and
// `failure_detector`, each anchored on a cluster group of one node.
#include "app/scenario_sections.h"
#include "app/schema.h"

namespace app::section {
namespace {

// The name of a cluster group of one node, at `key`, that other nodes talk
// to (`what`: "clock server", "monitor"): errors name the key.
std::string lone_node_group(const ConfigNode& node, const std::string& key,
                            const std::vector<NodeGroup>& groups, const std::string& what,
                            const std::string& service) {
  const ConfigNode at = node.child(key);
  const std::string name = at.as_string();
  std::vector<std::string> names;
  const NodeGroup* found = nullptr;
  for (const NodeGroup& g : groups) {
    names.push_back(g.name);
    if (g.name == name) found = &g;
  }
  if (found == nullptr) {
    const std::string hint = did_you_mean(name, names);
    at.fail("no cluster group '" + name + "'" +
            (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  }
  if (found->count != 1) at.fail("the " + what + " must be a group of one node");
  if (groups.size() == 1) at.fail(service + " needs at least one node besides the " + what);
  return name;
}

}  // namespace

ClockSyncSpec load_clock_sync(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  node.check_keys(schema::keys("clock_sync"));
  ClockSyncSpec spec;
  spec.server = lone_node_group(node, "server", groups, "clock server", "clock sync");
  spec.interval = node.get_duration("interval", spec.interval);
  if (node.has("interval"))
    node.child("interval").require(spec.interval > 0, "interval must be > 0");
  if (node.has("packet_bytes")) spec.packet_bytes = node.child("packet_bytes").as_bytes();
  if (auto c = node.optional_child("correction")) {
    const std::string kind = c->as_string();
    if (kind != "step" && kind != "slew") {
      c->fail("unknown correction '" + kind + "' (expected step or slew)");
    }
    spec.slew = kind == "slew";
  }
  if (auto r = node.optional_child("slew_rate_ppm")) {
    if (!spec.slew) r->fail("slew_rate_ppm is used only by 'correction: slew'");
    spec.slew_rate_ppm = r->as_double();
    r->require(spec.slew_rate_ppm > 0 && spec.slew_rate_ppm < 1e6,
               "slew_rate_ppm must be in (0, 1000000)");
  }
  return spec;
}

FailureDetectorSpec load_failure_detector(const ConfigNode& node,
                                          const std::vector<NodeGroup>& groups) {
  node.check_keys(schema::keys("failure_detector"));
  FailureDetectorSpec spec;
  spec.monitor = lone_node_group(node, "monitor", groups, "monitor", "a failure detector");
  spec.interval = node.get_duration("interval", spec.interval);
  if (node.has("interval"))
    node.child("interval").require(spec.interval > 0, "interval must be > 0");
  if (auto k = node.optional_child("suspect_after")) {
    spec.suspect_after = static_cast<int>(k->as_int_in(1, 1'000'000));
  }
  if (auto since = node.optional_child("since")) {
    const std::string kind = since->as_string();
    if (kind != "arrival" && kind != "sent") {
      since->fail("unknown 'since' '" + kind + "' (expected arrival or sent)");
    }
    spec.since_sent = kind == "sent";
  }
  if (node.has("packet_bytes")) spec.packet_bytes = node.child("packet_bytes").as_bytes();
  return spec;
}

}  // namespace app::section
