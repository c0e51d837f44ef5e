// hierfl: hierarchical federated learning (HierFAVG, Liu et al. 2020,
// "Client-Edge-Cloud Hierarchical Federated Learning").
//
// Three tiers, each a set of topology nodes with its own links: one cloud
// server, E edge aggregators, N clients. Client k belongs to edge
// floor(k * E / N) (contiguous blocks in client order, so clients listed
// rack by rack share their rack's edge). A cloud round:
//   1. the cloud sends the global model to every edge;
//   2. each edge runs `edge_rounds` edge rounds: it sends its model to all
//      its clients; each trains a fresh replica for `local_epochs` over its
//      shard (a new batch order per edge round, its straggler draws going
//      on, as in fedavg) and uploads its model; the edge's new model is the
//      weighted mean of its clients' models (weights: shard sizes, in client
//      order, through the one averaging kernel);
//   3. each edge uploads its model; the cloud's new model is the weighted
//      mean of the edge models (weights: the edges' data sizes, in edge
//      order), and it publishes version r + 1.
// Every client joins every edge round (no sampling, no deadline). So with
// one edge and one edge round per cloud round this is FedAvg with every
// client every round, bit for bit (tested). `stop.steps` counts cloud
// rounds; every client update is applied at its edge with staleness 0.
// Aggregation costs 2 x P FLOPs per model at the edge or cloud node.
//
// Accounting (docs/accounting.md): one update is a client's upload, produced
// when the client sends it, applied when its edge averages it (after the
// edge's compute), lost with its message, dropped as crashed if its edge
// crashes while holding it. An edge's model is no update of its own and
// carries none: its clients' uploads were applied when the edge averaged
// them.
//
// Faults: there are no deadlines, so nothing recovers. A crashed client
// stops its work (an upload it had not sent is never made); a crashed edge
// stops for good, dropping what it held; a lost model or upload leaves its
// receiver waiting. The run then stalls, and stall_reason() says which
// tier waits for which node.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/assignment.h"
#include "algorithms/runtime/compute_model.h"
#include "algorithms/runtime/update_census.h"
#include "sim/mailbox.h"

namespace algo {

struct HierFlConfig {
  int server = 0;            // the cloud: index into RunContext::nodes
  std::vector<int> edges;    // >= 1 edge aggregators, <= clients
  std::vector<int> clients;  // >= 1 clients
  int local_epochs = 1;      // kappa_1, in epochs: local training per edge round, >= 1
  int edge_rounds = 1;       // kappa_2: edge rounds per cloud round, >= 1
  int batch_size = 32;       // >= 1
  AssignmentPolicy assignment = AssignmentPolicy::equal;
};

class HierFl final : public Algorithm {
 public:
  explicit HierFl(HierFlConfig config);  // invalid_argument on a bad config
  ~HierFl() override;
  std::string_view name() const override { return "hierfl"; }
  void launch(RunContext& ctx) override;
  const ml::Vector& global_parameters() const override { return params_; }
  std::string stall_reason() const override;
  void on_host_crashed(topology::NodeId host) override;
  std::optional<std::int64_t> updates_outstanding() const override { return outstanding_; }

  // The edge (position in config.edges) that client `k` (position in
  // config.clients) belongs to: floor(k * E / N).
  static int edge_of(int k, int edges, int clients);

 private:
  struct Model {   // a model on the move, and what it came from
    int from = 0;  // the sender's position among its tier
    std::shared_ptr<const ml::Vector> values;
    std::int64_t samples = 0;  // trained into it since the last download
    UpdateCopy update_copy;    // a client's upload only (see Accounting)
  };
  using Inbox = sim::Mailbox<Model>;

  sim::Task cloud();
  sim::Task edge(int e);
  sim::Task client(int k);
  // The weighted mean of `models` (sorted by sender) with `weights[from]`,
  // on `node`'s clock; returns it with the samples behind it.
  sim::Task average(std::vector<Model>& models, const std::vector<std::int64_t>& weights,
                    ComputeModel& compute, Model& out);
  topology::NodeId host(int node_index) const;
  // Edge `e` let go of every upload it held (its host crashed, or its
  // process found out it had): each still unsettled is dropped as crashed.
  void drop_held(int e);
  bool crashed(int node_index) const;

  HierFlConfig config_;
  RunContext* ctx_ = nullptr;
  ml::Vector params_;
  std::int64_t param_bytes_ = 0;
  std::vector<ml::Shard> shards_;
  std::vector<int> batch_sizes_;
  std::vector<ComputeModel> client_compute_;
  std::vector<ComputeModel> edge_compute_;
  std::unique_ptr<ComputeModel> cloud_compute_;
  std::vector<std::int64_t> edge_weight_;  // data under each edge
  std::vector<std::vector<int>> members_;  // each edge's clients, in order
  std::unique_ptr<Inbox> cloud_inbox_;     // edge models
  std::vector<std::unique_ptr<Inbox>> edge_down_, edge_up_, client_inbox_;
  // Accounting and stalls, owned by the event loop.
  std::int64_t outstanding_ = 0;  // the ledger's uploads produced and not yet settled or lost
  std::vector<std::vector<UpdateCopy::Fate>> held_;  // each edge's delivered, unapplied uploads
  std::vector<std::vector<int>> awaited_;            // the clients each edge waits for now
};

}  // namespace algo
