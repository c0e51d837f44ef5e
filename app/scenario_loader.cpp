#include "app/scenario_loader.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "algorithms/ml/idx_reader.h"
#include "app/algorithm_registry.h"
#include "app/expectation_loader.h"
#include "app/fault_loader.h"
#include "app/units.h"

namespace app {
namespace {

// The math is float32: a value beyond float's range would become inf (or, as
// a C++ conversion, undefined behaviour), so it is an error at its key.
float as_float_in(const ConfigNode& node, double min) {
  return static_cast<float>(node.as_double_in(min, std::numeric_limits<float>::max()));
}

SourceLocation location(const ConfigNode& node, const std::string& path) {
  return SourceLocation{node.file(), node.line(), node.column(), path};
}

std::string trim(std::string_view s) {
  const auto begin = s.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  const auto end = s.find_last_not_of(" \t");
  return std::string(s.substr(begin, end - begin + 1));
}

topology::LinkParams load_link(const ConfigNode& node);

ClockSpec load_clock(const ConfigNode& node) {
  node.check_keys({"drift_ppm", "offset", "drift_walk_ppm"});
  ClockSpec spec;
  if (auto d = node.optional_child("drift_ppm")) {
    spec.drift_ppm = parse_distribution(*d);
    // A normal draw is unbounded, but beyond +-1e5 ppm (10%) it is not a crystal.
    if (spec.drift_ppm.kind == sim::Distribution::Kind::constant ||
        spec.drift_ppm.kind == sim::Distribution::Kind::uniform) {
      d->require(std::abs(spec.drift_ppm.a) <= 1e5 && std::abs(spec.drift_ppm.b) <= 1e5,
                 "drift_ppm must stay within +-100000 ppm");
    }
  }
  if (auto o = node.optional_child("offset")) {
    spec.offset_s = parse_distribution(*o, DistributionUnit::duration);
  }
  if (auto w = node.optional_child("drift_walk_ppm")) spec.drift_walk_ppm = w->as_double_in(0.0, 1e5);
  return spec;
}

std::vector<NodeGroup> load_cluster(const ConfigNode& cluster) {
  std::vector<NodeGroup> groups;
  std::set<std::string> node_names_seen;
  for (const std::string& key : cluster.keys()) {
    const ConfigNode g = cluster.child(key);
    g.check_keys({"count", "flops", "straggler", "link", "clock"});
    NodeGroup group;
    group.name = key;
    for (char c : key) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
        g.fail("group names may use letters, digits, '_' and '-' only");
      }
    }
    // Range-checked as int64 before narrowing: 4294967297 must not become 1.
    if (g.has("count")) {
      const std::int64_t count = g.child("count").as_int();
      g.child("count").require(count >= 1 && count <= 1'000'000,
                               "count must be between 1 and 1000000");
      group.count = static_cast<int>(count);
    }
    const ConfigNode flops = g.child("flops");
    group.flop_rate = flops.as_flop_rate();
    flops.require(group.flop_rate > 0, "flops must be greater than zero");
    if (auto s = g.optional_child("straggler")) {
      group.straggler = parse_distribution(*s);
      s->require(group.straggler.always_positive(),
                 "a straggler factor must always be > 0: use a constant, uniform(a, b) with a > 0, "
                 "or lognormal(mu, sigma)");
    }
    if (auto link = g.optional_child("link")) {
      link->check_keys({"bandwidth", "latency"});
      group.link = load_link(*link);
    }
    if (auto clock = g.optional_child("clock")) group.clock = load_clock(*clock);
    for (const std::string& name : node_names(group)) {
      if (!node_names_seen.insert(name).second) {
        g.fail("node name '" + name + "' is produced by two groups");
      }
    }
    groups.push_back(group);
  }
  if (groups.empty()) cluster.fail("the cluster needs at least one node group");
  return groups;
}

topology::LinkParams load_link(const ConfigNode& node) {
  topology::LinkParams link;
  const ConfigNode bw = node.child("bandwidth");
  link.bandwidth_bytes_per_s = bw.as_bandwidth();
  bw.require(link.bandwidth_bytes_per_s > 0, "bandwidth must be greater than zero");
  link.latency = node.get_duration("latency", 0);
  return link;
}

