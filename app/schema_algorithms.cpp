// The schema of `algorithm:` (and each entry of `algorithms:`): one section
// per algorithm kind, with the keys its parse function reads
// (app/algorithm_<family>.cpp), and the sections nested in them.
#include "algorithms/sync/ps_ssp.h"
#include "app/schema.h"
#include "app/schema_algorithm_keys.h"

namespace app::schema {

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

namespace {

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
  std::vector<Section> sections = {
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
  };
  // The reference's order: the federated kinds after the data-parallel ones,
  // then the plug-ins every kind may name.
  for (auto part : {federated_sections(), plugin_sections()}) {
    sections.insert(sections.end(), part.begin(), part.end());
  }
  return sections;
}

}  // namespace app::schema
