#include "run/resource_estimate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace syncsim {
namespace {

// Measured on this code (the CLI test `cli: budget` checks the estimate
// against the peak RSS of a real run): the process before any scenario,
// and what one node costs beyond its model (coroutine frames, mailboxes,
// random streams, sampler, routing entries).
constexpr double kBaseline = 24.0 * (1 << 20);
constexpr double kPerNode = 6144.0;
// One recorded row in memory and in its CSV file, in bytes.
constexpr double kMetricsRowMemory = 400.0, kMetricsRowFile = 250.0;
constexpr double kLinkRowMemory = 250.0, kLinkRowFile = 90.0;
constexpr double kEventMemory = 120.0, kEventFile = 160.0;

double parameters(const ml::MlpSpec& m) {
  double p = 0;
  for (std::size_t i = 1; i < m.widths.size(); ++i) p += (m.widths[i - 1] + 1.0) * m.widths[i];
  return p;
}

double width_sum(const ml::MlpSpec& m) {
  double w = 0;
  for (int x : m.widths) w += x;
  return w;
}

int node_count(const Scenario& s) {
  int n = 0;
  for (const NodeGroup& g : s.groups) n += g.count;
  return n;
}

// Links of the topology, so link directions = 2 x this.
double link_count(const Scenario& s, int nodes) {
  const TopologySpec& t = s.topology;
  if (t.kind == "explicit") return static_cast<double>(t.links.size());
  if (t.kind == "tree") {
    const int per_rack = std::max(1, t.hosts_per_rack);
    return nodes + std::ceil(static_cast<double>(nodes) / per_rack);
  }
  return nodes;
}

// Parameter vectors per worker replica: its model, its gradient, the
// optimizer's state and scratch (SGD: work, plus the momentum buffer; Adam:
// two moments and work).
double replica_copies(const OptimizerSpec& o) {
  const double optimizer = o.kind == "adam" ? 3.0 : (o.sgd.momentum > 0 ? 2.0 : 1.0);
  return 2.0 + optimizer;
}

// What each algorithm keeps beyond the replicas: per worker (outgoing and
// received vectors, reduce buffers) and per other node (servers' model,
// snapshot, accumulator and optimizer state).
struct AlgorithmCopies {
  double per_worker = 0.0;
  double per_server = 0.0;
};

AlgorithmCopies algorithm_copies(const AlgorithmChoice& a, const OptimizerSpec& o) {
  const double opt = replica_copies(o) - 2.0;
  if (a.kind.rfind("ps_", 0) == 0) return {2.0, 3.0 + opt};  // encoded out, params in
  // reduced + chunks; compressed: every worker's decoded block, and one in flight
  if (a.kind.rfind("allreduce", 0) == 0) return {a.gathers ? 4.0 + a.participants : 3.0, 0.0};
  if (a.kind == "local_sgd") return {3.0, 0.0};
  if (a.kind == "gossip") return {4.0, 0.0};  // sent + neighbours'
  if (a.kind.rfind("fed", 0) == 0)
    return {2.0, 3.0 + opt + a.live_replicas};  // uploads at the server
  return {3.0, 3.0 + opt};
}

double estimated_steps(const Scenario& s, const AlgorithmChoice& a, double train_rows) {
  const double replicas = std::max(1, a.live_replicas > 0 ? a.live_replicas : a.participants);
  const double batch = std::max(1, a.batch_size);
  double steps = 0;
  if (s.stop.max_steps > 0) steps = static_cast<double>(s.stop.max_steps);
  if (s.stop.max_epochs > 0) {
    const double by_epochs = s.stop.max_epochs * train_rows / (batch * replicas);
    steps = steps > 0 ? std::min(steps, by_epochs) : by_epochs;
  }
  return steps;
}

// Seconds of one step: the slowest node's compute of a batch, plus the
// model over the slowest link and back.
double step_seconds(const Scenario& s, const AlgorithmChoice& a, double params) {
  double slowest_flops = 0, slowest_link = s.topology.link.bandwidth_bytes_per_s;
  double latency = sim::to_seconds(s.topology.link.latency);
  for (const NodeGroup& g : s.groups) {
    if (g.flop_rate > 0) {
      slowest_flops = slowest_flops > 0 ? std::min(slowest_flops, g.flop_rate) : g.flop_rate;
    }
    if (g.link && g.link->bandwidth_bytes_per_s > 0) {
      slowest_link = slowest_link > 0 ? std::min(slowest_link, g.link->bandwidth_bytes_per_s)
                                      : g.link->bandwidth_bytes_per_s;
    }
  }
  for (const ExplicitLink& l : s.topology.links) {
    if (l.params.bandwidth_bytes_per_s > 0) {
      slowest_link = slowest_link > 0 ? std::min(slowest_link, l.params.bandwidth_bytes_per_s)
                                      : l.params.bandwidth_bytes_per_s;
    }
    latency = std::max(latency, sim::to_seconds(l.params.latency));
  }
  slowest_link *= s.topology.calibration.bandwidth_efficiency;
  const double flops = 6.0 * params * std::max(1, a.batch_size);
  const double compute = slowest_flops > 0 ? flops / slowest_flops : 0.0;
  // A server's (or the federated server's) link carries every replica's
  // vector in turn; a peer-to-peer exchange moves about two models a step.
  const bool central = a.kind.rfind("ps_", 0) == 0 || a.kind.rfind("fed", 0) == 0;
  const double replicas = a.live_replicas > 0 ? a.live_replicas : a.participants;
  const double vectors = central ? 2.0 * std::max(1.0, replicas) : 2.0;
  const double transfer = slowest_link > 0 ? vectors * 4.0 * params / slowest_link : 0.0;
  // Two hops each way, and a message each way.
  const double overhead = sim::to_seconds(s.topology.calibration.message_overhead);
  return compute + transfer + 4.0 * latency + 2.0 * overhead;
}

struct Rows {
  double train = 0, test = 0, features = 0;
  double bytes_in_memory = 0;  // the datasets while the runs go on
};

Rows data_rows(const Scenario& s) {
  Rows r;
  const auto capped = [](double all, std::int64_t cap) {
    return cap > 0 ? std::min(all, static_cast<double>(cap)) : all;
  };
  if (s.data.dataset == "synthetic") {
    r.features = s.data.synthetic.features;
    r.train = capped(static_cast<double>(s.data.synthetic.samples), s.data.train_samples);
    r.test = static_cast<double>(s.data.synthetic_test_samples);
    // The generated set, and its train and test slices.
    const double all = s.data.synthetic.samples + r.test;
    r.bytes_in_memory = (all + r.train + r.test) * (r.features * 4.0 + 4.0);
  } else if (s.data.dataset == "csv") {
    // Each value takes at least two characters ("0,"), so a file holds at
    // most bytes / (2 x columns) rows; while read, every value is a float in
    // the parse buffer and again in the matrix.
    r.features = s.data.csv_features;
    const double per_row = 2.0 * (r.features + 1);
    r.train = capped(static_cast<double>(s.data.csv_train_bytes) / per_row, s.data.train_samples);
    r.test = capped(static_cast<double>(s.data.csv_test_bytes) / per_row, s.data.test_samples);
    const double file_rows = (s.data.csv_train_bytes + s.data.csv_test_bytes) / per_row;
    r.bytes_in_memory =
        file_rows * (r.features * 8.0 + 40.0) + (r.train + r.test) * (r.features * 4.0 + 4.0);
  } else {
    r.features = s.data.idx_features;
    const double file_rows = static_cast<double>(s.data.idx_train_count + s.data.idx_test_count);
    r.train = capped(static_cast<double>(s.data.idx_train_count), s.data.train_samples);
    r.test = capped(static_cast<double>(s.data.idx_test_count), s.data.test_samples);
    // Features as read (1 to 8 bytes each), as floats, and the subsets kept.
    r.bytes_in_memory = file_rows * r.features * (s.data.idx_element_bytes + 4.0) +
                        (r.train + r.test) * (r.features * 4.0 + 4.0);
  }
  return r;
}

struct RunEstimate {
  std::vector<ResourceItem> items;
  double output_bytes = 0, sim_seconds = 0;
  double total() const {
    double t = 0;
    for (const ResourceItem& i : items) t += i.bytes;
    return t;
  }
};

RunEstimate estimate_run(const Scenario& s, const AlgorithmChoice& a, const Rows& rows) {
  RunEstimate e;
  const double params =
      s.profile ? static_cast<double>(s.profile->parameters()) : parameters(s.model);
  const int nodes = node_count(s);
  const double replicas = a.live_replicas > 0 ? a.live_replicas : a.participants;
  const double others = std::max(0, nodes - a.participants);
  const std::string label = "'" + a.label + "'";
  if (!s.timing_only) {
    const OptimizerSpec& optimizer = a.optimizer ? *a.optimizer : s.optimizer;
    const AlgorithmCopies c = algorithm_copies(a, optimizer);
    const double copies = replicas * (replica_copies(optimizer) + c.per_worker) +
                          others * c.per_server + 2.0;  // + the monitor's and the result's
    char what[200];
    std::snprintf(what, sizeof what,
                  "model copies (%s: %.0f parameters x 4 B x %.0f copies for %.0f replicas and "
                  "%.0f other nodes)",
                  label.c_str(), params, copies, replicas, others);
    e.items.push_back({what, params * 4.0 * copies,
                       "shrink model.layers, or use fewer workers / clients_per_round"});
    const double activations =
        (replicas * std::max(1, a.batch_size) + std::min(rows.test, 4096.0)) * width_sum(s.model) *
            4.0 * 2.0 +
        replicas * std::max(1, a.batch_size) * rows.features * 4.0;
    e.items.push_back({"activations (" + label +
                           ": batch x layer widths per replica, and the "
                           "test-set evaluation)",
                       activations, "lower batch_size or the layer widths"});
  }
  // math: none holds no parameters anywhere (algorithms/runtime/model_shape.h):
  // messages carry sizes, so nothing here grows with the model.
  e.items.push_back({"nodes (" + std::to_string(nodes) + " x coroutines, mailboxes, routes)",
                     nodes * kPerNode, "use fewer nodes (cluster.*.count)"});

  const double steps = estimated_steps(s, a, rows.train);
  double seconds = steps * step_seconds(s, a, params);
  if (s.stop.max_time > 0) {
    const double limit = sim::to_seconds(s.stop.max_time);
    seconds = (s.stop.max_epochs > 0 || s.stop.max_steps > 0) ? std::min(seconds, limit) : limit;
    if (seconds == 0) seconds = limit;
  }
  // No run outlasts what simulated time holds (it stops with an error there).
  seconds = std::min(seconds, sim::to_seconds(sim::kTimeMax));
  e.sim_seconds = seconds;
  double metrics_rows = 2;
  if (s.eval.every > 0) metrics_rows += seconds / sim::to_seconds(s.eval.every);
  if (s.eval.every_steps > 0) metrics_rows += steps / static_cast<double>(s.eval.every_steps);
  // At most one evaluation per model version.
  if (steps > 0) metrics_rows = std::min(metrics_rows, steps + 2);
  e.items.push_back(
      {"metrics rows (" + std::to_string(static_cast<long long>(metrics_rows)) + " evaluations)",
       metrics_rows * kMetricsRowMemory, "evaluate less often (eval.every)"});
  e.output_bytes += metrics_rows * kMetricsRowFile + nodes * 200.0;
  if (s.outputs.links) {
    const double buckets = std::ceil(seconds / sim::to_seconds(s.outputs.links_interval));
    const double directions = 2.0 * link_count(s, nodes);
    char what[200];
    std::snprintf(what, sizeof what,
                  "links.csv (%.3g buckets of %s x %.0f link directions over %.3g s simulated)",
                  buckets, sim::format_time(s.outputs.links_interval).c_str(), directions, seconds);
    e.items.push_back({what, buckets * directions * kLinkRowMemory,
                       "raise outputs.links_interval, shorten stop, or drop --links"});
    e.output_bytes += buckets * directions * kLinkRowFile;
  }
  if (s.outputs.events || s.outputs.trace) {
    // Each step: a send and a receive per worker, per all-reduce chunk step.
    double per_step = 4.0 * replicas;
    if (a.kind.rfind("allreduce", 0) == 0) per_step *= std::max(1.0, 2.0 * (replicas - 1));
    const double records = steps * per_step;
    e.items.push_back(
        {"events and trace records (about " + std::to_string(static_cast<long long>(records)) + ")",
         records * kEventMemory * ((s.outputs.events && s.outputs.trace) ? 2 : 1),
         "trace a shorter run (stop.steps), or drop outputs.events / trace"});
    e.output_bytes += records * kEventFile * ((s.outputs.events && s.outputs.trace) ? 2 : 1);
  }
  return e;
}

}  // namespace

