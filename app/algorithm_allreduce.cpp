// `algorithm:` for the all-reduce family (allreduce_ring, allreduce_tree,
// allreduce_hierarchical) and local_sgd: decentralised data parallelism,
// every worker a replica, no server.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "algorithms/sync/data_parallel.h"
#include "app/algorithm_registry.h"

namespace app {
namespace {

// The keys every data-parallel algorithm reads, plus its own.
std::vector<std::string> keys_and(std::initializer_list<std::string_view> extra) {
  std::vector<std::string> keys = {"kind", "label", "workers", "batch_size", "assignment",
                                   "elastic"};
  keys.insert(keys.end(), extra.begin(), extra.end());
  return keys;
}

// `elastic: {timeout: 200ms, coordinator: server}`: abort a
// collective that has not finished within `timeout` on the worker's clock
// and re-form among the survivors (data_parallel.h); `coordinator` names a
// group of one node (default: the first worker).
algo::ElasticSpec elastic_spec(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  algo::ElasticSpec spec;
  const auto elastic = node.optional_child("elastic");
  if (!elastic) return spec;
  elastic->check_keys({"timeout", "coordinator"});
  const ConfigNode timeout = elastic->child("timeout");
  spec.timeout = timeout.as_duration();
  timeout.require(spec.timeout > 0, "timeout must be greater than zero");
  if (elastic->has("coordinator")) {
    const std::vector<int> nodes = group_nodes(*elastic, "coordinator", "", groups);
    if (nodes.size() != 1) {
      elastic->child("coordinator")
          .fail("the coordinator must be a group of one node, this one has " +
                std::to_string(nodes.size()));
    }
    spec.coordinator = nodes.front();
  }
  return spec;
}

// `workers` (default "worker"), `batch_size`, `assignment`, `elastic`.
algo::DataParallelConfig common_config(const ConfigNode& node, const std::vector<NodeGroup>& groups,
                                       const std::string& kind) {
  algo::DataParallelConfig config;
  config.name = kind;
  config.workers = group_nodes(node, "workers", "worker", groups);
  config.batch_size = batch_size(node);
  config.assignment = assignment_policy(node);
  config.elastic = elastic_spec(node, groups);
  return config;
}

// `segments` (default 1): messages per ring chunk.
int segments(const ConfigNode& node) {
  if (!node.has("segments")) return 1;
  return static_cast<int>(node.child("segments").as_int_in(1, 1024));
}

// Reads `key` as one of the named collectives.
algo::CollectiveKind collective_kind(const ConfigNode& value,
                                     std::initializer_list<algo::CollectiveKind> allowed) {
  const std::string name = value.as_string();
  std::vector<std::string> names;
  for (algo::CollectiveKind kind : allowed) {
    if (name == algo::collective_name(kind)) return kind;
    names.emplace_back(algo::collective_name(kind));
  }
  const std::string hint = did_you_mean(name, names);
  value.fail("unknown value '" + name + "'" +
             (hint.empty() ? " (expected one of: " + join(names, ", ") + ")"
                           : " (did you mean '" + hint + "'?)"));
}

// Reads `value` as one of `names` (the enum's values in order); fails with
// a did-you-mean otherwise.
template <class Enum>
Enum one_of(const ConfigNode& value, const std::vector<std::string>& names) {
  const std::string name = value.as_string();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (name == names[i]) return static_cast<Enum>(i);
  }
  const std::string hint = did_you_mean(name, names);
  value.fail("unknown value '" + name + "'" +
             (hint.empty() ? " (expected one of: " + join(names, ", ") + ")"
                           : " (did you mean '" + hint + "'?)"));
}

// `order` (rabenseifner only): nearest_first (default) or farthest_first;
// `intra_rack` (hierarchical only): binomial (default) or flat;
// `protocol` (ring and hierarchical): eager (default) or rendezvous.
void collective_options(const ConfigNode& node, algo::CollectiveSpec& spec) {
  if (const auto order = node.optional_child("order")) {
    if (spec.kind != algo::CollectiveKind::rabenseifner) {
      order->fail("order applies to the rabenseifner collective only");
    }
    spec.order = one_of<algo::HalvingOrder>(
        *order, {algo::halving_order_name(algo::HalvingOrder::nearest_first),
                 algo::halving_order_name(algo::HalvingOrder::farthest_first)});
  }
  if (const auto intra = node.optional_child("intra_rack")) {
    if (spec.kind != algo::CollectiveKind::hierarchical) {
      intra->fail("intra_rack applies to the hierarchical collective only");
    }
    spec.intra_rack = one_of<algo::IntraRack>(*intra, {algo::intra_rack_name(algo::IntraRack::binomial),
                                                       algo::intra_rack_name(algo::IntraRack::flat)});
  }
  if (const auto protocol = node.optional_child("protocol")) {
    if (spec.kind != algo::CollectiveKind::ring && spec.kind != algo::CollectiveKind::hierarchical) {
      protocol->fail("protocol applies to the ring and hierarchical collectives only");
    }
    spec.protocol = one_of<algo::RingProtocol>(
        *protocol, {algo::ring_protocol_name(algo::RingProtocol::eager),
                    algo::ring_protocol_name(algo::RingProtocol::rendezvous)});
  }
}

// `bucket_cap` (a size, default 25MiB, as PyTorch DDP's bucket_cap_mb) and
// `overlap` (default true): gradient buckets, used with a layer profile
// (data_parallel.h). Returns where the first of them stands, if any.
SourceLocation bucket_options(const ConfigNode& node, algo::DataParallelConfig& config) {
  SourceLocation at;
  if (const auto cap = node.optional_child("bucket_cap")) {
    config.bucket_cap_bytes = cap->as_bytes();
    cap->require(config.bucket_cap_bytes >= 4, "bucket_cap must be at least 4 bytes (one float)");
    at = {cap->file(), cap->line(), cap->column(), cap->path()};
  }
  if (const auto overlap = node.optional_child("overlap")) {
    config.overlap = node.get_bool("overlap", true);
    if (at.file.empty()) at = {overlap->file(), overlap->line(), overlap->column(), overlap->path()};
  }
  return at;
}

AlgorithmChoice choice_of(const algo::DataParallelConfig& config, SourceLocation profile_key_at = {}) {
  AlgorithmChoice choice;
  choice.profile_key_at = std::move(profile_key_at);
  choice.kind = config.name;
  choice.participants = static_cast<int>(config.workers.size());
  choice.elastic = config.elastic.timeout > 0;
  choice.elastic_timeout = config.elastic.timeout;
  choice.build = [config] { return std::make_unique<algo::DataParallel>(config); };
  return choice;
}

}  // namespace

