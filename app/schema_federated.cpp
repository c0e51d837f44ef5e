// The schema of the federated algorithm kinds (fedavg, fedprox, scaffold,
// fedbuff, fedasync, hierfl) and the sections nested in them: device keys,
// server optimizers. Their parse functions are app/algorithm_fedavg.cpp,
// app/algorithm_fedbuff.cpp and app/algorithm_hierfl.cpp.
#include "algorithms/sync/fedavg.h"
#include "app/schema.h"
#include "app/schema_algorithm_keys.h"

namespace app::schema {
namespace {

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
  keys.push_back(holdout_key());
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
}  // namespace

std::vector<Section> federated_sections() {
  const algo::FedAvgConfig fed;
  return {
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
  };
}

}  // namespace app::schema
