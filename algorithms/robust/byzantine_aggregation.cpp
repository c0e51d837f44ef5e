#include "algorithms/robust/byzantine_aggregation.h"

#include <cassert>
#include <cmath>

#include "algorithms/robust/robust_rule.h"

namespace algo {

ByzantineAggregation::ByzantineAggregation(std::unique_ptr<Aggregator> rule,
                                           std::vector<std::optional<AttackSpec>> attacks,
                                           std::vector<std::string> names, bool relative,
                                           bool reports, std::string stream_tag)
    : rule_(std::move(rule)),
      attacks_(std::move(attacks)),
      names_(std::move(names)),
      relative_(relative),
      reports_(reports),
      stream_tag_(std::move(stream_tag)),
      noise_(attacks_.size()) {}

const AttackSpec* ByzantineAggregation::attack_of(int from) const {
  const auto i = static_cast<std::size_t>(from);
  return i < attacks_.size() && attacks_[i] ? &*attacks_[i] : nullptr;
}

void ByzantineAggregation::honest_spread(std::span<const Contribution> contributions) {
  spread_ready_ = true;
  const Eigen::Index size = contributions.front().values->size();
  mean_.setZero(size);
  spread_.setZero(size);
  int honest = 0;
  for (const Contribution& c : contributions) {
    if (attack_of(c.from)) continue;
    mean_ += *c.values;
    ++honest;
  }
  if (honest == 0) return;  // nothing to imitate: alie sends zeros
  mean_ /= static_cast<float>(honest);
  for (const Contribution& c : contributions) {
    if (attack_of(c.from)) continue;
    spread_ += (*c.values - mean_).cwiseAbs2();
  }
  spread_ = (spread_ / static_cast<float>(honest)).cwiseSqrt();
}

void ByzantineAggregation::attack(const RunContext& ctx, const AttackSpec& spec,
                                  const Contribution& c, const ml::Vector& base, ml::Vector& sent) {
  const auto c_scale = static_cast<float>(spec.scale);
  switch (spec.kind) {
    case AttackKind::sign_flip:
      sent = base - c_scale * (*c.values - base);
      break;
    case AttackKind::scale:
      sent = base + c_scale * (*c.values - base);
      break;
    case AttackKind::gaussian: {
      const auto i = static_cast<std::size_t>(c.from);
      if (!noise_[i]) noise_[i].emplace(ctx.seed, names_[i], "byzantine-noise" + stream_tag_);
      sent.resize(base.size());
      for (Eigen::Index j = 0; j < sent.size(); ++j) {
        sent[j] = base[j] + static_cast<float>(noise_[i]->normal(0.0, spec.stddev));
      }
      break;
    }
    case AttackKind::alie:
      sent = mean_ - static_cast<float>(spec.z) * spread_;
      break;
    case AttackKind::label_flip:
      sent = *c.values;  // it attacked its training; it sends what that gave
      break;
  }
}

void ByzantineAggregation::aggregate(const RunContext& ctx,
                                     std::span<const Contribution> contributions, ml::Vector& out) {
  assert(!contributions.empty());
  modified_.assign(contributions.begin(), contributions.end());
  sent_.resize(contributions.size());
  spread_ready_ = false;
  std::int64_t byzantine = 0;
  for (std::size_t i = 0; i < contributions.size(); ++i) {
    const AttackSpec* spec = attack_of(contributions[i].from);
    if (!spec) continue;
    ++byzantine;
    if (ctx.timing_only || !spec->acts_on_contribution()) continue;
    if (spec->kind == AttackKind::alie && !spread_ready_) honest_spread(contributions);
    if (relative_) {
      base_ = out;
    } else {
      base_.setZero(contributions[i].values->size());
    }
    attack(ctx, *spec, contributions[i], base_, sent_[i]);
    modified_[i].values = &sent_[i];
  }
  rule_->aggregate(ctx, modified_, out);
  if (!reports_ || ctx.monitor == nullptr) return;
  std::int64_t rejected = 0, byzantine_rejected = 0;
  // With math: none a rule has no values to judge: nothing is rejected.
  const auto* robust = dynamic_cast<const RobustRule*>(rule_.get());
  if (robust != nullptr && !ctx.timing_only) {
    const std::vector<char>& flags = robust->rejected();
    for (std::size_t i = 0; i < flags.size(); ++i) {
      if (!flags[i]) continue;
      ++rejected;
      if (attack_of(contributions[i].from)) ++byzantine_rejected;
    }
  }
  ctx.monitor->record_contributions(byzantine, rejected, byzantine_rejected);
}

}  // namespace algo
