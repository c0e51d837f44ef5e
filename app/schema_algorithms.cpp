// The schema of `algorithm:` (and each entry of `algorithms:`): one section
// per algorithm kind, with the keys its parse function reads
// (app/algorithm_<family>.cpp), and the sections nested in them.
#include "algorithms/sync/fedavg.h"
#include "algorithms/sync/ps_ssp.h"
#include "app/schema.h"

namespace app::schema {
namespace {

Key kind_key(const std::string& kind) {
  return {"kind", "string", "", "required", kind, "the algorithm (docs/algorithms.md)"};
}
Key label_key() {
  return {"label",
          "string",
          "",
          "the kind",
          "non-empty, no `,` `\"` or newline; distinct in `algorithms:`",
          "names the algorithm's rows in every output"};
}
Key workers_key() {
  return {"workers",
          "group name(s)",
          "",
          "worker",
          "a group or a list of groups",
          "the training nodes, in cluster order"};
}
Key batch_key() {
  return {"batch_size", "integer",      "samples",
          "32",         "1 .. 1000000", "samples per worker per local step"};
}
Key assignment_key() {
  return {"assignment",
          "string",
          "",
          "equal",
          "equal, random, capacity",
          "task assignment: equal shards, random per sample, or shard and batch proportional to "
          "FLOP/s"};
}
Key aggregator_key() {
  return {"aggregator",
          "name or map",
          "",
          "weighted_mean",
          "a registered aggregator (`NAME` or `{kind: NAME, ...}`)",
          "how contributions are combined (docs/extending.md)"};
}
Key compressor_key() {
  return {"compressor",
          "name or map",
          "",
          "none",
          "a registered compressor (`NAME` or `{kind: NAME, ...}`)",
          "what is done to a message's values before sending"};
}

// The keys of every parameter server (app/algorithm_ps.cpp, ps_keys_and).
std::vector<Key> ps_keys(const std::string& kind, std::vector<Key> extra) {
  std::vector<Key> keys = {
      kind_key(kind),
      label_key(),
      {"server", "group name", "", "server", "a group of one node; not with servers",
       "the parameter server"},
      {"servers", "group name(s)", "", "none", "groups of k >= 1 nodes; not with server",
       "a sharded server: parameters in k contiguous slices, slice j on server j"},
      workers_key(),
      batch_key(),
      assignment_key(),
      {"checkpoint_interval", "integer", "model versions", "none", "1 .. 1000000000",
       "a server shard saves its state every K versions and restarts from it after a crash"},
      {"rpc_timeout", "duration", "", "none", "> 0",
       "a worker resends an unanswered push or join after T on its own clock, and again every T"},
      aggregator_key(),
      compressor_key(),
  };
  keys.insert(keys.end(), extra.begin(), extra.end());
  return keys;
}

// The keys of every data-parallel algorithm (app/algorithm_allreduce.cpp, keys_and).
std::vector<Key> dp_keys(const std::string& kind, std::vector<Key> extra) {
  std::vector<Key> keys = {
      kind_key(kind),
      label_key(),
      workers_key(),
      batch_key(),
      assignment_key(),
      {"elastic", "map", "", "none", "`{timeout, coordinator}`",
       "re-form among the survivors after a crash or partition, as Horovod elastic does"},
  };
  keys.insert(keys.end(), extra.begin(), extra.end());
  return keys;
}

Key segments_key() {
  return {"segments",
          "integer",
          "messages per chunk",
          "1",
          "1 .. 1024; ring, hierarchical and pipelined_chain only",
          "split each chunk into this many messages, pipelined over one connection "
          "(docs/collectives.md)"};
}
Key protocol_key() {
  return {"protocol",
          "string",
          "",
          "eager",
          "eager, rendezvous; ring and hierarchical only",
          "whether a rank's next step also waits for its own send to arrive"};
}
Key order_key() {
  return {"order",
          "string",
          "",
          "nearest_first",
          "nearest_first, farthest_first; rabenseifner only",
          "the distance of the first halving exchange"};
}
Key intra_rack_key() {
  return {"intra_rack",
          "string",
          "",
          "binomial",
          "binomial, flat, ring; hierarchical only",
          "how a rack reduces and broadcasts: to and from its leader (binomial, flat), or a ring "
          "reduce-scatter and all-gather with per-shard rings across racks (ring)"};
}

Key holdout_key() {
  return {"holdout",
          "number",
          "fraction",
          "0",
          "[0, 0.9]",
          "f: floor(f n_k) rows of each client's shard, drawn on its own stream, are kept out of "
          "training; clients.csv's accuracy is measured on them (docs/federated.md, Metrics)"};
}

// The client device keys (app/fl_devices_loader.cpp) of every federated
// server with clients: FedAvg's family and the asynchronous ones, which
// refuse over_selection (they have no rounds).
void add_device_keys(std::vector<Key>& keys, bool rounds) {
  const std::vector<Key> device = {
      {"availability_trace", "path", "", "none",
       "a CSV file `client,start_s,end_s`; not with diurnal",
       "each client's online intervals; a round samples only clients online at its start "
       "(docs/federated.md, Devices)"},
      {"diurnal", "map", "", "none",
       "`{time_scale, mean_session, peak_fraction, trough_fraction}`; not with availability_trace",
       "draw each client's online sessions from a daily pattern (seeded)"},
      {"tiers", "list of maps", "", "none",
       "`[{name, share, compute, uplink, downlink}, ...]`; not with device_trace",
       "device tiers: each client draws one by share (seeded)"},
      {"device_trace", "path", "", "none",
       "a CSV file `client,compute,uplink,downlink`; not with tiers",
       "each client's compute factor and link speeds"},
      {"selection", "string", "", "uniform", "uniform, oort",
       "how a round picks its clients among the online ones"},
      {"oort", "map", "", "none",
       "`{exploration, alpha, preferred_duration}`; with selection: oort", "Oort's parameters"},
  };
  keys.insert(keys.end(), device.begin(), device.end());
  if (rounds) {
    keys.push_back({"over_selection", "number", "fraction", "0", "0 .. 100",
                    "o: sample ceil(K (1 + o)) clients, keep the first K updates, drop the rest "
                    "as late"});
  } else {
    keys.push_back({"over_selection", "number", "fraction", "0", "refused: no rounds",
                    "not for fedbuff and fedasync: without rounds there is nothing to over-select "
                    "(concurrency keeps C clients training)"});
  }
}

// The keys of FedAvg and the strategies built on it (app/algorithm_fedavg.cpp).
std::vector<Key> fed_keys(const std::string& kind, const algo::FedAvgConfig& fed,
                          std::vector<Key> extra) {
  std::vector<Key> keys = {
      kind_key(kind),
      label_key(),
      {"server", "group name", "", "server", "a group of one node", "the server"},
      {"clients", "group name(s)", "", "client", "a group or a list of groups",
       "the clients, in cluster order"},
      {"clients_per_round", "integer", "clients", "all", "1 .. clients",
       "K clients sampled each round (seeded)"},
      {"local_epochs", "integer", "epochs", std::to_string(fed.local_epochs), "1 .. 1000000",
       "E: passes over its shard per round"},
      batch_key(),
      {"deadline", "duration", "", "none", "> 0",
       "the server closes a round this long after its start (its clock); later updates are "
       "dropped"},
      {"availability", "number", "probability", number_text(fed.availability), "(0, 1]",
       "chance that a sampled client is online"},
      assignment_key(),
      aggregator_key(),
      compressor_key(),
      {"server_optimizer", "name or map", "", "none",
       "none, sgd, fedavgm, fedadam, fedyogi, fedadagrad",
       "the server's step on the pseudo-gradient, after the aggregator"},
      holdout_key(),
  };
  add_device_keys(keys, true);
  keys.insert(keys.end(), extra.begin(), extra.end());
  return keys;
}

// The keys of hierarchical FL (app/algorithm_hierfl.cpp).
std::vector<Key> hierfl_keys() {
  std::vector<Key> keys = {
      kind_key("hierfl"),
      label_key(),
      {"server", "group name", "", "server", "a group of one node", "the cloud server"},
      {"edges", "group name(s)", "", "edge", "1 .. clients nodes",
       "the edge aggregators; client k belongs to edge floor(k E / N)"},
      {"clients", "group name(s)", "", "client", "a group or a list of groups",
       "the clients, in cluster order"},
      {"local_epochs", "integer", "epochs", "1", "1 .. 1000000",
       "kappa1: passes over its shard per edge round"},
      {"edge_rounds", "integer", "rounds", "2", ">= 1", "kappa2: edge rounds per cloud round"},
      batch_key(),
      assignment_key(),
      {"clients_per_round", "integer", "clients", "all", "1 .. clients",
       "K clients the cloud samples each cloud round, in total (seeded); each edge trains "
       "with its own"},
      {"deadline", "duration", "", "none", "> 0",
       "an edge round closes this long after it starts (the edge's clock); later uploads "
       "are dropped"},
      {"cloud_deadline", "duration", "", "none", "> 0",
       "a cloud round closes this long after it starts (the cloud's clock) with the edges "
       "that reported; crashed edges recover"},
  };
  add_device_keys(keys, true);
  return keys;
}

// The keys of the asynchronous federated servers (app/algorithm_fedbuff.cpp).
std::vector<Key> async_fl_keys(const std::string& kind, std::vector<Key> extra) {
  std::vector<Key> keys = {
      kind_key(kind),
      label_key(),
      {"server", "group name", "", "server", "a group of one node", "the server"},
      {"clients", "group name(s)", "", "client", "a group or a list of groups",
       "the clients, in cluster order"},
      {"concurrency", "integer", "clients", "all", "1 .. clients", "clients training at once"},
      {"staleness_exponent", "number", "", "0.5", "0 .. 100", "a in the weight (1 + staleness)^-a"},
      {"local_epochs", "integer", "epochs", "1", "1 .. 1000000",
       "passes over its shard per update"},
      batch_key(),
      assignment_key(),
      {"client_timeout", "duration", "", "none", "> 0",
       "the server drops a client's update this long after sending it the model (its clock) "
       "and starts another client in the slot"},
      holdout_key(),
  };
  add_device_keys(keys, false);
  keys.insert(keys.end(), extra.begin(), extra.end());
  return keys;
}

Key bucket_cap_key() {
  return {"bucket_cap",
          "size",
          "bytes",
          "25MiB",
          ">= 4 B; needs a layer profile, not with elastic",
          "DDP gradient bucket size, filled in reverse layer order (docs/dnn-profiles.md)"};
}
Key overlap_key() {
  return {"overlap",
          "bool",
          "",
          "true",
          "true, false; needs a layer profile, not with elastic",
          "start each bucket's all-reduce as soon as its gradients are computed"};
}

}  // namespace

std::vector<Section> algorithm_sections() {
  const algo::PsSspConfig ssp;
  const algo::FedAvgConfig fed;
  return {
      {"algorithm.overrides",
       "algorithm (every kind)",
       "Keys every algorithm entry may hold besides its kind's own.",
       {
           {"optimizer", "map", "", "the scenario's `optimizer:`",
            "the keys of `optimizer` (same kind: laid over the scenario's; another kind: that "
            "kind's defaults)",
            "this algorithm's own optimizer, so a comparison can tune each algorithm"},
           {"privacy", "map", "", "none", "the keys of `algorithm.privacy`",
            "differential privacy: DP-SGD for the workers or clients, or DP-FedAvg at the server; "
            "summary.csv reports epsilon (docs/robustness-and-privacy.md)"},
       }},
      {"algorithm.privacy",
       "algorithm.privacy (every kind)",
       "DP-SGD (per-example clipping and Gaussian noise in every local step) or DP-FedAvg (client "
       "updates clipped, noise added at the server); epsilon from the RDP accountant.",
       {
           {"mechanism", "string", "", "required",
            "dp_sgd (any kind but fedprox, scaffold); dp_fedavg (fedavg, fedprox; no aggregator, "
            "no byzantine clients)",
            "what is privatised: each example's gradient, or each client's update"},
           {"clip", "number", "L2 norm", "required", "(0, 1000000]",
            "C: each example's gradient (dp_sgd) or client's update (dp_fedavg) is scaled down to "
            "norm at most C"},
           {"noise_multiplier", "number", "", "required", "0 .. 1000000",
            "sigma: Gaussian noise of standard deviation sigma x C per coordinate of the sum; 0 "
            "gives epsilon = inf"},
           {"delta", "number", "probability", "1e-05", "(0, 1)",
            "the delta at which epsilon is reported"},
       }},
      {"algorithm.ps_sync", "algorithm (kind: ps_sync)", "Bulk-synchronous parameter server.",
       ps_keys(
           "ps_sync",
           {
               {"backup_workers", "integer", "workers", "0", "0 .. workers - 1; single server",
                "close a step at the first N - b gradients, drop the late ones"},
               {"timeout", "duration", "", "none", "> 0; single server",
                "close a step this long after its parameters went out (server's clock)"},
               {"bucket_cap", "size", "bytes", "none (the whole model in one message per server)",
                ">= 4 B (4B: one layer per bucket); needs a layer profile; not with "
                "backup_workers, timeout, rpc_timeout, checkpoint_interval",
                "push and pull per bucket of layers, filled in reverse layer order; the next "
                "forward pass of a layer waits for its bucket only (docs/dnn-profiles.md)"},
               {"overlap", "bool", "", "true", "true, false; needs bucket_cap",
                "push each bucket as soon as its gradients are computed"},
               {"priority", "string", "", "none", "none, layer_order; needs bucket_cap",
                "send queues and the server serve the lowest layer first (P3, ByteScheduler); "
                "none: first in, first out"},
           })},
      {"algorithm.ps_async", "algorithm (kind: ps_async)",
       "Asynchronous parameter server: one optimizer step per gradient.", ps_keys("ps_async", {})},
      {"algorithm.ps_ssp", "algorithm (kind: ps_ssp)", "Stale-synchronous parameter server.",
       ps_keys("ps_ssp",
               {
                   {"staleness_bound", "integer", "clocks", std::to_string(ssp.staleness_bound),
                    "0 .. 1000000", "s: a worker more than s clocks ahead of the slowest waits"},
               })},
      {"algorithm.gossip",
       "algorithm (kind: gossip)",
       "D-PSGD: local steps, then Metropolis-Hastings mixing with the neighbours.",
       {
           kind_key("gossip"),
           label_key(),
           workers_key(),
           batch_key(),
           assignment_key(),
           {"graph", "name or map", "", "ring",
            "ring, complete, exponential, topology, `{kind: torus, dims: [r, c]}`, `{kind: edges, "
            "edges: [[a, b], ...]}`; connected",
            "who talks to whom"},
           {"timeout", "duration", "", "none", "> 0",
            "wait at most this long (worker's clock) for the neighbours' replicas"},
       }},
      {"algorithm.gossip.graph.torus",
       "algorithm.graph (kind: torus)",
       "",
       {
           {"kind", "string", "", "required", "torus", "a 2-D torus"},
           {"dims", "list of integers", "", "required", "[rows, columns], rows x columns = workers",
            "worker i at (i / columns, i mod columns)"},
       }},
      {"algorithm.gossip.graph.edges",
       "algorithm.graph (kind: edges)",
       "",
       {
           {"kind", "string", "", "required", "edges", "an explicit edge list"},
           {"edges", "list of pairs", "worker indices", "required",
            "pairs [a, b] of 0 .. N-1, a != b, none twice", "the undirected edges"},
       }},
      {"algorithm.gossip.graph.named",
       "algorithm.graph (kind: ring, complete, exponential or topology)",
       "The map form of a named graph.",
       {
           {"kind", "string", "", "required", "ring, complete, exponential, topology", "the graph"},
       }},
      {"algorithm.allreduce_ring", "algorithm (kind: allreduce_ring)",
       "Ring all-reduce of the gradients every step.",
       dp_keys("allreduce_ring", {segments_key(), protocol_key(), compressor_key(),
                                  bucket_cap_key(), overlap_key()})},
      {"algorithm.allreduce_tree", "algorithm (kind: allreduce_tree)",
       "Tree-shaped all-reduce of the gradients every step.",
       dp_keys("allreduce_tree",
               {
                   {"variant", "string", "", "rabenseifner",
                    "rabenseifner, binomial_tree, binary_tree, pipelined_chain",
                    "the collective (docs/collectives.md)"},
                   order_key(),
                   segments_key(),
                   compressor_key(),
                   bucket_cap_key(),
                   overlap_key(),
               })},
      {"algorithm.allreduce_hierarchical", "algorithm (kind: allreduce_hierarchical)",
       "Reduce in each rack, ring among the rack leaders, broadcast in the rack.",
       dp_keys("allreduce_hierarchical", {segments_key(), intra_rack_key(), protocol_key(),
                                          compressor_key(), bucket_cap_key(), overlap_key()})},
      {"algorithm.local_sgd", "algorithm (kind: local_sgd)",
       "H local steps, then the replicas' parameters are averaged.",
       dp_keys("local_sgd",
               {
                   {"local_steps", "integer", "steps", "4", "1 .. 1000000",
                    "H: optimizer steps between averagings"},
                   {"collective", "string", "", "ring",
                    "ring, rabenseifner, binomial_tree, binary_tree, pipelined_chain, hierarchical",
                    "the collective that averages"},
                   segments_key(),
                   order_key(),
                   intra_rack_key(),
                   protocol_key(),
               })},
      {"algorithm.elastic",
       "algorithm.elastic (all-reduce and local_sgd)",
       "",
       {
           {"timeout", "duration", "", "required", "> 0; longer than one all-reduce of the model",
            "abort a collective not finished within this (worker's clock), then re-form"},
           {"coordinator", "group name", "", "the first worker", "a group of one node",
            "the node that forms new epochs"},
       }},
      {"algorithm.fedavg", "algorithm (kind: fedavg)", "Federated averaging.",
       fed_keys("fedavg", fed, {})},
      {"algorithm.fedprox", "algorithm (kind: fedprox)",
       "FedAvg with the proximal term mu/2 ||w - w_global||^2 in each client's objective "
       "(docs/federated.md).",
       fed_keys("fedprox", fed,
                {
                    {"mu", "number", "", "0.01", "0 .. 1000000",
                     "weight of the proximal term; 0 is FedAvg"},
                })},
      {"algorithm.scaffold", "algorithm (kind: scaffold)",
       "FedAvg with server and client control variates (option II); downloads and uploads carry "
       "both, so the bytes double (docs/federated.md).",
       fed_keys("scaffold", fed, {})},
      {"algorithm.fed.diurnal",
       "algorithm.diurnal (fedavg, fedprox, scaffold, fedbuff, fedasync, hierfl)",
       "Online fraction p(t) = trough + (peak - trough) (1 + cos(2 pi t / period)) / 2, peak at t "
       "= 0; sessions Exp(mean_session), gaps Exp(mean_session (1 - p) / p) (docs/federated.md).",
       {
           {"time_scale", "number", "", "1", "> 0",
            "the period is 24h x time_scale of simulated time"},
           {"mean_session", "duration", "", "1h", "> 0",
            "mean online session, in simulated time (not scaled)"},
           {"peak_fraction", "number", "fraction", "0.5", "(0, 1]",
            "fraction of clients online at the peak"},
           {"trough_fraction", "number", "fraction", "min(0.1, peak_fraction)",
            "(0, peak_fraction]", "fraction of clients online at the trough"},
       }},
      {"algorithm.fed.tiers",
       "algorithm.tiers[] (fedavg, fedprox, scaffold, fedbuff, fedasync, hierfl)",
       "One device tier; the shares sum to 1.",
       {
           {"name", "string", "", "required", "distinct", "the tier"},
           {"share", "number", "fraction", "required", "(0, 1]",
            "chance that a client draws this tier"},
           {"compute", "number", "factor", "1", "> 0", "times the client's FLOP/s"},
           {"uplink", "bandwidth", "", "the topology's", "> 0",
            "capacity out of the client's host on each of its links"},
           {"downlink", "bandwidth", "", "the topology's", "> 0",
            "capacity into the client's host on each of its links"},
       }},
      {"algorithm.fed.oort",
       "algorithm.oort (fedavg, fedprox, scaffold, fedbuff, fedasync, hierfl)",
       "Utility L sqrt(n) (T / d)^alpha when d > T (docs/federated.md).",
       {
           {"exploration", "number", "fraction", "0.1", "[0, 1]",
            "epsilon: ceil(epsilon K) slots go to unexplored clients"},
           {"alpha", "number", "", "2", "0 .. 100", "straggler penalty exponent"},
           {"preferred_duration", "duration", "", "the deadline or client_timeout, else none",
            "> 0", "T: rounds slower than this are penalised"},
       }},
      {"algorithm.server_optimizer.sgd",
       "algorithm.server_optimizer (kind: sgd or fedavgm)",
       "A step on the pseudo-gradient (aggregate minus the round's model) after the aggregator "
       "(docs/federated.md).",
       {
           {"kind", "string", "", "required", "none, sgd, fedavgm, fedadam, fedyogi, fedadagrad",
            "the server optimizer"},
           {"lr", "number", "", "1", "> 0", "server learning rate"},
           {"momentum", "number", "", "0 (sgd), 0.9 (fedavgm)", "[0, 1)", "server momentum"},
       }},
      {"algorithm.server_optimizer.fedadagrad",
       "algorithm.server_optimizer (kind: fedadagrad)",
       "",
       {
           {"kind", "string", "", "required", "fedadagrad", "the server optimizer"},
           {"lr", "number", "", "0.01", "> 0", "server learning rate"},
           {"beta1", "number", "", "0.9", "[0, 1)", "first-moment decay"},
           {"tau", "number", "", "0.001", "> 0", "adaptivity floor"},
       }},
      {"algorithm.server_optimizer.adaptive",
       "algorithm.server_optimizer (kind: fedadam or fedyogi)",
       "",
       {
           {"kind", "string", "", "required", "fedadam, fedyogi", "the server optimizer"},
           {"lr", "number", "", "0.01", "> 0", "server learning rate"},
           {"beta1", "number", "", "0.9", "[0, 1)", "first-moment decay"},
           {"beta2", "number", "", "0.99", "[0, 1)", "second-moment decay"},
           {"tau", "number", "", "0.001", "> 0", "adaptivity floor"},
       }},
      {"algorithm.fedbuff", "algorithm (kind: fedbuff)",
       "Buffered asynchronous FL: the server steps every K arrivals, each weighted by (1 + "
       "staleness)^-a (docs/federated.md).",
       async_fl_keys(
           "fedbuff",
           {
               {"buffer_size", "integer", "updates", "min(10, concurrency)", "1 .. concurrency",
                "K: arrivals per server step"},
               {"server_lr", "number", "", "1", "> 0", "server step size on the buffer's mean"},
           })},
      {"algorithm.fedasync", "algorithm (kind: fedasync)",
       "Asynchronous FL: each arrival is mixed in with weight mixing x (1 + staleness)^-a "
       "(docs/federated.md).",
       async_fl_keys("fedasync",
                     {
                         {"mixing", "number", "", "0.6", "(0, 1]", "alpha, the mixing weight"},
                     })},
      {"algorithm.hierfl", "algorithm (kind: hierfl)",
       "Hierarchical FL (HierFAVG): clients -> edge aggregators -> cloud (docs/federated.md).",
       hierfl_keys()},
      {"plugin",
       "aggregator / compressor (map form, a plug-in without keys)",
       "`aggregator: mean` and `aggregator: {kind: mean}` are the same. Plug-ins with keys of "
       "their own have sections below.",
       {
           {"kind", "string", "", "required", "a registered plug-in name", "the plug-in"},
       }},
      {"aggregator.trimmed_mean",
       "aggregator (kind: trimmed_mean)",
       "Per coordinate, drop the floor(beta n) smallest and largest values and average the rest "
       "(docs/robustness-and-privacy.md).",
       {
           {"kind", "string", "", "required", "trimmed_mean", "the rule"},
           {"beta", "number", "fraction", "required", "[0, 0.5)", "fraction trimmed from each end"},
       }},
      {"aggregator.krum",
       "aggregator (kind: krum)",
       "The contribution with the smallest sum of squared distances to its n - f - 2 nearest "
       "others.",
       {
           {"kind", "string", "", "required", "krum", "the rule"},
           {"f", "integer", "attackers", "required", ">= 0", "attackers assumed"},
       }},
      {"aggregator.multi_krum",
       "aggregator (kind: multi_krum)",
       "The mean of the m best contributions by Krum's score.",
       {
           {"kind", "string", "", "required", "multi_krum", "the rule"},
           {"f", "integer", "attackers", "required", ">= 0", "attackers assumed"},
           {"m", "integer", "contributions", "required", "1 .. 1000000", "how many are averaged"},
       }},
      {"aggregator.geometric_median",
       "aggregator (kind: geometric_median)",
       "Fixed-iteration Weiszfeld, started at the mean: deterministic.",
       {
           {"kind", "string", "", "required", "geometric_median", "the rule"},
           {"iterations", "integer", "", "10", "0 .. 1000", "Weiszfeld steps"},
       }},
      {"aggregator.centered_clipping",
       "aggregator (kind: centered_clipping)",
       "Karimireddy et al. 2021: clip each contribution's distance to the last aggregate at tau.",
       {
           {"kind", "string", "", "required", "centered_clipping", "the rule"},
           {"tau", "number", "L2 norm", "required", "> 0", "clipping radius"},
           {"iterations", "integer", "", "1", "1 .. 1000", "clipping iterations"},
       }},
      {"byzantine.sign_flip",
       "cluster.<group>.byzantine (kind: sign_flip)",
       "Sends -c times its honest part.",
       {
           {"kind", "string", "", "required", "sign_flip", "the attack"},
           {"scale", "number", "", "1", ">= 0", "c"},
       }},
      {"byzantine.scale",
       "cluster.<group>.byzantine (kind: scale)",
       "Sends c times its honest part.",
       {
           {"kind", "string", "", "required", "scale", "the attack"},
           {"scale", "number", "", "required", "any", "c"},
       }},
      {"byzantine.gaussian",
       "cluster.<group>.byzantine (kind: gaussian)",
       "Sends Gaussian noise from the node's own stream.",
       {
           {"kind", "string", "", "required", "gaussian", "the attack"},
           {"std", "number", "", "1", ">= 0", "standard deviation per coordinate"},
       }},
      {"byzantine.alie",
       "cluster.<group>.byzantine (kind: alie)",
       "A little is enough (Baruch et al. 2019): the honest mean minus z times the honest "
       "per-coordinate standard deviation.",
       {
           {"kind", "string", "", "required", "alie", "the attack"},
           {"z", "number", "", "1", "any", "z"},
       }},
      {"compressor.sparsifier",
       "compressor (kind: topk or randk)",
       "Keep k elements: the largest in magnitude (topk) or a uniform random choice from the "
       "sender's own stream (randk). Give fraction or count. docs/compression.md.",
       {
           {"kind", "string", "", "required", "topk, randk", "the sparsifier"},
           {"fraction", "number", "fraction of elements", "none (this or count)", "(0, 1]",
            "keep ceil(fraction x n) elements, at least 1"},
           {"count", "integer", "elements", "none (this or fraction)", ">= 1",
            "keep min(count, n) elements"},
           {"error_feedback", "bool", "", "false", "true, false",
            "add what was not sent to the next vector"},
       }},
      {"compressor.qsgd",
       "compressor (kind: qsgd)",
       "Stochastic quantisation to s levels per sign (QSGD), rounding from the sender's own "
       "stream. docs/compression.md.",
       {
           {"kind", "string", "", "required", "qsgd", "the quantiser"},
           {"levels", "integer", "levels", "required", "1 .. 2147483647", "s"},
           {"error_feedback", "bool", "", "false", "true, false",
            "add what was not sent to the next vector"},
       }},
      {"compressor.sign",
       "compressor (kind: sign)",
       "One bit per element and one scale (the mean magnitude). docs/compression.md.",
       {
           {"kind", "string", "", "required", "sign", "scaled sign"},
           {"error_feedback", "bool", "", "false", "true, false",
            "add what was not sent to the next vector"},
       }},
  };
}

}  // namespace app::schema
