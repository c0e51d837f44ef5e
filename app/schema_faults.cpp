// The schema of `faults:` entries: one section per timed fault kind and one
// per random fault rate (app/fault_loader.cpp, app/random_faults.cpp).
#include "app/schema.h"

namespace app::schema {
namespace {

Key at_key() {
  return {"at", "duration", "", "required", ">= 0", "when the fault starts (simulated time)"};
}
Key for_key() { return {"for", "duration", "", "for good", ">= 0", "how long it lasts"}; }
Key nodes_key() {
  return {"nodes", "node, group or rack name(s)", "", "every node",
          "",      "the nodes that may be hit"};
}
Key links_key() {
  return {"links",
          "link(s)",
          "",
          "every link",
          "a node (all its links) or `[end, end]`, or a list",
          "the links that may be hit"};
}
Key until_key() {
  return {"until", "duration",
          "",      "stop.sim_time (then required)",
          "> 0",   "draw episodes up to this time"};
}
Key rate_key(const std::string& kind, const std::string& per) {
  return {kind + "_rate",
          "number",
          "per " + per + " per second",
          "required",
          "> 0; at most 100,000 expected episodes per entry",
          "Poisson rate of episodes"};
}
Key mean_key(const std::string& name) {
  return {name, "duration", "", "required", "> 0", "mean of the exponential episode length"};
}

}  // namespace

std::vector<Section> fault_sections() {
  const std::string targets =
      "a node (`worker3`), a group (`worker`) or a rack (`rack1`), or a list";
  const std::string link_targets = "`[end, end]`, or a node (all its links), or a list";
  return {
      {"faults.crash",
       "faults[i] (crash)",
       "A host crash, then a reboot after `for` (docs/faults.md).",
       {
           at_key(),
           for_key(),
           {"crash", "node, group or rack name(s)", "", "required", targets,
            "the hosts that crash"},
       }},
      {"faults.link_down",
       "faults[i] (link_down)",
       "",
       {
           at_key(),
           for_key(),
           {"link_down", "link(s)", "", "required", link_targets, "the links that go down"},
       }},
      {"faults.degrade",
       "faults[i] (degrade)",
       "",
       {
           at_key(),
           for_key(),
           {"degrade", "link(s)", "", "required", link_targets, "the links whose bandwidth drops"},
           {"factor", "number", "of the bandwidth", "required", "(0, 1]", "bandwidth multiplier"},
       }},
      {"faults.partition",
       "faults[i] (partition)",
       "",
       {
           at_key(),
           for_key(),
           {"partition", "node, group or rack name(s)", "", "required",
            targets + "; not every node", "the nodes cut off from the rest"},
       }},
      {"faults.straggle",
       "faults[i] (straggle)",
       "",
       {
           at_key(),
           for_key(),
           {"straggle", "node, group or rack name(s)", "", "required", targets,
            "the nodes that compute slower"},
           {"factor", "number", "of the compute time", "required", ">= 1",
            "compute time multiplier"},
       }},
      {"faults.link",
       "faults[i] (link with loss)",
       "",
       {
           {"link", "link(s)", "", "required", link_targets, "the lossy links"},
           {"loss", "number", "probability", "required", "0 .. 1",
            "each message lost with this probability"},
           {"at", "duration", "", "0", ">= 0", "from when"},
       }},
      {"faults.random",
       "faults[i] (random)",
       "",
       {
           {"random", "map", "", "required", "one *_rate key per entry",
            "seeded random episodes (sections below)"},
       }},
      {"faults.random.crash",
       "faults[i].random (crash_rate)",
       "",
       {
           rate_key("crash", "node"),
           mean_key("mean_downtime"),
           until_key(),
           nodes_key(),
       }},
      {"faults.random.link_down",
       "faults[i].random (link_down_rate)",
       "",
       {
           rate_key("link_down", "link"),
           mean_key("mean_downtime"),
           until_key(),
           links_key(),
       }},
      {"faults.random.degrade",
       "faults[i].random (degrade_rate)",
       "",
       {
           rate_key("degrade", "link"),
           mean_key("mean_duration"),
           until_key(),
           links_key(),
           {"factor", "number", "of the bandwidth", "required", "(0, 1]", "bandwidth multiplier"},
       }},
      {"faults.random.partition",
       "faults[i].random (partition_rate)",
       "",
       {
           {"partition_rate", "number", "per second", "required",
            "> 0; at most 100,000 expected episodes per entry",
            "Poisson rate of partitions (for the whole run)"},
           mean_key("mean_duration"),
           until_key(),
           nodes_key(),
           {"size", "integer", "nodes", "1", ">= 1, fewer than `nodes`",
            "nodes drawn from `nodes` and cut off together"},
       }},
      {"faults.random.straggle",
       "faults[i].random (straggle_rate)",
       "",
       {
           rate_key("straggle", "node"),
           mean_key("mean_duration"),
           until_key(),
           nodes_key(),
           {"factor", "number", "of the compute time", "required", ">= 1",
            "compute time multiplier"},
       }},
      {"faults.random.loss",
       "faults[i].random (loss_rate)",
       "",
       {
           rate_key("loss", "link"),
           mean_key("mean_duration"),
           until_key(),
           links_key(),
           {"probability", "number", "", "required", "(0, 1]",
            "each message lost with this probability"},
       }},
  };
}

}  // namespace app::schema