double ResourceEstimate::peak_bytes() const {
  double total = 0;
  for (const ResourceItem& i : memory) total += i.bytes;
  return total;
}

ResourceEstimate estimate_resources(const Scenario& s) {
  ResourceEstimate out;
  const Rows rows = data_rows(s);
  RunEstimate largest;
  for (const AlgorithmChoice& a : s.algorithms) {
    RunEstimate e = estimate_run(s, a, rows);
    out.output_bytes += e.output_bytes;
    out.sim_seconds = std::max(out.sim_seconds, e.sim_seconds);
    if (e.total() > largest.total()) largest = std::move(e);
  }
  out.memory = std::move(largest.items);
  out.memory.push_back(
      {"datasets (" + std::to_string(static_cast<long long>(rows.train)) + " training and " +
           std::to_string(static_cast<long long>(rows.test)) + " test samples of " +
           std::to_string(static_cast<long long>(rows.features)) + " features" +
           (s.data.path.empty() ? "" : " in " + s.data.path) + ")",
       rows.bytes_in_memory, "use fewer samples (data.train_samples, test_samples or samples)"});
  out.memory.push_back({"process baseline", kBaseline, ""});
  std::stable_sort(out.memory.begin(), out.memory.end(),
                   [](const ResourceItem& x, const ResourceItem& y) { return x.bytes > y.bytes; });
  return out;
}

}  // namespace syncsim
