#include "algorithms/services/fault_injector.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/random.h"

namespace algo {

FaultInjector::FaultInjector(sim::Simulator& sim, topology::Network& net, Algorithm& algorithm,
                             std::vector<double>& slowdown, std::uint64_t seed)
    : sim_(&sim), net_(&net), algorithm_(&algorithm), slowdown_(&slowdown), seed_(seed) {}

void FaultInjector::schedule(const std::vector<Fault>& faults) {
  const topology::Topology& topo = net_->topology();
  for (const Fault& f : faults) {
    if (f.at < 0 || f.duration < 0) throw std::invalid_argument("fault time must be >= 0");
    for (topology::NodeId h : f.hosts) {
      if (!topo.contains(h))
        throw std::invalid_argument("fault on unknown host " + std::to_string(h));
    }
    for (int l : f.links) {
      if (l < 0 || l >= topo.link_count()) {
        throw std::invalid_argument("fault on unknown link " + std::to_string(l));
      }
    }
    if ((f.kind == Fault::Kind::degrade || f.kind == Fault::Kind::straggle) &&
        !(std::isfinite(f.factor) && f.factor > 0)) {
      throw std::invalid_argument("fault factor must be finite and > 0");
    }
    if (f.kind == Fault::Kind::loss && !(f.probability >= 0 && f.probability <= 1)) {
      throw std::invalid_argument("fault loss probability must be in [0, 1]");
    }
    if (f.kind == Fault::Kind::partition && f.group < 1) {
      throw std::invalid_argument("fault partition group must be >= 1");
    }
  }
  for (const Fault& f : faults) {
    actions_.push_back(std::make_unique<Action>(Action{this, f, true}));
    sim_->schedule_at(std::max(f.at, sim_->now()), &FaultInjector::fire, actions_.back().get());
    if (f.duration > 0) {
      actions_.push_back(std::make_unique<Action>(Action{this, f, false}));
      sim_->schedule_at(std::max(f.at, sim_->now()) + f.duration, &FaultInjector::fire,
                        actions_.back().get());
    }
  }
}

void FaultInjector::fire(void* action, std::uint64_t) {
  auto* a = static_cast<Action*>(action);
  a->self->apply(a->fault, a->start);
}

void FaultInjector::apply(const Fault& f, bool start) {
  const topology::Topology& topo = net_->topology();
  switch (f.kind) {
    case Fault::Kind::crash:
      for (topology::NodeId h : f.hosts) {
        if (start) {
          if (!net_->host_up(h)) continue;
          ++crashes_;
          net_->crash_host(h);
          algorithm_->on_host_crashed(h);
        } else if (!net_->host_up(h)) {
          net_->recover_host(h);
          algorithm_->on_host_recovered(h);
        }
      }
      break;
    case Fault::Kind::link_down:
      for (int l : f.links) net_->set_link_up(l, !start);
      if (!start) algorithm_->on_network_healed();
      break;
    case Fault::Kind::degrade:
      for (int l : f.links) net_->set_link_bandwidth_factor(l, start ? f.factor : 1.0);
      break;
    case Fault::Kind::partition:
      net_->set_partition(f.hosts, start ? f.group : 0);
      if (!start) algorithm_->on_network_healed();
      break;
    case Fault::Kind::straggle:
      for (topology::NodeId h : f.hosts) {
        double& s = (*slowdown_)[static_cast<std::size_t>(h)];
        s = start ? s * f.factor : s / f.factor;
      }
      break;
    case Fault::Kind::loss:
      for (int l : f.links) {
        const auto [a, b] = topo.link_ends(l);
        // A loss episode (duration > 0) draws from a stream of its own, so
        // two episodes on one link do not replay the same losses.
        std::string name = topo.name(a) + "-" + topo.name(b);
        if (f.duration > 0) name += "@" + std::to_string(f.at);
        net_->set_link_loss(l, start ? f.probability : 0.0, sim::derive_seed(seed_, name, "loss"));
      }
      break;
  }
}

}  // namespace algo
