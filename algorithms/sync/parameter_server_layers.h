// Per-layer push and pull for ps_sync with a layer profile (BytePS, P3,
// ByteScheduler): the plan of what moves, and the state the layered worker
// and server processes share (parameter_server_layers.cpp; nothing else but
// the two ParameterServer source files includes it).
//
// The gradient is cut into the DDP buckets of gradient_buckets.h (reverse
// layer order, closed at the cap), and each bucket into k pieces as equal
// as possible, piece j on shard j (a bucket of fewer than k floats: one
// float per shard, on the next shards in turn), as BytePS partitions a
// tensor over its servers. With one bucket the pieces are the shards'
// ranges of parameter_server.h. A piece is the unit that moves: a worker
// pushes it, its shard applies it once all N workers' copies are in, and
// sends it back to every worker.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "algorithms/ml/profiles/layer_profile.h"
#include "algorithms/runtime/send_stream.h"
#include "algorithms/sync/parameter_server.h"

namespace algo {

struct PsPiece {
  int bucket = 0;  // in ready order (the last layers' bucket is 0)
  int shard = 0;
  std::int64_t floats = 0;  // its parameters
  int first_layer = 0;      // its bucket's lowest layer with parameters: its priority
};

struct PsLayerPlan {
  // By layer, in forward order: effective FLOPs per sample
  // (ml::DeviceModel::effective), the bucket holding its parameters (-1:
  // none), and the bucket whose gradient is complete once this layer's
  // backward has run (-1: none).
  std::vector<double> forward_flops;
  std::vector<double> backward_flops;
  std::vector<int> bucket_of;
  std::vector<int> closes;
  std::vector<PsPiece> pieces;                  // by bucket, then by shard
  std::vector<std::vector<int>> bucket_pieces;  // by bucket: its pieces
  std::vector<std::vector<int>> shard_pieces;   // by shard: its pieces
  int census_piece = 0;  // shard 0's last piece in push order: it carries the update
};

// REQUIRES cap_bytes > 0 and 1 <= shards <= the profile's parameters
// (throws std::invalid_argument otherwise).
PsLayerPlan plan_ps_layers(const ml::LayerProfile& profile, const ml::DeviceModel& device,
                           double cap_bytes, int shards);

// The state of a layered run. Owned by the ParameterServer.
struct ParameterServer::Layers {
  PsLayerPlan plan;
  // push[i][j]: worker i's stream to shard j; pull[j][i]: shard j's to worker i.
  std::vector<std::vector<std::unique_ptr<SendStream<GradientSlice>>>> push;
  std::vector<std::vector<std::unique_ptr<SendStream<ParamsSlice>>>> pull;
  // By worker, by bucket: pieces arrived for its next forward pass.
  std::vector<std::vector<std::size_t>> have;
};

}  // namespace algo