TopologySpec load_topology(const ConfigNode& node) {
  TopologySpec spec;
  const ConfigNode kind = node.child("kind");
  spec.kind = kind.as_string();
  if (spec.kind == "star" || spec.kind == "ring") {
    node.check_keys({"kind", "bandwidth", "latency"});
    spec.link = load_link(node);
  } else if (spec.kind == "tree") {
    node.check_keys(
        {"kind", "bandwidth", "latency", "hosts_per_rack", "uplink_latency", "oversubscription"});
    spec.link = load_link(node);
    spec.hosts_per_rack = static_cast<int>(node.child("hosts_per_rack").as_int_in(1, 1'000'000));
    spec.uplink_latency = node.get_duration("uplink_latency", spec.link.latency);
    if (auto o = node.optional_child("oversubscription")) {
      spec.oversubscription = o->as_double();
      o->require(spec.oversubscription > 0, "oversubscription must be greater than zero");
    }
  } else if (spec.kind == "explicit") {
    node.check_keys({"kind", "switches", "links"});
    if (auto switches = node.optional_child("switches")) {
      for (std::size_t i = 0; i < switches->size(); ++i) {
        spec.switches.push_back(switches->at(i).as_string());
      }
    }
    const ConfigNode links = node.child("links");
    if (!links.is_sequence() || links.size() == 0) links.fail("expected a list of links");
    for (std::size_t i = 0; i < links.size(); ++i) {
      const ConfigNode l = links.at(i);
      l.check_keys({"from", "to", "bandwidth", "latency"});
      spec.links.push_back({l.child("from").as_string(), l.child("to").as_string(), load_link(l)});
    }
  } else {
    kind.fail("unknown topology kind '" + spec.kind + "' (expected star, ring, tree or explicit)");
  }
  return spec;
}

