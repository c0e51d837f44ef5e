// Decentralised data parallelism over an all-reduce: allreduce_ring,
// allreduce_tree, allreduce_hierarchical (gradient averaging every step) and
// local_sgd (parameter averaging every H local steps). One worker loop, the
// collective (collectives.h) and what is averaged are its parameters.
//
// Every worker holds a full replica (parameters + its own optimizer state),
// all starting from the same initial model, and trains on its own shard
// (assign_work). One round:
//   1. H local steps (H = 1 for gradient averaging): a real gradient on the
//      next batch of its shard, taking FLOPs / FLOP/s x straggler of simulated
//      time; with parameter averaging also the optimizer step on its replica
//      (2P FLOPs more in that sleep).
//   2. An all-reduce of [b x gradient, b] (gradient averaging, b = its batch)
//      or [n x parameters, n] (parameter averaging, n = samples of its H
//      steps): the vector plus one float carrying the weight, so the result
//      divided by the summed weight is the sample-weighted mean. Its bytes
//      on the wire are therefore (P + 1) x 4.
//   3. The averaging arithmetic: P FLOPs of its time for the division, plus
//      2P for the optimizer step on its replica when averaging gradients.
//      (The additions inside the all-reduce take no simulated time.)
// All replicas stay bit-identical after each averaging (the collectives give
// every rank the same bits), so the global model is replica 0's parameters.
//
// Monitor: each worker reports its batch losses; worker 0 reports, after each
// round, one record_applied(0) per worker (every contribution was computed
// from the model of the previous round: staleness 0 in versions; the local
// drift of local SGD, up to H - 1 local steps, is not counted as staleness),
// then on_update(version = rounds completed, samples = all workers' samples
// of the round, replica 0's parameters). For gradient averaging a round is a
// step, so versions count optimizer steps as in ps_sync.
//
// Equivalences, tested: gradient averaging ends with ps_sync's parameters on
// the same seed; local SGD with H = 1 and plain SGD (no momentum, no weight
// decay) ends with gradient averaging's parameters. With momentum they differ:
// local SGD averages the parameters, but each replica keeps its own momentum
// buffer built from its own gradients only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/sync/algorithm.h"
#include "algorithms/sync/assignment.h"
#include "algorithms/sync/collectives.h"

namespace algo {

enum class Averaged { gradients, parameters };

struct DataParallelConfig {
  std::string name = "allreduce_ring";  // what name() reports
  std::vector<int> workers;             // indices into RunContext::nodes, >= 1 of them
  int batch_size = 32;                  // per worker per step (scaled by a capacity assignment)
  AssignmentPolicy assignment = AssignmentPolicy::equal;
  CollectiveSpec collective;
  Averaged averaged = Averaged::gradients;
  int local_steps = 1;  // H: steps per round; must be 1 when averaging gradients
};

class DataParallel final : public Algorithm {
 public:
  explicit DataParallel(DataParallelConfig config);  // invalid_argument on a bad config
  ~DataParallel() override;
  std::string_view name() const override { return config_.name; }
  void launch(RunContext& ctx) override;
  const ml::Vector& global_parameters() const override;

 private:
  struct Worker;
  sim::Task work(int rank);

  DataParallelConfig config_;
  RunContext* ctx_ = nullptr;
  std::unique_ptr<Communicator> comm_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::int64_t parameters_ = 0;     // P, of the scenario's model
  double flops_per_sample_ = 0.0;   // training FLOPs per sample
  ml::Vector shared_buffer_;        // math: none: the P + 1 floats every rank's all-reduce walks
  std::map<std::int64_t, std::int64_t> round_samples_;  // math: none: samples by round
};

}  // namespace algo
