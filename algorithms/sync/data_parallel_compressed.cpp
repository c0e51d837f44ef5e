// Gradient all-reduce with a lossy compressor: an all-gather of the
// workers' encodings, each decoded and summed by every worker (see
// Compression in data_parallel.h).
#include <cstring>

#include "algorithms/runtime/averaging.h"
#include "algorithms/runtime/training_seeds.h"
#include "algorithms/sync/data_parallel.h"
#include "algorithms/sync/data_parallel_parts.h"

namespace algo {

void DataParallel::start_compressor(Worker& self) {
  self.compressor = config_.compressor();
  self.compressor->seed(compressor_seed(ctx_->seed, self.replica.node.name));
  if (!ctx_->timing_only) self.blocks.resize((parameters_ + 1) * config_.workers.size());
}

sim::Task DataParallel::reduce(Worker& self, int rank) {
  if (!compressed_) {
    co_await allreduce(*comm_, rank, buffer_of(self), config_.collective);
    co_return;
  }
  const Eigen::Index p = parameters_;
  const auto block = static_cast<std::size_t>(p + 1);
  // The encoding of b x gradient, then b itself as a float.
  double bytes = self.compressor->wire_bytes(p) + sizeof(float);
  if (!ctx_->timing_only) {
    MathTimer timer(ctx_->math);
    Encoded encoded = self.compressor->encode(self.reduced.head(p));
    bytes = encoded.bytes + sizeof(float);
    self.blocks.segment(static_cast<Eigen::Index>(rank) * (p + 1), p) = encoded.values;
    self.blocks[static_cast<Eigen::Index>(rank) * (p + 1) + p] = self.reduced[p];
  }
  const CollectiveBuffer blocks =
      ctx_->timing_only
          ? CollectiveBuffer::sizes_only(block * static_cast<std::size_t>(comm_->size()))
          : CollectiveBuffer(
                std::span<float>(self.blocks.data(), static_cast<std::size_t>(self.blocks.size())));
  co_await ring_allgather(*comm_, rank, blocks, block, bytes);
  if (ctx_->timing_only) co_return;
  // Every worker sums the same blocks in the same (rank) order: the same bits.
  MathTimer timer(ctx_->math);
  self.reduced = self.blocks.head(p + 1);
  for (int r = 1; r < comm_->size(); ++r) {
    self.reduced += self.blocks.segment(static_cast<Eigen::Index>(r) * (p + 1), p + 1);
  }
}

}  // namespace algo
