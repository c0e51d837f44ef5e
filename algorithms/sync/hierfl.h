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
// Without the keys below every client joins every edge round (no sampling,
// no deadline). So with one edge and one edge round per cloud round this is
// FedAvg with every client every round, bit for bit (tested). `stop.steps`
// counts cloud rounds; every client update is applied at its edge with
// staleness 0. Aggregation costs 2 x P FLOPs per model at the edge or cloud.
//
// Sampling (clients_per_round K): at the start of each cloud round the cloud
// samples M = ceil(K (1 + o)) of the clients online then (over-selection o,
// at most all of them) by the selection policy, on its own stream
// (seed, cloud, "hierfl-sampling"), and sends each edge that got some of
// them the model with its list; the others sit the round out. The edge runs
// all its edge rounds with those s_e clients and keeps the first k_e
// uploads of each edge round (the rest are late), the K shared among the
// edges in proportion to s_e (apportion(); an edge given 0 sits out). Its model
// goes to the cloud weighted by the data of the clients it applied at least
// once in the cloud round (all its data with full participation); an edge
// that applied none sends its model with weight 0, and the cloud leaves it
// out. K = N samples everyone without a draw: today's run, bit for bit.
//
// Deadlines: with an edge `deadline` an edge round closes that long after it
// starts on the edge's clock (a receive_until on its inbox), with the
// uploads that arrived; the clients it waits for then are counted by reason
// in rounds.csv (lost, crashed, unreachable: model lost on the way, offline,
// else late), and each upload that reaches the edge after the close is
// dropped as late when the edge takes it out of its inbox. A client gives up
// (finishing at most its batch, sending nothing) once the edge has closed
// its round, or with modelled clocks once its own clock reads the close it
// was told. With a `cloud_deadline` the cloud closes its round that long
// after it starts (its clock) and averages the edges that reported; an edge
// still working for a closed cloud round stops before its next edge round
// and sends nothing, and an edge model that arrives late is discarded (it
// carries no update of its own). With the cloud deadline a crashed edge
// recovers: rebooted, it waits for the cloud's next model.
//
// Devices (fl_devices.h, as for FedAvg): availability schedules (a client
// is sampled only when online at the cloud round's start; one whose session
// ends before its upload leaves stops, and its edge stops waiting for it
// then), tiers or a device trace (the clients' FLOP/s and link speeds),
// selection uniform or oort (utility from the uploads the edges see; T
// defaults to the edge deadline).
//
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/assignment.h"
#include "algorithms/runtime/compute_model.h"
#include "algorithms/runtime/fl_metrics.h"
#include "algorithms/runtime/update_census.h"
#include "algorithms/sync/fl_devices.h"
#include "sim/mailbox.h"
#include "sim/random.h"

namespace algo {

struct HierFlConfig {
  int server = 0;            // the cloud: index into RunContext::nodes
  std::vector<int> edges;    // >= 1 edge aggregators, <= clients
  std::vector<int> clients;  // >= 1 clients
  int local_epochs = 1;      // kappa_1, in epochs: local training per edge round, >= 1
  int edge_rounds = 1;       // kappa_2: edge rounds per cloud round, >= 1
  int batch_size = 32;       // >= 1
  AssignmentPolicy assignment = AssignmentPolicy::equal;
  int clients_per_round = 0;     // K in [1, N] sampled per cloud round, in total; 0: all
  sim::Time edge_deadline = 0;   // > 0: an edge round closes this long after it starts
  sim::Time cloud_deadline = 0;  // > 0: a cloud round closes this long after it starts
  FlDevicesConfig devices;       // schedules, device speeds, over-selection, selection
  double holdout = 0.0;          // f in [0, 1): held out of each shard (client_holdout.h)
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
  // rounds.csv (one row per completed cloud round, its edge rounds summed)
  // and clients.csv; REQUIRES the run's context alive (hierfl_metrics.cpp).
  std::optional<FlMetrics> fl_metrics() const override;

  // The edge (position in config.edges) that client `k` (position in
  // config.clients) belongs to: floor(k * E / N).
  static int edge_of(int k, int edges, int clients);
  // How many uploads each edge keeps per edge round when the edges hold
  // `members` (s_e each, M in all) of which K are wanted: K' = min(K, M)
  // shared in proportion to s_e by largest remainder (ties: lower edge), so
  // they sum to K' and none exceeds its s_e.
  static std::vector<int> apportion(const std::vector<std::vector<int>>& members, int k);

