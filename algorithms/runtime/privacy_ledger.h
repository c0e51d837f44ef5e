// PrivacyLedger: a private run's mechanism, what it released, and the
// (epsilon, delta) that follows (docs/robustness-and-privacy.md).
//
// Two mechanisms, both the subsampled Gaussian of privacy/rdp_accountant.h:
//   dp_sgd     every worker's (or client's) gradient is DP-SGD's
//              (dp_sgd_objective.h): per-example clipping to `clip`, Gaussian
//              noise of standard deviation noise_multiplier x clip. Record-level
//              privacy: each local step of a node samples q = batch / shard of
//              that node's records.
//   dp_fedavg  FedAvg's server clips each client's update to `clip` and adds
//              the noise to their sum (dp_fedavg.h). User-level privacy: each
//              round samples q = clients per round / clients.
// The ledger counts the releases per entity (a worker, a client, the server)
// and at each sampling rate; epsilon is the largest over the entities, since
// their records are disjoint (each node's data is its own). Counted where the
// simulation thread sees a step or round begin: a step whose node crashed
// meanwhile still counts (conservative).
// Assumption, as in Abadi et al. and the common libraries: the accountant's
// Poisson subsampling stands for the shuffled fixed-size batches (and the
// sampling of K of N clients) that the run really uses.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "algorithms/runtime/local_objective.h"

namespace algo {

struct PrivacySpec {
  enum class Mechanism { dp_sgd, dp_fedavg };
  Mechanism mechanism = Mechanism::dp_sgd;
  double clip = 1.0;  // C: the L2 bound of one example's gradient or one client's update
  double noise_multiplier = 1.0;  // sigma: the noise's standard deviation is sigma x C
  double delta = 1e-5;            // the delta at which epsilon is reported
};

class DpSgdObjective;

class PrivacyLedger {
 public:
  // REQUIRES clip > 0, noise_multiplier >= 0, 0 < delta < 1, else std::invalid_argument.
  PrivacyLedger(const PrivacySpec& spec, std::uint64_t root_seed);
  const PrivacySpec& spec() const { return spec_; }
  bool dp_sgd() const { return spec_.mechanism == PrivacySpec::Mechanism::dp_sgd; }
  bool dp_fedavg() const { return spec_.mechanism == PrivacySpec::Mechanism::dp_fedavg; }

  // One release by `entity` sampling a fraction q of its records (clamped to
  // (0, 1]).
  void record(const std::string& entity, double q);
  // The releases recorded for `entity` (all rates), for tests.
  std::int64_t releases(const std::string& entity) const;

  // DP-SGD's objective for a new replica of `node`, or null unless dp_sgd().
  // Its noise stream is the node's own, numbered by the replicas of that node
  // made so far, so a client that gets a fresh replica every round draws
  // fresh noise, and no other stream moves.
  std::unique_ptr<DpSgdObjective> make_objective(const std::string& node);

  // epsilon at spec().delta over everything recorded: 0 when nothing was
  // released, infinity when noise_multiplier is 0.
  double epsilon() const;

 private:
  PrivacySpec spec_;
  std::uint64_t root_seed_;
  std::map<std::pair<std::string, double>, std::int64_t> releases_;  // (entity, q) -> count
  std::map<std::string, std::uint64_t> replicas_made_;               // per node
};

}  // namespace algo
