// All-reduce with gradient buckets, for layer profiles (timing only), as
// PyTorch DDP and Horovod run it: the backward pass produces gradients from
// the last layer down; as soon as a bucket's gradients are all computed its
// all-reduce starts, on a communication process of its own, while the
// backward pass goes on. The buckets are reduced one after another, in the
// order they became ready (one communication stream, as NCCL's), so bucket
// k's all-reduce ends at
//   done_k = max(ready_k, done_{k-1}) + T_k,
// which on an uncontended network is max over j <= k of (ready_j + T_j + ...
// + T_k); when no bucket waits for the one before, the step's communication
// ends at max over k of (ready_k + T_k). The optimizer step follows (in
// DataParallel::work), then the next step's forward pass.
//
// A step's compute takes one straggler draw: the framework overhead and the
// forward pass, then the backward pass bucket by bucket, each part timed at
// the node's FLOP/s with the device's efficiency per layer kind.
#include "algorithms/runtime/model_shape.h"
#include "algorithms/sync/data_parallel.h"
#include "algorithms/sync/data_parallel_parts.h"

namespace algo {

sim::Task DataParallel::bucketed_step(Worker& self, int rank, std::uint64_t incarnation,
                                      std::int64_t& samples) {
  RunContext& ctx = *ctx_;
  Replica& replica = self.replica;
  const auto batch = static_cast<double>(replica.sampler.next_batch(replica.batch_size).size());
  samples += static_cast<std::int64_t>(batch);
  ComputeModel& compute = replica.compute;
  const double factor = compute.factor();
  sim::Mailbox<int>& ready = *bucket_ready_[static_cast<std::size_t>(rank)];
  const double forward = step_overhead_flops(ctx, replica.node) + buckets_.forward_flops * batch;
  co_await compute.run_for(*ctx.net, compute.time_at(forward, factor), "forward");
  for (std::size_t k = 0; k < buckets_.buckets.size(); ++k) {
    if (ctx.net->incarnation(self.host()) != incarnation) co_return;
    const double flops = buckets_.buckets[k].backward_flops * batch;
    co_await compute.run_for(*ctx.net, compute.time_at(flops, factor), "backward");
    if (config_.overlap) ready.send(static_cast<int>(k));
  }
  if (buckets_.tail_flops > 0) {
    co_await compute.run_for(*ctx.net, compute.time_at(buckets_.tail_flops * batch, factor),
                             "backward");
  }
  if (ctx.net->incarnation(self.host()) != incarnation) co_return;
  if (!config_.overlap) {
    for (std::size_t k = 0; k < buckets_.buckets.size(); ++k) ready.send(static_cast<int>(k));
  }
}

// Rank's communication stream: each bucket's all-reduce once it is ready,
// in order; then the step's notice to the worker. The weight element (the
// batch) rides with the last bucket.
sim::Task DataParallel::reduce_buckets(int rank) {
  const auto r = static_cast<std::size_t>(rank);
  while (true) {
    for (std::size_t k = 0; k < buckets_.buckets.size(); ++k) {
      co_await bucket_ready_[r]->receive();
      const GradientBucket& b = buckets_.buckets[k];
      const bool last = k + 1 == buckets_.buckets.size();
      const CollectiveBuffer all = buffer_of(*workers_[r]);
      const CollectiveBuffer part = all.part(static_cast<std::size_t>(b.offset),
                                             last ? all.size() - static_cast<std::size_t>(b.offset)
                                                  : static_cast<std::size_t>(b.floats));
      co_await allreduce(*comm_, rank, part, config_.collective);
    }
    buckets_done_[r]->send(0);
  }
}

}  // namespace algo
