// ParameterServer::Worker: one worker's state, kept across the processes of
// its host's incarnations (the two source files of ParameterServer share it;
// nothing else includes it).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "algorithms/runtime/compressor.h"
#include "algorithms/runtime/replica.h"
#include "algorithms/runtime/training_seeds.h"
#include "algorithms/sync/parameter_server.h"
#include "sim/mailbox.h"

namespace algo {

struct ParameterServer::Worker {
  // make_workers' signature; the Replica derives the same batch-order seed
  // from the node's name.
  Worker(const RunContext& ctx, const Node& node, ml::Shard data, int batch_size,
         std::uint64_t /*order_seed*/, int shards, const ml::Vector& initial,
         const CompressorFactory& compressor)
      : node(node),
        replica(ctx, node, std::move(data), batch_size, initial),
        compressors(make_compressors(ctx, node, shards, compressor)),
        inbox(std::make_unique<sim::Mailbox<ParamsSlice>>(*ctx.sim)),
        versions(static_cast<std::size_t>(shards), -1),
        epochs(static_cast<std::size_t>(shards), 0),
        pushed_versions(static_cast<std::size_t>(shards), 0),
        pushed_epochs(static_cast<std::size_t>(shards), 0),
        incoming(static_cast<std::size_t>(shards)),
        outgoing(static_cast<std::size_t>(shards)),
        outgoing_bytes(static_cast<std::size_t>(shards), 0.0) {}
  Node node;
  Replica replica;  // its model, optimizer, sampler and compute model
  // By shard: each slice has its own encoder (an error-feedback residual is
  // per element), seeded from the worker's own stream.
  std::vector<std::unique_ptr<Compressor>> compressors;
  std::unique_ptr<sim::Mailbox<ParamsSlice>> inbox;  // of the current incarnation
  // Inboxes of crashed incarnations: their dead processes still wait on them.
  std::vector<std::unique_ptr<sim::Mailbox<ParamsSlice>>> dead_inboxes;
  std::vector<std::int64_t> versions;  // by shard: the version of the slice in the model
  std::vector<std::int64_t> epochs;    // by shard: the epoch of the slice in the model
  std::int64_t pushed = 0;             // gradients sent (the next push's seq)
  // The last push, kept for resending it: by shard, the version and epoch
  // its slice was computed from; its batch size.
  std::vector<std::int64_t> pushed_versions;
  std::vector<std::int64_t> pushed_epochs;
  std::int64_t pushed_samples = 0;
  // With RPC retries: the last push's update, kept to resend until answered.
  UpdateCopy retry_copy;
  // By shard: the slice last received, loaded into the model by the next
  // step's math job; and the gradient's slice as that job encoded it, with
  // its bytes on the wire: the last push, sent again as it is by a retry.
  // Both are a real worker's work, so they run on the math pool in the step.
  std::vector<std::shared_ptr<const ml::Vector>> incoming;
  std::vector<std::shared_ptr<const ml::Vector>> outgoing;
  std::vector<double> outgoing_bytes;

  static std::vector<std::unique_ptr<Compressor>> make_compressors(
      const RunContext& ctx, const Node& node, int shards, const CompressorFactory& factory) {
    std::vector<std::unique_ptr<Compressor>> made;
    for (int j = 0; j < shards; ++j) {
      made.push_back(factory());
      made.back()->seed(compressor_seed(ctx.seed, node.name, j));
    }
    return made;
  }
};

}  // namespace algo
