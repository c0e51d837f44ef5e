// gossip: decentralised parallel SGD (D-PSGD, Lian et al. 2017). No server:
// every worker holds its own replica of the model.
//
// Round t of worker i: compute a real gradient on the next batch of its shard
// at its replica (FLOPs / FLOP/s x straggler draw), take one optimizer step
// on the replica (each worker has its own optimizer state), send the replica
// to every neighbour (one flow each, sized by the parameter bytes), wait for
// the neighbours' round-t replicas, and replace its replica by the weighted
// sum  x_i = sum_j W_ij x_j  over itself and its neighbours, in node order,
// spending 2 x (degree + 1) x P FLOPs. W is the Metropolis-Hastings matrix of
// the neighbour graph: W_ij = 1 / (1 + max(deg_i, deg_j)) for neighbours,
// W_ii = 1 - sum of the others; symmetric, hence doubly stochastic, so the
// average of the replicas is what the mixing preserves.
//
// Reporting: once every worker has mixed round t, the global model version
// t + 1 is the average of the N mixed replicas (summed in worker order); the
// Monitor evaluates that average, and gets the consensus distance (mean L2
// distance of the replicas to it). Every local gradient counts as an applied
// update of staleness 0 (it is applied to the replica it was computed on).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "algorithms/sync/algorithm.h"
#include "algorithms/sync/assignment.h"
#include "sim/mailbox.h"

namespace algo {

enum class GossipGraph {
  ring,      // worker i talks to i - 1 and i + 1 (mod N)
  complete,  // everyone talks to everyone
};

// Each worker's neighbours (not itself), in increasing order.
std::vector<std::vector<int>> gossip_neighbours(GossipGraph graph, int workers);

// The dense N x N Metropolis-Hastings mixing matrix of a neighbour graph.
// REQUIRES a symmetric graph without self-loops.
std::vector<std::vector<double>> metropolis_hastings_weights(
    const std::vector<std::vector<int>>& neighbours);

// sum_j weights[j] * replicas[j] over the j with weights[j] != 0, in index
// order, into out. replicas[j] may be null where weights[j] == 0.
void mix_replicas(const std::vector<double>& weights, std::span<const ml::Vector* const> replicas,
                  ml::Vector& out);

// Mean over the replicas of the L2 distance to their average (summed in
// order); also writes the average.
double consensus_distance(const std::vector<ml::Vector>& replicas, ml::Vector& average);

struct GossipConfig {
  std::vector<int> workers;  // indices into RunContext::nodes, >= 1 of them
  int batch_size = 32;
  AssignmentPolicy assignment = AssignmentPolicy::equal;
  GossipGraph graph = GossipGraph::ring;
};

class Gossip final : public Algorithm {
 public:
  explicit Gossip(GossipConfig config);  // invalid_argument on a bad config
  ~Gossip() override;
  std::string_view name() const override { return "gossip"; }
  void launch(RunContext& ctx) override;
  // The average of the replicas after the last complete round.
  const ml::Vector& global_parameters() const override { return average_; }

  // For tests, valid after launch(): worker i's current replica.
  const ml::Vector& replica(int worker) const;
  const std::vector<std::vector<double>>& mixing_matrix() const { return weights_; }

 private:
  struct ReplicaMessage {
    std::int64_t round;
    int from;  // worker index
    std::shared_ptr<const ml::Vector> params;
  };
  struct Worker;
  struct Round {
    std::vector<ml::Vector> replicas;  // by worker, once mixed
    int reported = 0;
    std::int64_t samples = 0;
  };

  sim::Task work(int index);
  // Worker `index` finished round `round` with its mixed replica.
  void report(int index, std::int64_t round, std::int64_t samples);

  GossipConfig config_;
  RunContext* ctx_ = nullptr;
  std::vector<std::vector<int>> neighbours_;
  std::vector<std::vector<double>> weights_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::map<std::int64_t, Round> rounds_;  // rounds not yet complete
  ml::Vector average_;
};

}  // namespace algo