DataSpec load_data(const ConfigNode& node) {
  node.check_keys({"dataset", "path", "train_samples", "test_samples", "partition", "alpha",
                   "shards_per_client", "samples", "features", "classes", "noise", "separation"});
  DataSpec spec;
  const ConfigNode dataset = node.child("dataset");
  spec.dataset = dataset.as_string();
  auto check_absent = [&](std::initializer_list<const char*> keys, const std::string& why) {
    for (const char* key : keys) {
      if (node.has(key)) node.child(key).fail("not used by " + why);
    }
  };
  if (spec.dataset == "fashion-mnist" || spec.dataset == "idx") {
    check_absent({"samples", "features", "classes", "noise", "separation"},
                 "dataset '" + spec.dataset + "' (those keys describe a synthetic set)");
    spec.path = node.get_string(
        "path", spec.dataset == "fashion-mnist" ? ml::kDefaultFashionMnistDir : std::string());
    if (spec.path.empty()) node.child("path").fail("dataset 'idx' needs a path");
  } else if (spec.dataset == "synthetic") {
    check_absent({"path"}, "the synthetic dataset");
    spec.synthetic.samples = node.get_int("samples", 2000);
    spec.synthetic.features = static_cast<int>(node.get_int("features", 20));
    spec.synthetic.classes = static_cast<int>(node.get_int("classes", 4));
    if (node.has("samples")) node.child("samples").as_int_in(2, 100'000'000);
    if (node.has("features")) node.child("features").as_int_in(1, 1'000'000);
    if (node.has("classes")) node.child("classes").as_int_in(2, 100'000);
    if (node.has("noise")) spec.synthetic.noise = as_float_in(node.child("noise"), 0.0);
    if (node.has("separation")) {
      spec.synthetic.separation = as_float_in(node.child("separation"), 0.0);
    }
    spec.synthetic_test_samples = std::max<std::int64_t>(1, spec.synthetic.samples / 5);
  } else {
    dataset.fail("unknown dataset '" + spec.dataset +
                 "' (expected fashion-mnist, idx or synthetic)");
  }
  if (node.has("train_samples")) spec.train_samples = node.child("train_samples").as_int_in(1);
  if (node.has("test_samples")) spec.test_samples = node.child("test_samples").as_int_in(1);
  if (spec.dataset == "synthetic" && spec.test_samples > 0) {
    spec.synthetic_test_samples = spec.test_samples;
  }
  if (auto p = node.optional_child("partition")) {
    spec.partition = p->as_string();
    if (spec.partition == "dirichlet") {
      spec.partition_spec.kind = ml::PartitionKind::dirichlet;
    } else if (spec.partition == "shards") {
      spec.partition_spec.kind = ml::PartitionKind::shards;
    } else if (spec.partition != "iid") {
      p->fail("unknown partition '" + spec.partition + "' (expected iid, dirichlet or shards)");
    }
  }
  if (auto a = node.optional_child("alpha")) {
    if (spec.partition_spec.kind != ml::PartitionKind::dirichlet) {
      a->fail("alpha is used only by 'partition: dirichlet'");
    }
    spec.partition_spec.alpha = a->as_double();
    a->require(spec.partition_spec.alpha > 0, "alpha must be greater than zero");
  }
  if (auto k = node.optional_child("shards_per_client")) {
    if (spec.partition_spec.kind != ml::PartitionKind::shards) {
      k->fail("shards_per_client is used only by 'partition: shards'");
    }
    spec.partition_spec.shards_per_part = static_cast<int>(k->as_int_in(1, 1'000'000));
  }
  return spec;
}

ml::MlpSpec load_model(const ConfigNode& node, SourceLocation& layers_at) {
  node.check_keys({"layers", "activation", "loss"});
  ml::MlpSpec spec;
  if (auto layers = node.optional_child("layers")) {
    layers_at = location(*layers, layers->path());
    if (!layers->is_sequence() || layers->size() < 2) {
      layers->fail("expected a list of at least two layer widths, e.g. [784, 128, 10]");
    }
    spec.widths.clear();
    double parameters = 0;
    for (std::size_t i = 0; i < layers->size(); ++i) {
      spec.widths.push_back(static_cast<int>(layers->at(i).as_int_in(1, 1'000'000)));
      if (i > 0) parameters += (spec.widths[i - 1] + 1.0) * spec.widths[i];
    }
    // Every node holds copies of the model; beyond this one copy alone is 4 GB.
    constexpr double kMaxParameters = 1e9;
    if (parameters > kMaxParameters) {
      layers->fail("the model would have " + std::to_string(static_cast<long long>(parameters)) +
                   " parameters; at most 1000000000 (4 GB per copy of the model)");
    }
  } else {
    layers_at = location(node, "model.layers (default [784, 128, 10])");
  }
  if (auto a = node.optional_child("activation")) {
    const std::string name = a->as_string();
    if (name == "relu")
      spec.activation = ml::Activation::relu;
    else if (name == "tanh")
      spec.activation = ml::Activation::tanh;
    else if (name == "sigmoid")
      spec.activation = ml::Activation::sigmoid;
    else
      a->fail("unknown activation '" + name + "' (expected relu, tanh or sigmoid)");
  }
  if (auto l = node.optional_child("loss")) {
    const std::string name = l->as_string();
    if (name == "cross_entropy")
      spec.loss = ml::LossKind::softmax_cross_entropy;
    else if (name == "mse")
      spec.loss = ml::LossKind::mse;
    else
      l->fail("unknown loss '" + name + "' (expected cross_entropy or mse)");
  }
  return spec;
}

OptimizerSpec load_optimizer(const ConfigNode& node) {
  OptimizerSpec spec;
  spec.kind = node.get_string("kind", "sgd");
  auto positive_lr = [&](double fallback) {
    if (!node.has("lr")) return fallback;
    const ConfigNode lr = node.child("lr");
    const double value = lr.as_double();
    lr.require(value > 0, "lr must be greater than zero");
    lr.require(value <= std::numeric_limits<float>::max(),
               "lr must be at most 3.4e38 (the math is float32)");
    return value;
  };
  if (spec.kind == "sgd") {
    node.check_keys({"kind", "lr", "momentum", "weight_decay", "nesterov"});
    spec.sgd.lr = static_cast<float>(positive_lr(spec.sgd.lr));
    if (node.has("momentum"))
      spec.sgd.momentum = static_cast<float>(node.child("momentum").as_double_in(0.0, 1.0));
    if (node.has("weight_decay"))
      spec.sgd.weight_decay = as_float_in(node.child("weight_decay"), 0.0);
    spec.sgd.nesterov = node.get_bool("nesterov", false);
    if (spec.sgd.nesterov && spec.sgd.momentum <= 0) {
      node.child("nesterov").fail("nesterov needs momentum > 0");
    }
  } else if (spec.kind == "adam") {
    node.check_keys({"kind", "lr", "beta1", "beta2", "eps", "weight_decay"});
    spec.adam.lr = static_cast<float>(positive_lr(spec.adam.lr));
    if (node.has("beta1"))
      spec.adam.beta1 = static_cast<float>(node.child("beta1").as_double_in(0.0, 0.999999));
    if (node.has("beta2"))
      spec.adam.beta2 = static_cast<float>(node.child("beta2").as_double_in(0.0, 0.999999999));
    if (node.has("eps")) spec.adam.eps = as_float_in(node.child("eps"), 0.0);
    if (node.has("weight_decay"))
      spec.adam.weight_decay = as_float_in(node.child("weight_decay"), 0.0);
  } else {
    node.child("kind").fail("unknown optimizer '" + spec.kind + "' (expected sgd or adam)");
  }
  return spec;
}

algo::StopCondition load_stop(const ConfigNode& node) {
  node.check_keys({"sim_time", "epochs", "steps", "target_accuracy"});
  algo::StopCondition stop;
  if (node.has("sim_time")) {
    stop.max_time = node.child("sim_time").as_duration();
    node.child("sim_time").require(stop.max_time > 0, "sim_time must be greater than zero");
  }
  if (node.has("epochs")) {
    stop.max_epochs = node.child("epochs").as_double();
    node.child("epochs").require(stop.max_epochs > 0, "epochs must be greater than zero");
  }
  if (node.has("steps")) stop.max_steps = node.child("steps").as_int_in(1);
  if (node.has("target_accuracy")) {
    const ConfigNode t = node.child("target_accuracy");
    stop.target_accuracy = t.as_double();
    t.require(stop.target_accuracy > 0 && stop.target_accuracy <= 1,
              "target_accuracy must be in (0, 1]");
  }
  if (stop.max_time == 0 && stop.max_epochs == 0 && stop.max_steps == 0) {
    node.fail("set at least one of sim_time, epochs or steps, or the run might never end");
  }
  return stop;
}

algo::EvalSchedule load_eval(const ConfigNode& node) {
  node.check_keys({"every_steps", "every"});
  algo::EvalSchedule eval;
  if (node.has("every_steps")) eval.every_steps = node.child("every_steps").as_int_in(1);
  if (node.has("every")) {
    eval.every = node.child("every").as_duration();
    node.child("every").require(eval.every > 0, "every must be greater than zero");
  }
  return eval;
}

void check_topology_hosts(const ConfigNode& topo, const Scenario& s) {
  if (s.topology.kind != "explicit") return;
  std::set<std::string> hosts;
  for (const NodeGroup& g : s.groups) {
    for (const std::string& n : node_names(g)) hosts.insert(n);
  }
  std::set<std::string> switches;
  const auto switch_nodes = topo.optional_child("switches");
  for (std::size_t i = 0; i < s.topology.switches.size(); ++i) {
    const std::string& name = s.topology.switches[i];
    if (hosts.count(name) || !switches.insert(name).second) {
      switch_nodes->at(i).fail("switch name '" + name + "' is already used by a node or switch");
    }
  }
  std::vector<std::string> known(hosts.begin(), hosts.end());
  known.insert(known.end(), switches.begin(), switches.end());
  const ConfigNode links = topo.child("links");
  for (std::size_t i = 0; i < s.topology.links.size(); ++i) {
    for (const char* end : {"from", "to"}) {
      const std::string& name = end[0] == 'f' ? s.topology.links[i].from : s.topology.links[i].to;
      if (!hosts.count(name) && !switches.count(name)) {
        const std::string hint = did_you_mean(name, known);
        links.at(i).child(end).fail("'" + name + "' is neither a cluster node nor a switch" +
                                    (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
    }
  }
}

// A group's own `link` replaces host links, which only star and tree have.
void check_group_links(const ConfigNode& cluster, const Scenario& s) {
  if (s.topology.kind == "star" || s.topology.kind == "tree") return;
  for (const NodeGroup& g : s.groups) {
    if (g.link) {
      cluster.child(g.name).child("link").fail(
          "a group link overrides the host links of a star or tree topology, not of '" +
          s.topology.kind + "' (give explicit links instead)");
    }
  }
}

void check_model_against_data(const Scenario& s) {
  int features = 0, classes = 0;
  if (s.data.dataset == "fashion-mnist") {
    features = 784;
    classes = 10;
  } else if (s.data.dataset == "synthetic") {
    features = s.data.synthetic.features;
    classes = s.data.synthetic.classes;
  } else {
    return;  // idx: known once loaded; the runner checks
  }
  auto fail = [&](const std::string& message) {
    const SourceLocation& at = s.model_layers_at;
    throw ScenarioError(at.file, at.line, at.column, at.path, message);
  };
  if (s.model.widths.front() != features) {
    fail("the first layer width must equal the " + std::to_string(features) +
         " features of the data, got " + std::to_string(s.model.widths.front()));
  }
  if (s.model.widths.back() != classes) {
    fail("the last layer width must equal the " + std::to_string(classes) +
         " classes of the data, got " + std::to_string(s.model.widths.back()));
  }
}

std::vector<AlgorithmChoice> load_algorithms(const ConfigNode& root,
                                             const std::vector<NodeGroup>& groups) {
  if (root.has("algorithm") && root.has("algorithms")) {
    root.child("algorithms").fail("give either 'algorithm' (one) or 'algorithms' (a list), not both");
  }
  if (!root.has("algorithms")) return {load_algorithm(root.child("algorithm"), groups)};
  const ConfigNode list = root.child("algorithms");
  if (!list.is_sequence() || list.size() == 0) {
    list.fail("expected a list of algorithm blocks, each with its own 'kind'");
  }
  std::vector<AlgorithmChoice> choices;
  for (std::size_t i = 0; i < list.size(); ++i) {
    choices.push_back(load_algorithm(list.at(i), groups));
    for (std::size_t j = 0; j < i; ++j) {
      if (choices[j].label == choices[i].label) {
        list.at(i).fail("two algorithms are labelled '" + choices[i].label +
                        "': give each a distinct 'label'");
      }
    }
  }
  return choices;
}

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

ClockSyncSpec load_clock_sync(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  node.check_keys({"server", "interval", "packet_bytes", "correction", "slew_rate_ppm"});
  ClockSyncSpec spec;
  spec.server = lone_node_group(node, "server", groups, "clock server", "clock sync");
  spec.interval = node.get_duration("interval", spec.interval);
  if (node.has("interval")) node.child("interval").require(spec.interval > 0, "interval must be > 0");
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
  node.check_keys({"monitor", "interval", "suspect_after", "since", "packet_bytes"});
  FailureDetectorSpec spec;
  spec.monitor = lone_node_group(node, "monitor", groups, "monitor", "a failure detector");
  spec.interval = node.get_duration("interval", spec.interval);
  if (node.has("interval")) node.child("interval").require(spec.interval > 0, "interval must be > 0");
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

OutputsSpec load_outputs(const ConfigNode& node) {
  node.check_keys({"events", "trace", "links", "links_interval"});
  OutputsSpec spec;
  spec.events = node.get_bool("events", false);
  spec.trace = node.get_bool("trace", false);
  spec.links = node.get_bool("links", false);
  if (auto interval = node.optional_child("links_interval")) {
    spec.links_interval = interval->as_duration();
    interval->require(spec.links_interval > 0, "links_interval must be greater than zero");
  }
  return spec;
}

Scenario load(const ConfigNode& root) {
  root.check_keys({"name", "seed", "cluster", "topology", "data", "model", "optimizer", "algorithm",
                   "algorithms", "stop", "eval", "clock_sync", "failure_detector", "math",
                   "outputs", "sweep", "expect", "faults"});
  Scenario s;
  s.file = root.file();
  const ConfigNode name = root.child("name");
  s.name = name.as_string();
  name.require(!s.name.empty() && s.name.find_first_of("/\\") == std::string::npos &&
                   s.name != "." && s.name != "..",
               "name must be non-empty and usable as a folder name (no '/')");
  if (root.has("seed")) s.seed = static_cast<std::uint64_t>(root.child("seed").as_int_in(0));
  s.groups = load_cluster(root.child("cluster"));
  const ConfigNode topo = root.child("topology");
  s.topology = load_topology(topo);
  s.data = load_data(root.child("data"));
  s.model_layers_at = location(root, "model.layers (default [784, 128, 10])");
  if (root.has("model")) s.model = load_model(root.child("model"), s.model_layers_at);
  if (root.has("optimizer")) s.optimizer = load_optimizer(root.child("optimizer"));
  s.algorithms = load_algorithms(root, s.groups);
  s.stop = load_stop(root.child("stop"));
  if (root.has("eval")) s.eval = load_eval(root.child("eval"));
  if (root.has("clock_sync")) s.clock_sync = load_clock_sync(root.child("clock_sync"), s.groups);
  if (root.has("failure_detector")) {
    s.failure_detector = load_failure_detector(root.child("failure_detector"), s.groups);
  }
  if (root.has("math")) {
    const ConfigNode math = root.child("math");
    const std::string value = math.as_string();
    if (value != "real" && value != "none") {
      math.fail("unknown math '" + value + "' (expected real or none)");
    }
    s.timing_only = value == "none";
    if (s.timing_only && s.stop.target_accuracy > 0) {
      root.child("stop").child("target_accuracy")
          .fail("target_accuracy needs real math: with math: none nothing is evaluated");
    }
  }
  if (root.has("outputs")) s.outputs = load_outputs(root.child("outputs"));
  check_topology_hosts(topo, s);
  check_group_links(root.child("cluster"), s);
  check_model_against_data(s);
  // Last: fault targets are resolved on the checked topology.
  if (root.has("faults")) s.faults = load_faults(root.child("faults"), s);
  if (root.has("expect")) {
    std::vector<std::string> labels;
    for (const AlgorithmChoice& a : s.algorithms) labels.push_back(a.label);
    s.expectations = load_expectations(root.child("expect"), labels, s.models_clocks(),
                                       s.stop.target_accuracy > 0, s.faults.has_value());
  }
  return s;
}

}  // namespace

sim::Distribution parse_distribution(const ConfigNode& node, DistributionUnit unit) {
  const std::string text = trim(node.as_string());
  auto number = [&](std::string_view s) {
    const std::string t = trim(s);
    if (unit == DistributionUnit::duration) {
      const bool negative = !t.empty() && t.front() == '-';
      try {
        const double seconds = sim::to_seconds(parse_duration(negative ? t.substr(1) : t));
        return negative ? -seconds : seconds;
      } catch (const UnitError& e) {
        node.fail(std::string(e.what()) + " in distribution '" + text + "'");
      }
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (ec != std::errc() || end != t.data() + t.size() || t.empty()) {
      node.fail("'" + t + "' is not a number in distribution '" + text + "'");
    }
    return value;
  };
  const auto open = text.find('(');
  if (open == std::string::npos) return sim::Distribution::constant_value(number(text));
  if (text.back() != ')') node.fail("expected a closing ')' in '" + text + "'");
  const std::string kind = trim(std::string_view(text).substr(0, open));
  const std::string inside = text.substr(open + 1, text.size() - open - 2);
  std::vector<double> args;
  std::size_t start = 0;
  while (true) {
    const auto comma = inside.find(',', start);
    args.push_back(number(std::string_view(inside).substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  static const std::map<std::string, std::pair<sim::Distribution::Kind, std::size_t>> kKinds = {
      {"uniform", {sim::Distribution::Kind::uniform, 2}},
      {"normal", {sim::Distribution::Kind::normal, 2}},
      {"lognormal", {sim::Distribution::Kind::lognormal, 2}},
      {"exponential", {sim::Distribution::Kind::exponential, 1}},
  };
  const auto it = kKinds.find(kind);
  if (it == kKinds.end()) {
    node.fail(
        "unknown distribution '" + kind +
        "' (expected uniform(a, b), normal(mean, sd), lognormal(mu, sigma), exponential(rate) "
        "or a number)");
  }
  const auto [k, arity] = it->second;
  if (args.size() != arity) {
    node.fail(kind + " takes " + std::to_string(arity) + " argument(s), got " +
              std::to_string(args.size()));
  }
  sim::Distribution d{k, args[0], arity > 1 ? args[1] : 0.0};
  if (k == sim::Distribution::Kind::uniform && !(d.a < d.b)) node.fail("uniform(a, b) needs a < b");
  if ((k == sim::Distribution::Kind::normal || k == sim::Distribution::Kind::lognormal) &&
      d.b < 0) {
    node.fail(kind + " needs a spread >= 0");
  }
  if (k == sim::Distribution::Kind::exponential && !(d.a > 0))
    node.fail("exponential needs rate > 0");
  return d;
}

Scenario load_scenario(const std::string& path) { return load(ConfigNode::load_file(path)); }

Scenario load_scenario_root(const ConfigNode& root) { return load(root); }

Scenario load_scenario_string(const std::string& yaml, const std::string& pseudo_file) {
  return load(ConfigNode::load_string(yaml, pseudo_file));
}

}  // namespace app
