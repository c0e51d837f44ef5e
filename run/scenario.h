// A scenario: one experiment, as a YAML file describes it, checked and typed.
// The CLI's loader (app/scenario_loader.h) turns a file into this, or a
// program builds one in code; syncsim::run (run/run.h) turns it into a
// simulation. Nothing here knows yaml-cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algorithms/ml/csv_reader.h"
#include "algorithms/ml/mlp.h"
#include "algorithms/ml/optimizer.h"
#include "algorithms/ml/partition.h"
#include "algorithms/ml/synthetic.h"
#include "algorithms/robust/attack.h"
#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/monitor.h"
#include "algorithms/runtime/privacy_ledger.h"
#include "algorithms/services/fault_injector.h"
#include "run/expectation.h"
#include "sim/distribution.h"
#include "topology/calibration.h"
#include "topology/topology.h"

namespace syncsim {

// `cluster.<group>.clock`: each node's clock drawn from these, from the
// node's own stream (seed, node name, "clock"): drift first, then offset.
struct ClockSpec {
  sim::Distribution drift_ppm = sim::Distribution::constant_value(0.0);
  sim::Distribution offset_s = sim::Distribution::constant_value(0.0);  // seconds
  double drift_walk_ppm = 0.0;  // random-walk sd per sqrt-second (steps every 1 s)
};

// `clock_sync:` NTP-style synchronisation of every other node to `server`.
struct ClockSyncSpec {
  std::string server;                 // a group of one node
  sim::Time interval = sim::kSecond;  // of each client's local clock
  double packet_bytes = 90.0;         // request and reply on the wire
  bool slew = false;                  // `correction: slew` (default step)
  double slew_rate_ppm = 500.0;       // `slew_rate_ppm`, for slew
};

// `failure_detector:` heartbeats from every other node to `monitor`
// (algorithms/services/failure_detector.h).
struct FailureDetectorSpec {
  std::string monitor;                           // a group of one node
  sim::Time interval = 100 * sim::kMillisecond;  // of each sender's clock
  int suspect_after = 3;                         // k missed heartbeats
  double packet_bytes = 64.0;                    // one heartbeat on the wire
  bool since_sent = false;                       // `since: sent` (default arrival)
};

// A group of identical nodes. A group of one is named after the group
// ("server"); a larger group's nodes get the index appended ("worker0"...).
struct NodeGroup {
  std::string name;
  int count = 1;
  double flop_rate = 0.0;  // FLOP/s
  sim::Distribution straggler = sim::Distribution::constant_value(1.0);
  // `link: {bandwidth, latency}`: this group's host links, overriding the
  // topology's default (star and tree host links only).
  std::optional<topology::LinkParams> link;
  std::optional<ClockSpec> clock;  // none: perfect clocks
  // `byzantine:` what the group's nodes do instead of their honest part, as
  // workers or clients (none: honest).
  std::optional<algo::AttackSpec> byzantine;
};

struct ExplicitLink {
  std::string from, to;
  topology::LinkParams params;
};

struct TopologySpec {
  std::string kind = "star";          // star | ring | tree | explicit
  topology::LinkParams link{0.0, 0};  // star/ring/tree: every host's link
  int hosts_per_rack = 0;             // tree
  sim::Time uplink_latency = 0;       // tree
  double oversubscription = 1.0;      // tree
  double uplink_bandwidth = 0.0;      // tree, bytes/s; 0: derived from the above
  std::vector<std::string> switches;  // explicit
  std::vector<ExplicitLink> links;    // explicit
  bool bandwidth_in_bits = true;      // the scenario's unit family, for pictures
  // `share`: how flows on a bottleneck split it (topology::Network::Sharing).
  bool share_by_rtt = false;          // false: equal (max-min), true: rtt (1 / route latency)
  topology::Calibration calibration;  // every kind; off by default
};

struct DataSpec {
  std::string dataset = "fashion-mnist";  // fashion-mnist | idx | synthetic
  std::string path;                       // folder of the IDX files (idx, fashion-mnist)
  std::string train_file, test_file;      // csv: the two files
  ml::CsvColumns csv_columns;             // csv: label and optional client column
  int csv_features = 0;                   // csv: feature columns, from the header
  int csv_classes = 0;                    // csv: largest label + 1 in either file, from a scan
  std::int64_t csv_train_bytes = 0, csv_test_bytes = 0;  // csv: file sizes, for the budget
  std::int64_t train_samples = 0;                        // 0: all
  std::int64_t test_samples = 0;                         // 0: all
  std::string partition = "iid";                         // iid | dirichlet | shards
  ml::PartitionSpec partition_spec;  // the same, typed, with alpha / shards_per_client
  ml::SyntheticSpec synthetic;       // synthetic: the training set spec
  std::int64_t synthetic_test_samples = 1000;
  // idx and fashion-mnist: what the files' headers declare, read when the
  // scenario is loaded (0 until then, and for synthetic data).
  std::int64_t idx_train_count = 0, idx_test_count = 0;
  int idx_features = 0;
  int idx_element_bytes = 1;  // bytes per feature in the files (1 to 8, by element type)
};

struct OptimizerSpec {
  std::string kind = "sgd";  // sgd | adam
  ml::SgdConfig sgd;
  ml::AdamConfig adam;
};

// Where a key stood in the file, for errors found after loading.
struct SourceLocation {
  std::string file;
  int line = 0, column = 0;  // 1-based; 0: unknown
  std::string path;          // key path, e.g. "model.layers"
};

// The algorithm `algorithm:` names, with every parameter already validated
// and resolved against the cluster (the CLI reads them in app/algorithm_registry.h).
// The registry brace-initialises the first four fields, so every later one
// has an initialiser of its own.
struct AlgorithmChoice {
  std::string kind;      // "ps_sync", ...
  std::string label;     // names its rows in the outputs: `label:`, default the kind
  int participants = 0;  // nodes that train (workers, clients): the summary's `workers`
  std::function<std::unique_ptr<algo::Algorithm>()> build;
  bool elastic = false;           // re-forms after faults; rolled-back rounds are dropped_aborted
  sim::Time elastic_timeout = 0;  // elastic: a collective's deadline
  SourceLocation elastic_timeout_at{};  // where `elastic.timeout` stands
  // Where a key that needs a layer profile stands (`bucket_cap`, `overlap`);
  // empty file: none given.
  SourceLocation profile_key_at{};
  // For the memory estimate (run/resource_estimate.h).
  int live_replicas = 0;  // worker replicas alive at once (clients per round); 0: participants
  int batch_size = 0;     // samples per local step
  bool gathers = false;   // a compressed all-reduce: each worker holds every worker's block
  // `optimizer:` inside the algorithm's entry: its own optimizer (the
  // scenario's keys with the entry's on top); absent: the scenario's.
  std::optional<OptimizerSpec> optimizer{};
  // `privacy:` inside the entry: DP-SGD or DP-FedAvg (privacy_ledger.h); none: not private.
  std::optional<algo::PrivacySpec> privacy{};
};

// `outputs:` the optional, larger files a run can also write (all off by default).
struct OutputsSpec {
  bool events = false;  // events.csv: message sends and receives, true/local/Lamport time
  bool trace = false;   // trace.json: compute, send, receive and wait spans per node
  bool links = false;   // links.csv: bytes and utilisation per link direction and bucket
  sim::Time links_interval = 10 * sim::kMillisecond;  // the buckets' width
  // clocks.csv and the clock summary columns: every node's clock read every
  // this much true time, from 0 on.
  sim::Time clock_interval = 10 * sim::kMillisecond;
};

struct Scenario {
  std::string file;  // where it was loaded from, for messages
  std::string name;
  std::uint64_t seed = 0;
  // `replicates:` runs of every algorithm, replicate r with seed + r
  // (run/replicates.h); 1 is a single run. `reference:` the label whose
  // paired differences paired.csv reports ("" for none).
  int replicates = 1;
  std::string reference;
  std::vector<NodeGroup> groups;  // in file order; nodes are numbered in this order
  TopologySpec topology;
  DataSpec data;
  ml::MlpSpec model;
  SourceLocation model_layers_at;  // for checks of the widths against the data
  // `model: {profile: ...}` (math: none): the layers that replace the MLP
  // for timing, and the device model that times them; null: the MLP.
  std::shared_ptr<const ml::LayerProfile> profile;
  ml::DeviceModel device;
  OptimizerSpec optimizer;
  // `algorithm:` gives one; `algorithms:` a list, run one after the other on
  // the same cluster, network, data and seed, for side-by-side comparison.
  std::vector<AlgorithmChoice> algorithms;
  algo::StopCondition stop;
  algo::EvalSchedule eval;
  std::optional<ClockSyncSpec> clock_sync;
  std::optional<FailureDetectorSpec> failure_detector;
  // `math: none`: timing only (same algorithms, messages of the real sizes,
  // no tensor math; accuracy and loss columns empty). Default `real`.
  bool timing_only = false;
  OutputsSpec outputs;
  std::vector<Expectation> expectations;  // `expect:`, for `syncsim check`; runs ignore them
  // `faults:` resolved to host and link ids (the CLI reads them in app/fault_loader.h); when
  // present, the summary gets the update-accounting columns.
  std::optional<std::vector<algo::Fault>> faults;
  // True if any node's clock is modelled (a group `clock` or `clock_sync`):
  // only then are clocks.csv and the clock summary columns written.
  bool models_clocks() const {
    if (clock_sync) return true;
    for (const NodeGroup& g : groups) {
      if (g.clock) return true;
    }
    return false;
  }
};

// The names of a group's nodes, in order.
std::vector<std::string> node_names(const NodeGroup& group);

}  // namespace syncsim
