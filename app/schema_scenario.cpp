// The schema of a scenario's general sections: the top level, cluster,
// topology, data, model, optimizer, stop, eval, clock services and outputs.
// Key order is the order error messages list allowed keys in.
#include "algorithms/ml/idx_reader.h"
#include "algorithms/ml/mlp.h"
#include "algorithms/ml/optimizer.h"
#include "algorithms/ml/partition.h"
#include "algorithms/ml/synthetic.h"
#include "app/scenario_loader.h"
#include "app/schema.h"
#include "run/scenario.h"

namespace app::schema {
namespace {

std::vector<Section> top_and_cluster() {
  const Scenario s;
  const NodeGroup g;
  const ClockSpec clock;
  return {
      {"root",
       "top level",
       "",
       {
           {"name", "string", "", "required",
            "1 to 100 of letters, digits, `_ - . +`, starting with a letter or digit",
            "run name; the default output folder is `runs/<name>`"},
           {"seed", "integer", "", std::to_string(s.seed), ">= 0",
            "root seed: every random draw comes from a stream derived from (seed, entity, "
            "purpose)"},
           {"cluster", "map", "", "required", "group name -> group",
            "node groups, each `NAME: {count, flops, ...}` (see cluster.<group>)"},
           {"topology", "map", "", "required", "", "the network (see topology)"},
           {"data", "map", "", "required", "", "the dataset and how it is split (see data)"},
           {"model", "map", "", "the defaults of model", "", "the MLP"},
           {"optimizer", "map", "", "kind: sgd", "", "the optimizer every replica uses"},
           {"algorithm", "map", "", "required, or algorithms", "",
            "one algorithm: `kind` and its keys (see algorithm sections)"},
           {"algorithms", "list", "", "none", "non-empty list of algorithm maps, distinct labels",
            "several algorithms, run one after the other on the same cluster, data and seed"},
           {"stop", "map", "", "required", "", "when a run ends"},
           {"eval", "map", "", "initial and final model only", "",
            "when the test set is evaluated"},
           {"clock_sync", "map", "", "none", "", "NTP-style clock synchronisation"},
           {"failure_detector", "map", "", "none", "", "heartbeat failure detector"},
           {"math", "string", "", "real", "real, none",
            "`none`: timing only, no gradients or evaluation"},
           {"outputs", "map", "", "all off", "", "opt-in larger output files"},
           {"sweep", "map", "", "none",
            "key path -> list of values; `zip:` a map (or list of maps) of axes that move together",
            "axes to cross into many runs (docs/sweeps.md, docs/cli-and-data.md)"},
           {"expect", "map", "", "none", "metric -> assertion, or run label -> map",
            "assertions checked by `syncsim check` (docs/ci.md)"},
           {"faults", "list", "", "none", "fault entries",
            "timed and random faults (see faults sections)"},
           {"replicates", "integer", "", std::to_string(s.replicates),
            "1 .. " + std::to_string(kMaxReplicates),
            "runs of every algorithm with seeds seed, seed+1, ... (docs/replicates.md)"},
           {"reference", "string", "", "none",
            "a run label of this scenario (two or more algorithms)",
            "with replicates: paired.csv holds every other algorithm's difference from this one"},
       }},
      {"cluster",
       "cluster.<group>",
       "One map per node group; a group of one node is named after the group (`server`), larger "
       "groups number their nodes (`worker0`, `worker1`, ...). Group names use letters, digits, "
       "`_` and `-`.",
       {
           {"count", "integer", "nodes", std::to_string(g.count), "1 .. 1000000",
            "nodes in the group"},
           {"flops", "FLOP rate", "FLOP/s", "required", "> 0",
            "compute speed of each node (`50GFLOPS`, `2.5TFLOP/s`, `1e12`)"},
           {"straggler", "distribution", "factor", "1",
            "always > 0: a number, uniform(a, b) with a > 0, lognormal(mu, sigma)",
            "per-step slowdown factor, drawn per step from the node's own stream"},
           {"link", "map", "", "the topology's", "star and tree only",
            "this group's host links `{bandwidth, latency}`, overriding the topology's"},
           {"clock", "map", "", "a perfect clock", "",
            "each node's clock `{drift_ppm, offset, drift_walk_ppm}` (docs/clocks.md)"},
           {"byzantine", "name or map", "", "none (honest)",
            "none, sign_flip, scale, gaussian, alie, label_flip (`NAME` or `{kind: NAME, ...}`)",
            "what the group's workers or clients send instead of their honest part "
            "(docs/robustness-and-privacy.md)"},
       }},
      {"cluster.link",
       "cluster.<group>.link",
       "",
       {
           {"bandwidth", "bandwidth", "bits/s or bytes/s", "required", ">= 1kbps",
            "each host link's bandwidth, each direction"},
           {"latency", "duration", "", "0", ">= 0", "each host link's latency"},
       }},
      {"cluster.clock",
       "cluster.<group>.clock",
       "Drawn per node from the stream (seed, node name, `clock`). `local = offset + (1 + "
       "drift_ppm x 1e-6) x true`.",
       {
           {"drift_ppm", "distribution", "ppm", number_text(clock.drift_ppm.a),
            "within +-100000 when constant or uniform; mean +- 10 sd inside (-1000000, 1000000)",
            "clock rate error"},
           {"offset", "distribution of durations", "", "0",
            "negative allowed (`uniform(-5ms, 5ms)`)", "clock offset at t = 0"},
           {"drift_walk_ppm", "number", "ppm per sqrt(s)", number_text(clock.drift_walk_ppm),
            "0 .. 100000",
            "sd of a random walk of the drift, stepped every simulated second, reflecting off "
            "+-100000 ppm"},
       }},
  };
}

std::vector<Section> topology() {
  const TopologySpec t;
  return {
      {"topology.star",
       "topology (kind: star or ring)",
       "`star`: every node on one switch; `ring`: node i linked to node i+1 (and the last to the "
       "first).",
       {
           {"kind", "string", "", "required", "star, ring, tree, explicit", "the builder"},
           {"bandwidth", "bandwidth", "bits/s or bytes/s", "required", ">= 1kbps",
            "every host link, each direction (`10Gbps`, `1.25GB/s`)"},
           {"latency", "duration", "", "0", ">= 0", "every host link (`5us`)"},
           {"share", "string", "", "equal", "equal, rtt",
            "how flows split a bottleneck: equal max-min, or weighted by 1 / route latency as "
            "SimGrid's CM02 (docs/collectives.md)"},
           {"bandwidth_efficiency", "number", "share of the bandwidth", "1 (off)",
            "(0, 1]; every link stays >= 1kbps",
            "share of every link's nominal bandwidth that transfers can use (docs/calibration.md)"},
           {"message_overhead", "duration", "", "0 (off)", "0 .. 1min",
            "fixed time added once to every message on top of its route latency "
            "(docs/calibration.md)"},
       }},
      {"topology.tree",
       "topology (kind: tree)",
       "Racks of `hosts_per_rack` nodes (in cluster order) under top-of-rack switches `tor0`, "
       "`tor1`, ..., all under one spine. Racks are named `rack0`, `rack1`, ... in faults.",
       {
           {"kind", "string", "", "required", "tree", "the builder"},
           {"bandwidth", "bandwidth", "bits/s or bytes/s", "required", ">= 1kbps",
            "every host link"},
           {"latency", "duration", "", "0", ">= 0", "every host link"},
           {"hosts_per_rack", "integer", "hosts", "required", "1 .. 1000000",
            "hosts under each top-of-rack switch"},
           {"uplink_latency", "duration", "", "`latency`", ">= 0",
            "each rack's uplink to the spine"},
           {"oversubscription", "number", "ratio", number_text(t.oversubscription),
            "0.001 .. 1000; not with uplink_bandwidth",
            "uplink = hosts_per_rack x bandwidth / oversubscription"},
           {"uplink_bandwidth", "bandwidth", "bits/s or bytes/s",
            "hosts_per_rack x bandwidth / oversubscription", ">= 1kbps; not with oversubscription",
            "every rack's uplink capacity (the switch's: the same for a partly filled rack)"},
           {"share", "string", "", "equal", "equal, rtt",
            "how flows split a bottleneck: equal max-min, or weighted by 1 / route latency as "
            "SimGrid's CM02 (docs/collectives.md)"},
           {"bandwidth_efficiency", "number", "share of the bandwidth", "1 (off)",
            "(0, 1]; every link stays >= 1kbps",
            "share of every link's nominal bandwidth that transfers can use (docs/calibration.md)"},
           {"message_overhead", "duration", "", "0 (off)", "0 .. 1min",
            "fixed time added once to every message on top of its route latency "
            "(docs/calibration.md)"},
       }},
      {"topology.explicit",
       "topology (kind: explicit)",
       "Hosts are the cluster's nodes; every node must reach every other through the links.",
       {
           {"kind", "string", "", "required", "explicit", "the builder"},
           {"switches", "list of names", "", "none", "names not used by a node",
            "switches to create"},
           {"links", "list of maps", "", "required", "non-empty",
            "links `{from, to, bandwidth, latency}`"},
           {"share", "string", "", "equal", "equal, rtt",
            "how flows split a bottleneck: equal max-min, or weighted by 1 / route latency as "
            "SimGrid's CM02 (docs/collectives.md)"},
           {"bandwidth_efficiency", "number", "share of the bandwidth", "1 (off)",
            "(0, 1]; every link stays >= 1kbps",
            "share of every link's nominal bandwidth that transfers can use (docs/calibration.md)"},
           {"message_overhead", "duration", "", "0 (off)", "0 .. 1min",
            "fixed time added once to every message on top of its route latency "
            "(docs/calibration.md)"},
       }},
      {"topology.link",
       "topology.links[i] (kind: explicit)",
       "",
       {
           {"from", "string", "", "required", "a node or switch", "one end"},
           {"to", "string", "", "required", "a node or switch, not `from`", "the other end"},
           {"bandwidth", "bandwidth", "bits/s or bytes/s", "required", ">= 1kbps",
            "each direction"},
           {"latency", "duration", "", "0", ">= 0", "each direction"},
       }},
  };
}

std::vector<Section> training() {
  const ml::PartitionSpec p;
  const ml::SyntheticSpec syn;
  const ml::SgdConfig sgd;
  const ml::AdamConfig adam;
  return {
      {"data",
       "data",
       "Keys that do not belong to the chosen dataset are errors.",
       {
           {"dataset", "string", "", "required", "fashion-mnist, idx, csv, synthetic",
            "where the samples come from (docs/data.md)"},
           {"path", "string", "", std::string(ml::kDefaultFashionMnistDir) + " for fashion-mnist",
            "a folder of IDX files, plain or gzipped",
            "fashion-mnist and idx: the folder holding the four IDX files"},
           {"train_samples", "integer", "samples", "0 (all)", ">= 1",
            "use only the first N training samples"},
           {"test_samples", "integer", "samples", "0 (all)", ">= 1",
            "use only the first N test samples"},
           {"partition", "string", "", "iid", "iid, dirichlet, shards, natural",
            "how training samples are dealt to the participants"},
           {"alpha", "number", "", number_text(p.alpha), "> 0; partition: dirichlet only",
            "Dirichlet concentration: small alpha concentrates labels"},
           {"shards_per_client", "integer", "shards", std::to_string(p.shards_per_part),
            "1 .. 1000000; partition: shards only",
            "sort by label, cut into N x k shards, deal k to each participant"},
           {"samples", "integer", "samples", "2000", "2 .. 100000000; synthetic only",
            "training samples (test set: samples / 5, or test_samples)"},
           {"features", "integer", "", "20", "1 .. 1000000; synthetic only", "features per sample"},
           {"classes", "integer", "", "4", "2 .. 100000; synthetic only",
            "classes (Gaussian blobs)"},
           {"noise", "number", "", float_text(syn.noise), ">= 0; synthetic only",
            "sd of each blob"},
           {"separation", "number", "", float_text(syn.separation), ">= 0; synthetic only",
            "distance scale between blob centres"},
           {"train", "string", "", "required for csv", "a CSV file with a header row",
            "csv: the training file"},
           {"test", "string", "", "required for csv",
            "a CSV file with the training file's feature columns", "csv: the test file"},
           {"label", "string", "", "label", "a column name", "csv: the integer class column"},
           {"client", "string", "", "none", "a column name",
            "csv: the column naming each training row's client (for partition: natural)"},
       }},
      {"model",
       "model",
       "",
       {
           {"layers", "list of integers", "widths", "[784, 128, 10]",
            "at least two widths of 1 .. 1000000; at most 1e9 parameters",
            "MLP layer widths: first = features, last = classes"},
           {"activation", "string", "", "relu", "relu, tanh, sigmoid",
            "activation of every hidden layer"},
           {"loss", "string", "", "cross_entropy", "cross_entropy, mse",
            "softmax cross-entropy or mean squared error"},
       }},
      {"model.profile",
       "model (with profile)",
       "A layer profile for timing-only runs (`math: none`, `dataset: synthetic`) instead of the "
       "MLP (docs/dnn-profiles.md).",
       {
           {"profile", "string", "", "none (the MLP)",
            "resnet50, vgg16, bert_base, gpt2_small, csv", "the layer profile"},
           {"sequence_length", "integer", "tokens", "128 (bert_base), 1024 (gpt2_small)",
            "1 .. 512 (bert_base), 1 .. 1024 (gpt2_small); transformers only", "tokens per sample"},
           {"file", "string", "path", "required with csv", "a readable CSV; profile: csv only",
            "the user profile, one layer per row: name, kind, parameters, forward_flops, "
            "activation_bytes[, backward_flops]"},
           {"efficiency", "map", "fraction of peak",
            "conv 0.45, linear 0.6, attention 0.35, embedding 0.1, norm 0.1, other 0.1",
            "(0, 1] per kind", "share of the node's FLOP/s a layer of each kind reaches"},
           {"step_overhead", "duration", "", "0", ">= 0",
            "framework time per step, slowed by stragglers like compute"},
       }},
      {"model.efficiency",
       "model.efficiency (with profile)",
       "",
       {
           {"conv", "number", "fraction of peak", "0.45", "(0, 1]", "convolutions"},
           {"linear", "number", "fraction of peak", "0.6", "(0, 1]", "fully connected layers"},
           {"attention", "number", "fraction of peak", "0.35", "(0, 1]", "attention"},
           {"embedding", "number", "fraction of peak", "0.1", "(0, 1]", "embeddings"},
           {"norm", "number", "fraction of peak", "0.1", "(0, 1]", "normalisation"},
           {"other", "number", "fraction of peak", "0.1", "(0, 1]", "everything else"},
       }},
      {"optimizer.sgd",
       "optimizer (kind: sgd)",
       "PyTorch's `torch.optim.SGD` semantics.",
       {
           {"kind", "string", "", "sgd", "sgd, adam", "the optimizer"},
           {"lr", "number", "", float_text(sgd.lr), "> 0, <= 3.4e38", "learning rate"},
           {"momentum", "number", "", float_text(sgd.momentum), "0 .. 1", "momentum"},
           {"weight_decay", "number", "", float_text(sgd.weight_decay), ">= 0", "L2 weight decay"},
           {"nesterov", "bool", "", sgd.nesterov ? "true" : "false", "needs momentum > 0",
            "Nesterov momentum"},
       }},
      {"optimizer.adam",
       "optimizer (kind: adam)",
       "",
       {
           {"kind", "string", "", "sgd", "adam", "the optimizer"},
           {"lr", "number", "", float_text(adam.lr), "> 0, <= 3.4e38", "learning rate"},
           {"beta1", "number", "", float_text(adam.beta1), "0 .. 0.999999", "first-moment decay"},
           {"beta2", "number", "", float_text(adam.beta2), "0 .. 0.999999999",
            "second-moment decay"},
           {"eps", "number", "", float_text(adam.eps), ">= 0", "denominator term"},
           {"weight_decay", "number", "", float_text(adam.weight_decay), ">= 0", "L2 weight decay"},
       }},
      {"stop",
       "stop",
       "At least one of sim_time, epochs or steps.",
       {
           {"sim_time", "duration", "", "none", "> 0", "simulated time limit"},
           {"epochs", "number", "epochs", "none", "> 0",
            "passes over the training set (all participants together)"},
           {"steps", "integer", "model versions", "none", ">= 1",
            "model versions (rounds for fedavg and local_sgd)"},
           {"target_accuracy", "number", "", "none", "(0, 1]; not with math: none",
            "stop once a test evaluation reaches it"},
       }},
      {"eval",
       "eval",
       "The initial and the final model are always evaluated.",
       {
           {"every_steps", "integer", "model versions", "none", ">= 1",
            "evaluate at versions that are multiples of N"},
           {"every", "duration", "", "none", "> 0",
            "and at the first version at or after each multiple of this simulated time"},
       }},
  };
}

std::vector<Section> services_and_outputs() {
  const ClockSyncSpec sync;
  const FailureDetectorSpec fd;
  const OutputsSpec o;
  return {
      {"clock_sync",
       "clock_sync",
       "Every node but the server syncs its clock NTP-style over the simulated network "
       "(docs/clocks.md).",
       {
           {"server", "string", "", "required", "a group of one node", "the time server"},
           {"interval", "duration", "", duration_text(sync.interval), "> 0",
            "time between exchanges, on each client's own clock"},
           {"packet_bytes", "size", "bytes", number_text(sync.packet_bytes), "",
            "request and reply size on the wire"},
           {"correction", "string", "", "step", "step, slew",
            "jump by the measured offset, or slew it in"},
           {"slew_rate_ppm", "number", "ppm", number_text(sync.slew_rate_ppm),
            "(0, 1000000); correction: slew only",
            "how fast a slew corrects (offsets beyond 128 ms are stepped)"},
       }},
      {"failure_detector",
       "failure_detector",
       "Every node but the monitor sends it heartbeats; writes suspicions.csv (docs/clocks.md).",
       {
           {"monitor", "string", "", "required", "a group of one node", "the node that suspects"},
           {"interval", "duration", "", duration_text(fd.interval), "> 0",
            "heartbeat period, on each sender's own clock"},
           {"suspect_after", "integer", "intervals", std::to_string(fd.suspect_after),
            "1 .. 1000000", "k: suspect once k intervals pass without a heartbeat"},
           {"since", "string", "", "arrival", "arrival, sent",
            "count from the last heartbeat's arrival (monitor's clock) or its sender's stamp (a "
            "lease)"},
           {"packet_bytes", "size", "bytes", number_text(fd.packet_bytes), "",
            "heartbeat size on the wire"},
       }},
      {"outputs",
       "outputs",
       "Opt-in larger files; `syncsim run --events --trace --links` turn them on too "
       "(docs/outputs.md).",
       {
           {"events", "bool", "", o.events ? "true" : "false", "",
            "write events.csv (every send and delivery)"},
           {"trace", "bool", "", o.trace ? "true" : "false", "", "write trace.json (Perfetto)"},
           {"links", "bool", "", o.links ? "true" : "false", "",
            "write links.csv (per-link utilisation)"},
           {"links_interval", "duration", "", duration_text(o.links_interval), "> 0",
            "links.csv bucket width"},
           {"clock_interval", "duration", "", duration_text(o.clock_interval),
            "> 0; at most 10 million clock readings per run",
            "how often every clock is read for clocks.csv"},
       }},
  };
}

}  // namespace

std::vector<Section> scenario_sections() {
  std::vector<Section> out;
  for (auto part : {top_and_cluster(), topology(), training(), services_and_outputs()}) {
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

}  // namespace app::schema
