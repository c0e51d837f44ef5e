// `algorithm:` for the all-reduce family (allreduce_ring, allreduce_tree,
// allreduce_hierarchical) and local_sgd: decentralised data parallelism,
// every worker a replica, no server.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "algorithms/sync/data_parallel.h"
#include "app/algorithm_registry.h"
#include "app/plugin_registry.h"
#include "app/schema.h"

namespace app {
namespace {

// `elastic: {timeout: 200ms, coordinator: server}`: abort a
// collective that has not finished within `timeout` on the worker's clock
// and re-form among the survivors (data_parallel.h); `coordinator` names a
// group of one node (default: the first worker).
algo::ElasticSpec elastic_spec(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  algo::ElasticSpec spec;
  const auto elastic = node.optional_child("elastic");
  if (!elastic) return spec;
  elastic->check_keys(schema::keys("algorithm.elastic"));
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
  if (!node.has("segments")) {
    return static_cast<int>(schema::int_default("algorithm.allreduce_ring", "segments"));
  }
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
    spec.intra_rack =
        one_of<algo::IntraRack>(*intra, {algo::intra_rack_name(algo::IntraRack::binomial),
                                         algo::intra_rack_name(algo::IntraRack::flat),
                                         algo::intra_rack_name(algo::IntraRack::ring)});
  }
  if (const auto protocol = node.optional_child("protocol")) {
    if (spec.kind != algo::CollectiveKind::ring &&
        spec.kind != algo::CollectiveKind::hierarchical) {
      protocol->fail("protocol applies to the ring and hierarchical collectives only");
    }
    spec.protocol = one_of<algo::RingProtocol>(
        *protocol, {algo::ring_protocol_name(algo::RingProtocol::eager),
                    algo::ring_protocol_name(algo::RingProtocol::rendezvous)});
  }
}

// `compressor` (gradient all-reduce only): a lossy one makes the all-reduce
// an all-gather of encodings (data_parallel.h), which elastic does not do.
void compressor(const ConfigNode& node, algo::DataParallelConfig& config) {
  config.compressor = load_compressor(node);
  if (config.elastic.timeout > 0 && !config.compressor()->exact()) {
    node.child("compressor").fail("a lossy compressor does not apply with elastic");
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
    if (at.file.empty())
      at = {overlap->file(), overlap->line(), overlap->column(), overlap->path()};
  }
  return at;
}

AlgorithmChoice choice_of(const algo::DataParallelConfig& config,
                          SourceLocation profile_key_at = {}) {
  AlgorithmChoice choice;
  choice.profile_key_at = std::move(profile_key_at);
  choice.kind = config.name;
  choice.participants = static_cast<int>(config.workers.size());
  choice.elastic = config.elastic.timeout > 0;
  choice.elastic_timeout = config.elastic.timeout;
  choice.gathers = !config.compressor()->exact();
  choice.build = [config] { return std::make_unique<algo::DataParallel>(config); };
  return choice;
}

}  // namespace

AlgorithmChoice parse_allreduce_ring(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  node.check_keys(schema::keys("algorithm.allreduce_ring"));
  algo::DataParallelConfig config = common_config(node, groups, "allreduce_ring");
  compressor(node, config);
  config.collective = {algo::CollectiveKind::ring, segments(node)};
  collective_options(node, config.collective);
  return choice_of(config, bucket_options(node, config));
}

// `segments` (pipelined collectives only): messages per chunk.
static void segments_option(const ConfigNode& node, algo::CollectiveSpec& spec) {
  spec.segments = segments(node);
  if (node.has("segments") && spec.kind != algo::CollectiveKind::ring &&
      spec.kind != algo::CollectiveKind::hierarchical &&
      spec.kind != algo::CollectiveKind::pipelined_chain) {
    node.child("segments")
        .fail(std::string("segments apply to the ring, hierarchical and pipelined_chain "
                          "collectives only, not ") +
              algo::collective_name(spec.kind));
  }
}

AlgorithmChoice parse_allreduce_tree(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  node.check_keys(schema::keys("algorithm.allreduce_tree"));
  algo::DataParallelConfig config = common_config(node, groups, "allreduce_tree");
  compressor(node, config);
  config.collective.kind = algo::CollectiveKind::rabenseifner;
  if (const auto variant = node.optional_child("variant")) {
    config.collective.kind = collective_kind(
        *variant, {algo::CollectiveKind::rabenseifner, algo::CollectiveKind::binomial_tree,
                   algo::CollectiveKind::binary_tree, algo::CollectiveKind::pipelined_chain});
  }
  collective_options(node, config.collective);
  segments_option(node, config.collective);
  return choice_of(config, bucket_options(node, config));
}

AlgorithmChoice parse_allreduce_hierarchical(const ConfigNode& node,
                                             const std::vector<NodeGroup>& groups) {
  node.check_keys(schema::keys("algorithm.allreduce_hierarchical"));
  algo::DataParallelConfig config = common_config(node, groups, "allreduce_hierarchical");
  compressor(node, config);
  config.collective = {algo::CollectiveKind::hierarchical, segments(node)};
  collective_options(node, config.collective);
  return choice_of(config, bucket_options(node, config));
}

AlgorithmChoice parse_local_sgd(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  node.check_keys(schema::keys("algorithm.local_sgd"));
  algo::DataParallelConfig config = common_config(node, groups, "local_sgd");
  config.averaged = algo::Averaged::parameters;
  config.local_steps =
      node.has("local_steps")
          ? static_cast<int>(node.child("local_steps").as_int_in(1, 1'000'000))
          : static_cast<int>(schema::int_default("algorithm.local_sgd", "local_steps"));
  if (const auto collective = node.optional_child("collective")) {
    config.collective.kind = collective_kind(
        *collective, {algo::CollectiveKind::ring, algo::CollectiveKind::rabenseifner,
                      algo::CollectiveKind::binomial_tree, algo::CollectiveKind::binary_tree,
                      algo::CollectiveKind::hierarchical, algo::CollectiveKind::pipelined_chain});
  }
  collective_options(node, config.collective);
  segments_option(node, config.collective);
  return choice_of(config);
}

}  // namespace app