 private:
  struct Model {   // a model on the move, and what it came from
    int from = 0;  // the sender's position among its tier
    std::shared_ptr<const ml::Vector> values;
    std::int64_t samples = 0;  // trained into it since the last download
    UpdateCopy update_copy;    // a client's upload only (see Accounting)
    std::int64_t round = 0;    // cloud <-> edge: the cloud round; edge <-> client: the edge round
    std::int64_t weight = 0;   // an edge's model: the data behind it
    double loss_sum = 0.0;     // a client's upload: its training loss x samples
    // cloud -> edge: its sampled clients, how many uploads it keeps per edge
    // round, the cloud's close on the cloud's clock.
    std::shared_ptr<const std::vector<int>> members;
    int keep = 0;
    sim::Time close_local = 0;
    std::int64_t cloud_round = 0;  // edge -> client: the cloud round it serves
  };
  using Inbox = sim::Mailbox<Model>;
  // An edge round's outcome, per invited client (positions).
  struct EdgeRound {
    std::vector<int> applied;  // the clients whose uploads it applied, in client order
    std::int64_t samples = 0;  // trained into them
    std::int64_t invited = 0, late = 0, offline = 0, crashed = 0, unreachable = 0, lost = 0;
  };
  // What a client was last invited to, as its edge sees it.
  struct Invitation {
    std::int64_t round = -1;  // the edge round
    std::int64_t cloud_round = 0;
    sim::Time at = 0, close_local = 0;
    std::optional<sim::Time> offline_at;  // when its schedule takes it offline
    std::uint64_t incarnation = 0;
    bool download_lost = false, upload_lost = false;
  };
  struct Held {  // an upload delivered to an edge, not yet applied or dropped
    int client = 0;
    std::int64_t round = 0;
    UpdateCopy::Fate fate;
  };

  sim::Task cloud();
  // The cloud's round start: waits for a client to be online (schedules),
  // samples, and returns each edge's clients (empty: it sits out) and the
  // number each edge keeps per edge round. False: none will be online again.
  sim::Task sample(std::vector<std::vector<int>>& members, std::vector<int>& keep, bool& any);
  sim::Task edge(int e);
  // One edge round of edge `e` with `members` from `model`: invite, gather
  // until `keep` came, every invited one is accounted for, or the close;
  // then average into `model`. False if the edge crashed meanwhile.
  // `incarnation`: the edge host's when the round's model came.
  sim::Task edge_round(int e, std::uint64_t incarnation, const std::vector<int>& members, int keep,
                       Model& model, EdgeRound& round, bool& alive);
  // Counts the invited clients of `round` that did not make it, by reason.
  void settle(const std::vector<int>& missing, EdgeRound& round) const;
  // An upload that reached the edge after its round closed (dropped late)
  // or after the edge stopped waiting for its client gone offline.
  void drop_late(int e, Model& upload);
  bool cloud_round_over(std::int64_t round, sim::Time close_local, topology::NodeId me) const;
  sim::Task client(int k);
  bool gives_up(int k, std::int64_t round) const;
  // The weighted mean of `models` (sorted by sender) with `weights[from]`,
  // on `node`'s clock; returns it with the samples behind it.
  sim::Task average(std::vector<Model>& models, const std::vector<std::int64_t>& weights,
                    ComputeModel& compute, Model& out);
  topology::NodeId host(int node_index) const;
  const Node& compute_node(int k) const;  // client k as it computes (its device)
  // Edge `e` let go of every upload it held (its host crashed, or its
  // process found out it had): each still unsettled is dropped as crashed.
  void drop_held(int e);
  void forget_held(int e, int client, std::int64_t round);
  bool crashed(int node_index) const;
  // Metrics (hierfl_metrics.cpp): the counts of an edge round, into its cloud round.
  void count_edge_round(std::int64_t cloud_round, const EdgeRound& round);
  void count_bytes(std::int64_t cloud_round, int client, double down, double up);
  FlRoundRow& round_row(std::int64_t cloud_round);

  HierFlConfig config_;
  RunContext* ctx_ = nullptr;
  ml::Vector params_;
  std::int64_t param_bytes_ = 0;
  std::vector<ml::Shard> shards_;
  std::vector<ml::Shard> holdout_;  // held out of shards_; empty without a holdout
  std::vector<int> batch_sizes_;
  std::vector<ComputeModel> client_compute_;
  std::vector<ComputeModel> edge_compute_;
  std::unique_ptr<ComputeModel> cloud_compute_;
  std::vector<std::int64_t> edge_weight_;    // data under each edge
  std::vector<std::int64_t> client_weight_;  // each client's shard size
  std::vector<std::vector<int>> members_;    // each edge's clients, in order
  std::unique_ptr<Inbox> cloud_inbox_;       // edge models
  std::vector<std::unique_ptr<Inbox>> edge_down_, edge_up_, client_inbox_;
  FlPopulation population_;
  std::unique_ptr<sim::RandomStream> sampling_;
  bool none_left_online_ = false;
  // Rounds, owned by the event loop.
  std::int64_t cloud_closed_ = 0;          // the last cloud round closed
  std::vector<std::int64_t> edge_serial_;  // each edge's last edge round
  std::vector<std::int64_t> edge_closed_;  // each edge's last closed edge round
  std::vector<Invitation> invitation_;     // per client
  // Accounting and stalls, owned by the event loop.
  std::int64_t outstanding_ = 0;  // the ledger's uploads produced and not yet settled or lost
  std::vector<std::vector<Held>> held_;    // each edge's delivered, unapplied uploads
  std::vector<std::vector<int>> awaited_;  // the clients each edge waits for now
  // Metrics: per cloud round (index round - 1) and per client.
  std::vector<FlRoundRow> fl_rounds_;
  std::vector<bool> round_done_;
  std::vector<FlClientRow> fl_clients_;
};

}  // namespace algo
