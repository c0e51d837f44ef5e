#include "app/random_faults.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/schema.h"
#include "sim/random.h"

namespace app {
namespace {

using algo::Fault;

struct KindInfo {
  const char* name;  // "crash": the key is crash_rate, the purpose "fault-crash"
  Fault::Kind kind;
  bool on_links;          // targets links (`links:`), else nodes (`nodes:`)
  const char* mean_key;   // mean_downtime or mean_duration
  const char* extra_key;  // factor, probability, size, or nullptr
};

const std::vector<KindInfo> kKinds = {
    {"crash", Fault::Kind::crash, false, "mean_downtime", nullptr},
    {"link_down", Fault::Kind::link_down, true, "mean_downtime", nullptr},
    {"degrade", Fault::Kind::degrade, true, "mean_duration", "factor"},
    {"partition", Fault::Kind::partition, false, "mean_duration", "size"},
    {"straggle", Fault::Kind::straggle, false, "mean_duration", "factor"},
    {"loss", Fault::Kind::loss, true, "mean_duration", "probability"},
};

struct Episode {
  sim::Time at;
  sim::Time duration;
};

// One target's alternating process: a start after an exponential gap of
// `rate`, an exponential length of mean `mean`, the next gap drawn from its
// end; starts at or past `until` are not kept.
std::vector<Episode> episodes(sim::RandomStream& stream, double rate, sim::Time mean,
                              sim::Time until, const ConfigNode& at) {
  std::vector<Episode> out;
  double t = 0.0;
  while (true) {
    t += stream.exponential(rate);
    // Compared in seconds first: a tiny rate's first episode lies far past
    // what simulated time (int64 ns) can hold, and means none at all.
    if (t >= sim::to_seconds(until)) break;
    const sim::Time start = sim::from_seconds(t);
    if (start >= until) break;
    // Lengths past what int64 ns holds outlast any run: kept at a century.
    const double length = std::min(stream.exponential(1.0 / sim::to_seconds(mean)), 3.2e9);
    const sim::Time duration = std::max<sim::Time>(1, sim::from_seconds(length));
    out.push_back({start, duration});
    // The expected count is bounded; a draw far past it is refused too.
    if (static_cast<double>(out.size()) > 2 * kMaxRandomFaults) {
      at.fail("draws more than " + std::to_string(static_cast<long>(2 * kMaxRandomFaults)) +
              " episodes for one target: lower the rate");
    }
    t += sim::to_seconds(duration);  // the next episode comes after this one ends
  }
  return out;
}

// "a-b", and "a-b#k" for the k-th further link joining the same two nodes.
std::string link_name(const topology::Topology& topo, int link) {
  const auto [a, b] = topo.link_ends(link);
  int earlier = 0;
  for (int l = 0; l < link; ++l) {
    if (topo.link_ends(l) == std::make_pair(a, b)) ++earlier;
  }
  const std::string name = topo.name(a) + "-" + topo.name(b);
  return earlier == 0 ? name : name + "#" + std::to_string(earlier);
}

}  // namespace

void load_random_faults(const ConfigNode& node, const Scenario& s, const Names& names,
                        RandomEntries& entries, std::vector<Fault>& out) {
  const KindInfo* info = nullptr;
  for (const KindInfo& k : kKinds) {
    if (node.has(std::string(k.name) + "_rate")) {
      if (info) node.fail("a random entry draws one kind of fault: give one *_rate key per entry");
      info = &k;
    }
  }
  if (!info) {
    node.fail(
        "expected one of crash_rate, link_down_rate, degrade_rate, partition_rate, "
        "straggle_rate or loss_rate");
  }
  const std::string kind = info->name;
  node.check_keys(schema::keys("faults.random." + kind));

  const ConfigNode rate_node = node.child(kind + "_rate");
  const double rate = rate_node.as_double();
  const std::string per = kind == "partition" ? "second"
                          : info->on_links    ? "link per second"
                                              : "node per second";
  rate_node.require(rate > 0, kind + "_rate (" + (kind == "crash" ? "crashes" : "episodes") +
                                  " per " + per + ") must be > 0");
  const ConfigNode mean_node = node.child(info->mean_key);
  const sim::Time mean = mean_node.as_duration();
  mean_node.require(mean > 0, std::string(info->mean_key) + " must be > 0");
  sim::Time until = s.stop.max_time;
  if (node.has("until")) {
    until = node.child("until").as_duration();
    node.child("until").require(until > 0, "until must be > 0");
  } else if (until == 0) {
    node.fail("random faults need an end: give 'until' or stop.sim_time");
  }

  const topology::Topology& topo = *names.topo;
  std::vector<topology::NodeId> hosts;
  std::vector<int> links;
  if (info->on_links) {
    if (node.has("links")) {
      links = names.links_of(node.child("links"));
    } else {
      for (int l = 0; l < topo.link_count(); ++l) links.push_back(l);
    }
    std::sort(links.begin(), links.end());
  } else {
    hosts = node.has("nodes") ? names.hosts_of(node.child("nodes")) : topo.hosts();
    std::sort(hosts.begin(), hosts.end());
  }
  Fault shape;
  shape.kind = info->kind;
  int size = 1;
  if (kind == "degrade") {
    shape.factor = node.child("factor").as_double();
    node.child("factor").require(shape.factor > 0 && shape.factor <= 1,
                                 "a degrade factor (of the bandwidth) must be in (0, 1]");
  } else if (kind == "straggle") {
    shape.factor = node.child("factor").as_double();
    node.child("factor").require(shape.factor >= 1,
                                 "a straggle factor (of the compute time) must be >= 1");
  } else if (kind == "loss") {
    shape.probability = node.child("probability").as_double_in(0.0, 1.0);
    node.child("probability").require(shape.probability > 0, "a loss probability must be > 0");
  } else if (kind == "partition") {
    const auto most = std::min<std::int64_t>(static_cast<std::int64_t>(hosts.size()),
                                             static_cast<std::int64_t>(topo.hosts().size()) - 1);
    if (most < 1) node.fail("a partition must leave some node outside it");
    if (node.has("size")) size = static_cast<int>(node.child("size").as_int_in(1, most));
  }

  const double targets = kind == "partition" ? 1.0
                         : info->on_links    ? static_cast<double>(links.size())
                                             : static_cast<double>(hosts.size());
  const double expected = rate * targets * sim::to_seconds(until);
  if (!(expected <= kMaxRandomFaults)) {
    char about[32];
    std::snprintf(about, sizeof about, "%.3g", expected);
    rate_node.fail(std::string("expects about ") + about +
                   " episodes over the run (rate x targets x until); at most " +
                   std::to_string(static_cast<long>(kMaxRandomFaults)) + " per entry");
  }

  const int ordinal = entries.per_kind[kind]++;
  const std::string purpose =
      "fault-" + kind + (ordinal == 0 ? std::string() : "-" + std::to_string(ordinal));
  if (kind == "partition") {
    sim::RandomStream stream(s.seed, "partition", purpose);
    for (const Episode& e : episodes(stream, rate, mean, until, rate_node)) {
      std::vector<topology::NodeId> pool = hosts;
      for (int k = 0; k < size; ++k) {  // a partial Fisher-Yates draw of `size` nodes
        const auto pick =
            static_cast<std::size_t>(k) + static_cast<std::size_t>(stream.below(pool.size() - k));
        std::swap(pool[static_cast<std::size_t>(k)], pool[pick]);
      }
      Fault f = shape;
      f.at = e.at;
      f.duration = e.duration;
      f.hosts.assign(pool.begin(), pool.begin() + size);
      std::sort(f.hosts.begin(), f.hosts.end());
      f.group = ++*entries.partitions;
      out.push_back(f);
    }
    return;
  }
  const std::size_t count = info->on_links ? links.size() : hosts.size();
  for (std::size_t i = 0; i < count; ++i) {
    const std::string name = info->on_links ? link_name(topo, links[i]) : topo.name(hosts[i]);
    sim::RandomStream stream(s.seed, name, purpose);
    for (const Episode& e : episodes(stream, rate, mean, until, rate_node)) {
      Fault f = shape;
      f.at = e.at;
      f.duration = e.duration;
      if (info->on_links) {
        f.links = {links[i]};
      } else {
        f.hosts = {hosts[i]};
      }
      out.push_back(f);
    }
  }
}

}  // namespace app
