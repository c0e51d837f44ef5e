#include "run/world.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <stdexcept>

#include "algorithms/ml/csv_reader.h"
#include "algorithms/ml/idx_reader.h"
#include "algorithms/ml/synthetic.h"
#include "run/scenario_error.h"
#include "sim/random.h"
#include "topology/builders.h"

namespace syncsim {
namespace {

std::vector<std::string> all_node_names(const Scenario& s) {
  std::vector<std::string> names;
  for (const NodeGroup& g : s.groups) {
    for (std::string& n : node_names(g)) names.push_back(std::move(n));
  }
  return names;
}

topology::Topology build_explicit(const Scenario& s) {
  topology::Topology topo;
  for (const std::string& host : all_node_names(s)) topo.add_host(host);
  for (const std::string& sw : s.topology.switches) topo.add_switch(sw);
  for (const ExplicitLink& link : s.topology.links) {
    topo.add_link(*topo.find(link.from), *topo.find(link.to), link.params);
  }
  return topo;
}

// Rows [first, first + n) of d (labels-only if d is).
ml::Dataset slice(const ml::Dataset& d, std::int64_t first, std::int64_t n) {
  ml::Dataset out;
  out.num_classes = d.num_classes;
  if (d.labels_only()) {
    const auto begin = d.labels.begin() + first;
    out.labels.assign(begin, begin + n);
    out.features.resize(0, d.features.cols());
    return out;
  }
  std::vector<std::int32_t> indices(static_cast<std::size_t>(n));
  std::iota(indices.begin(), indices.end(), static_cast<std::int32_t>(first));
  ml::gather_batch(d, indices, out.features, out.labels);
  return out;
}

// Every host's own link: its group's `link`, or the topology's default.
std::vector<topology::LinkParams> host_links(const Scenario& s) {
  std::vector<topology::LinkParams> links;
  for (const NodeGroup& g : s.groups) {
    links.insert(links.end(), static_cast<std::size_t>(g.count), g.link.value_or(s.topology.link));
  }
  return links;
}

[[noreturn]] void fail_at(const SourceLocation& at, const std::string& message) {
  throw ScenarioError(at.file, at.line, at.column, at.path, message);
}

ml::Dataset subset(const ml::Dataset& d, std::int64_t wanted, const Scenario& s, const char* key) {
  if (wanted == 0) return d;
  if (wanted > d.size()) {
    throw ScenarioError(s.file, 0, 0, std::string("data.") + key,
                        "asks for " + std::to_string(wanted) + " samples but the dataset has " +
                            std::to_string(d.size()));
  }
  return ml::take_first(d, wanted);
}

// Numbers the clients that have samples 0, 1, ... in their original order
// (a train_samples cap can leave some out); returns how many there are.
int renumber_clients(std::vector<std::int32_t>& groups) {
  std::map<std::int32_t, std::int32_t> ids;
  for (std::int32_t g : groups) ids.emplace(g, 0);
  std::int32_t next = 0;
  for (auto& [old_id, id] : ids) id = next++;
  for (std::int32_t& g : groups) g = ids.at(g);
  return next;
}

// partition: natural gives each participant at least one whole client.
void check_clients(const Scenario& s, int clients) {
  for (const AlgorithmChoice& a : s.algorithms) {
    if (a.participants <= clients) continue;
    throw ScenarioError(s.file, 0, 0, "data.partition",
                        "natural: the training file has " + std::to_string(clients) +
                            " clients, fewer than the " + std::to_string(a.participants) +
                            " participants of '" + a.label + "'");
  }
}

}  // namespace

topology::Topology build_topology(const Scenario& s) {
  const std::vector<std::string> hosts = all_node_names(s);
  const TopologySpec& t = s.topology;
  if (t.kind == "star") return topology::build_star(hosts, host_links(s));
  if (t.kind == "ring") return topology::build_ring(hosts, t.link);
  if (t.kind == "tree") {
    topology::TreeParams p;
    p.hosts_per_rack = t.hosts_per_rack;
    p.host_link = t.link;
    p.uplink_latency = t.uplink_latency;
    p.oversubscription = t.oversubscription;
    p.uplink_bandwidth = t.uplink_bandwidth;
    return topology::build_two_level_tree(hosts, p, host_links(s));
  }
  return build_explicit(s);
}

std::vector<algo::Node> build_nodes(const Scenario& s, const topology::Topology& topo) {
  std::vector<algo::Node> nodes;
  for (const NodeGroup& g : s.groups) {
    for (const std::string& name : node_names(g)) {
      nodes.push_back(algo::Node{name, *topo.find(name), g.flop_rate, g.straggler});
      nodes.back().flips_labels = g.byzantine && g.byzantine->kind == algo::AttackKind::label_flip;
    }
  }
  return nodes;
}

Datasets load_datasets(const Scenario& s) {
  Datasets data;
  if (s.data.dataset == "synthetic") {
    // One draw split in two, so train and test share the class centres.
    ml::SyntheticSpec spec = s.data.synthetic;
    const std::int64_t train_n = spec.samples;
    spec.samples = train_n + s.data.synthetic_test_samples;
    // A timing-only run reads no feature: only the labels are drawn (the same ones).
    const std::uint64_t seed = sim::derive_seed(s.seed, "data", "synthetic");
    const ml::Dataset all =
        s.timing_only ? ml::make_synthetic_labels(spec, seed) : ml::make_synthetic(spec, seed);
    data.train = subset(slice(all, 0, train_n), s.data.train_samples, s, "train_samples");
    data.test = slice(all, train_n, s.data.synthetic_test_samples);
  } else if (s.data.dataset == "csv") {
    ml::CsvData train = ml::load_csv(s.data.train_file, s.data.csv_columns);
    ml::CsvData test = ml::load_csv(s.data.test_file,
                                    {s.data.csv_columns.label, s.data.csv_columns.client, false});
    // The classes are the labels either file uses: 0 .. the largest.
    const int classes = std::max(train.data.num_classes, test.data.num_classes);
    train.data.num_classes = test.data.num_classes = classes;
    data.train = subset(train.data, s.data.train_samples, s, "train_samples");
    data.test = subset(test.data, s.data.test_samples, s, "test_samples");
    data.test.groups.clear();  // the test set is shared: no client matters there
    if (s.data.partition_spec.kind == ml::PartitionKind::natural) {
      check_clients(s, renumber_clients(data.train.groups));
    }
  } else {
    ml::Dataset train = ml::load_mnist_dir(s.data.path, "train");
    ml::Dataset test = ml::load_mnist_dir(s.data.path, "test");
    // As for CSV: the classes are the labels either split uses.
    train.num_classes = test.num_classes = std::max(train.num_classes, test.num_classes);
    data.train = subset(train, s.data.train_samples, s, "train_samples");
    data.test = subset(test, s.data.test_samples, s, "test_samples");
  }
  if (s.profile) return data;  // a profile's data only sets the sample count
  if (s.model.widths.front() != data.train.num_features()) {
    fail_at(s.model_layers_at, "the first layer width " + std::to_string(s.model.widths.front()) +
                                   " differs from the " +
                                   std::to_string(data.train.num_features()) +
                                   " features of the data");
  }
  if (s.model.widths.back() != data.train.num_classes) {
    fail_at(s.model_layers_at, "the last layer width " + std::to_string(s.model.widths.back()) +
                                   " differs from the " + std::to_string(data.train.num_classes) +
                                   " classes of the data");
  }
  return data;
}

}  // namespace syncsim