AlgorithmChoice parse_allreduce_ring(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  node.check_keys(keys_and({"segments", "protocol", "bucket_cap", "overlap"}));
  algo::DataParallelConfig config = common_config(node, groups, "allreduce_ring");
  config.collective = {algo::CollectiveKind::ring, segments(node)};
  collective_options(node, config.collective);
  return choice_of(config, bucket_options(node, config));
}

AlgorithmChoice parse_allreduce_tree(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  node.check_keys(keys_and({"variant", "order", "bucket_cap", "overlap"}));
  algo::DataParallelConfig config = common_config(node, groups, "allreduce_tree");
  config.collective.kind = algo::CollectiveKind::rabenseifner;
  if (const auto variant = node.optional_child("variant")) {
    config.collective.kind =
        collective_kind(*variant, {algo::CollectiveKind::rabenseifner,
                                   algo::CollectiveKind::binomial_tree,
                                   algo::CollectiveKind::binary_tree});
  }
  collective_options(node, config.collective);
  return choice_of(config, bucket_options(node, config));
}

AlgorithmChoice parse_allreduce_hierarchical(const ConfigNode& node,
                                             const std::vector<NodeGroup>& groups) {
  node.check_keys(keys_and({"segments", "intra_rack", "protocol", "bucket_cap", "overlap"}));
  algo::DataParallelConfig config = common_config(node, groups, "allreduce_hierarchical");
  config.collective = {algo::CollectiveKind::hierarchical, segments(node)};
  collective_options(node, config.collective);
  return choice_of(config, bucket_options(node, config));
}

AlgorithmChoice parse_local_sgd(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  node.check_keys(keys_and({"local_steps", "collective", "segments", "order", "intra_rack", "protocol"}));
  algo::DataParallelConfig config = common_config(node, groups, "local_sgd");
  config.averaged = algo::Averaged::parameters;
  config.local_steps = node.has("local_steps")
                           ? static_cast<int>(node.child("local_steps").as_int_in(1, 1'000'000))
                           : 4;
  if (const auto collective = node.optional_child("collective")) {
    config.collective.kind = collective_kind(
        *collective, {algo::CollectiveKind::ring, algo::CollectiveKind::rabenseifner,
                      algo::CollectiveKind::binomial_tree, algo::CollectiveKind::binary_tree,
                      algo::CollectiveKind::hierarchical});
  }
  collective_options(node, config.collective);
  config.collective.segments = segments(node);
  if (node.has("segments") && config.collective.kind != algo::CollectiveKind::ring &&
      config.collective.kind != algo::CollectiveKind::hierarchical) {
    node.child("segments").fail("segments apply to the ring and hierarchical collectives only");
  }
  return choice_of(config);
}

}  // namespace app
