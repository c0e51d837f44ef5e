// ByzantineAggregation: a server's aggregation as it happens with Byzantine
// participants: the attackers' contributions are replaced by what their
// attack sends (attack.h), then the server's own rule combines them, and the
// counts of what was sent and what the rule rejected go to the Monitor.
//
// The attack is applied where the server receives the contribution rather
// than where the attacker computes it: the vector on the wire has the same
// dense size either way, and an omniscient attack (alie) needs the honest
// contributions of the same aggregation, which only the server holds. The
// one difference: with a compressor, the attack acts on the decoded vector.
//
// `relative` (FedAvg, whose contributions are models): the attack acts on
// the client's update x - g, with g the global model, which the caller
// passes in `out` on entry (FedAvg aggregates into its global model); the
// attacked contribution is g + attack(x - g). alie and the honest spread
// are computed on the models directly (the same thing: mean and spread
// shift with g).
//
// Counting (Monitor::record_contributions): every contribution from a
// Byzantine node (label_flip included) is counted sent; a RobustRule's
// rejected() flags are counted rejected, and those of Byzantine nodes
// byzantine_rejected (none with math: none, where no rule sees values).
// Only the instance that reports (the FedAvg server,
// shard 0 of a parameter server) records them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algorithms/robust/attack.h"
#include "algorithms/runtime/aggregator.h"
#include "sim/random.h"

namespace algo {

class ByzantineAggregation final : public Aggregator {
 public:
  // `attacks` and `names`: by participant position (Contribution::from);
  // empty optional for an honest one. `stream_tag` keeps the noise streams
  // of several instances (parameter-server shards) apart.
  ByzantineAggregation(std::unique_ptr<Aggregator> rule,
                       std::vector<std::optional<AttackSpec>> attacks,
                       std::vector<std::string> names, bool relative, bool reports,
                       std::string stream_tag);
  std::string_view name() const override { return rule_->name(); }
  void aggregate(const RunContext& ctx, std::span<const Contribution> contributions,
                 ml::Vector& out) override;
  double flops(std::int64_t parameters, int count) const override {
    return rule_->flops(parameters, count);
  }
  const Aggregator& rule() const { return *rule_; }

 private:
  const AttackSpec* attack_of(int from) const;
  // The honest mean and per-coordinate standard deviation (divided by the
  // honest count) over the contributions from honest nodes.
  void honest_spread(std::span<const Contribution> contributions);
  void attack(const RunContext& ctx, const AttackSpec& spec, const Contribution& c,
              const ml::Vector& base, ml::Vector& sent);

  std::unique_ptr<Aggregator> rule_;
  std::vector<std::optional<AttackSpec>> attacks_;
  std::vector<std::string> names_;
  bool relative_, reports_;
  std::string stream_tag_;
  std::vector<std::optional<sim::RandomStream>> noise_;  // by position, made at first use
  std::vector<ml::Vector> sent_;                         // scratch: the attacked vectors
  std::vector<Contribution> modified_;
  ml::Vector base_, mean_, spread_;
  bool spread_ready_ = false;
};

}  // namespace algo
