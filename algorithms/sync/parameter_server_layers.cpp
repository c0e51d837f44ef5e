// ps_sync with per-bucket push and pull on a layer profile (timing only), as
// BytePS, P3 and ByteScheduler run a parameter server:
//
//   * A worker's step: the framework overhead and the forward pass, layer by
//     layer; layer l's forward starts once layer l-1's has run and the
//     pieces of layer l's bucket have arrived from this step's pulls. Then
//     the backward pass, last layer first; as soon as a bucket's gradients
//     are computed (its lowest layer with parameters), its pieces are queued
//     for push (with overlap: false, every bucket once the backward pass is
//     over). One straggler draw per step, as for a whole-model step.
//   * Every (sender, receiver) pair has one SendStream (send_stream.h):
//     messages go one at a time, the next as the one before has drained;
//     with priority, the waiting message of the lowest layer goes first; a
//     message on the wire is never preempted.
//   * A shard applies a piece once all N workers' copies are in: the
//     aggregator's FLOPs plus 2 x its floats on the server's compute (one
//     piece at a time; with priority the lowest layer's complete piece
//     first, else in the order they completed), then queues the piece's new
//     parameters to every worker, in worker order. When all its pieces of a
//     step are applied its version goes up, and the step is counted as for
//     a whole-model ps_sync (accounting at shard 0, staleness 0).
//
// Timing: a worker times its compute from the start of an uninterrupted
// stretch (the step's start, or the arrival it last waited for) with the
// FLOPs done since, rounded once; a step that never waits after its first
// layer ends at the same instant, from the same FLOP total, as a
// whole-model step: one bucket reproduces whole-model ps_sync to the
// nanosecond.
#include <algorithm>
#include <cassert>
#include <stdexcept>

#include "algorithms/runtime/model_shape.h"
#include "algorithms/runtime/gradient_buckets.h"
#include "algorithms/sync/parameter_server_layers.h"
#include "algorithms/sync/parameter_server_worker.h"

namespace algo {

PsLayerPlan plan_ps_layers(const ml::LayerProfile& profile, const ml::DeviceModel& device,
                           double cap_bytes, int shards) {
  if (shards < 1 || shards > profile.parameters()) {
    throw std::invalid_argument("per-bucket push and pull needs 1 to P shards");
  }
  const BucketPlan buckets = plan_buckets(profile, device, cap_bytes);
  const std::size_t layers = profile.layers.size();
  PsLayerPlan plan;
  plan.bucket_of.assign(layers, -1);
  plan.closes.assign(layers, -1);
  for (const ml::ProfileLayer& l : profile.layers) {
    plan.forward_flops.push_back(device.effective(l.forward_flops, l.kind));
    plan.backward_flops.push_back(device.effective(l.backward_flops, l.kind));
  }
  // Walk the backward pass as plan_buckets does: bucket k holds the next
  // buckets[k].floats parameters, and closes at the layer that fills it.
  std::size_t k = 0;
  std::int64_t filled = 0;
  for (std::size_t i = layers; i-- > 0;) {
    const std::int64_t p = profile.layers[i].parameters;
    if (p == 0) continue;
    assert(k < buckets.buckets.size());
    plan.bucket_of[i] = static_cast<int>(k);
    filled += p;
    if (filled == buckets.buckets[k].floats) {
      plan.closes[i] = static_cast<int>(k);
      ++k;
      filled = 0;
    }
  }
  if (k != buckets.buckets.size())
    throw std::invalid_argument("bucket plan does not cover the layers");
  std::vector<int> first_layer(buckets.buckets.size(), 0);
  for (std::size_t i = 0; i < layers; ++i) {
    if (plan.closes[i] >= 0)
      first_layer[static_cast<std::size_t>(plan.closes[i])] = static_cast<int>(i);
  }
  plan.bucket_pieces.resize(buckets.buckets.size());
  plan.shard_pieces.resize(static_cast<std::size_t>(shards));
  // Each bucket is split evenly over the shards, as BytePS partitions a
  // tensor over its servers, so every bucket's traffic spreads over every
  // server's link; one bucket gives the whole-model layout (shard_ranges).
  // A bucket of fewer floats than shards goes to the next shards in turn.
  int next = 0;
  for (std::size_t b = 0; b < buckets.buckets.size(); ++b) {
    const std::int64_t floats = buckets.buckets[b].floats;
    const int parts = static_cast<int>(std::min<std::int64_t>(shards, floats));
    const std::vector<ShardRange> split = shard_ranges(floats, parts);
    for (int q = 0; q < parts; ++q) {
      const int shard = (next + q) % shards;
      const int index = static_cast<int>(plan.pieces.size());
      plan.pieces.push_back(
          {static_cast<int>(b), shard, split[static_cast<std::size_t>(q)].size, first_layer[b]});
      plan.bucket_pieces[b].push_back(index);
      plan.shard_pieces[static_cast<std::size_t>(shard)].push_back(index);
      if (shard == 0) plan.census_piece = index;
    }
    next = (next + parts) % shards;
  }
  for (const std::vector<int>& pieces : plan.shard_pieces) {
    if (pieces.empty()) throw std::invalid_argument("a shard holds no parameters");
  }
  return plan;
}

void ParameterServer::launch_layers() {
  RunContext& ctx = *ctx_;
  layers_ = std::make_unique<Layers>();
  Layers& l = *layers_;
  l.plan = plan_ps_layers(*ctx.profile, ctx.device, config_.bucket_cap_bytes,
                          static_cast<int>(shards_.size()));
  const bool prioritized = config_.layer_priority;
  for (auto& worker : workers_) {
    l.push.emplace_back();
    for (auto& shard : shards_) {
      l.push.back().push_back(std::make_unique<SendStream<GradientSlice>>(
          *ctx.net, worker->node.host, shard->node.host, shard->inbox, prioritized, "gradient"));
    }
    l.have.emplace_back(l.plan.bucket_pieces.size(), 0);
    std::fill(worker->versions.begin(), worker->versions.end(), 0);
  }
  for (auto& shard : shards_) {
    l.pull.emplace_back();
    for (auto& worker : workers_) {
      l.pull.back().push_back(std::make_unique<SendStream<ParamsSlice>>(
          *ctx.net, shard->node.host, worker->node.host, *worker->inbox, prioritized, "params"));
    }
  }
  for (int j = 0; j < static_cast<int>(shards_.size()); ++j) {
    ctx.sim->spawn(layered_shard(j), shards_[static_cast<std::size_t>(j)]->node.name);
  }
  for (int i = 0; i < num_workers(); ++i) {
    ctx.sim->spawn(layered_work(i), workers_[static_cast<std::size_t>(i)]->node.name);
  }
}

sim::Task ParameterServer::layered_work(int index) {
  RunContext& ctx = *ctx_;
  Worker& self = *workers_[static_cast<std::size_t>(index)];
  const PsLayerPlan& plan = layers_->plan;
  std::vector<std::size_t>& have = layers_->have[static_cast<std::size_t>(index)];
  const topology::NodeId host = self.node.host;
  const std::uint64_t incarnation = ctx.net->incarnation(host);
  const auto dead = [&] { return ctx.net->incarnation(host) != incarnation; };
  const auto take = [&](const ParamsSlice& slice) {
    ++have[static_cast<std::size_t>(plan.pieces[static_cast<std::size_t>(slice.piece)].bucket)];
    self.versions[static_cast<std::size_t>(slice.shard)] = slice.version;
  };
  const std::size_t layers = plan.forward_flops.size();
  const double overhead = step_overhead_flops(ctx, self.node);
  const double parameters = static_cast<double>(model_parameters(ctx));
  ComputeModel& compute = self.replica.compute;
  while (true) {
    const auto batch =
        static_cast<double>(self.replica.sampler.next_batch(self.replica.batch_size).size());
    const double factor = compute.factor();
    // The whole step's FLOPs, summed as Replica::local_step sums them.
    const double whole = self.replica.flops_per_sample() * batch + overhead + 0.0 +
                         self.replica.objective->extra_flops(static_cast<std::int64_t>(parameters));
    sim::Time start = ctx.sim->now();  // of the uninterrupted stretch
    double done = 0;                   // FLOPs since `start`
    bool uninterrupted = true;         // no wait after the step's first computation
    const auto reached = [&] { return start + compute.time_at(done, factor); };
    // Compute until `t`: co_await compute.run_for(...) when later than now.
    const auto until = [&](sim::Time t) { return std::max<sim::Time>(0, t - ctx.sim->now()); };
    for (std::size_t i = 0; i < layers; ++i) {
      const int bucket = plan.bucket_of[i];
      const auto b = static_cast<std::size_t>(bucket);
      if (bucket >= 0 && have[b] < plan.bucket_pieces[b].size()) {
        if (const sim::Time d = until(reached()); d > 0) {
          co_await compute.run_for(*ctx.net, d, "forward");
          if (dead()) co_return;
        }
        while (auto slice = self.inbox->try_receive()) take(*slice);
        const bool waits = have[b] < plan.bucket_pieces[b].size();
        while (have[b] < plan.bucket_pieces[b].size()) {
          ParamsSlice slice = co_await algo::receive(*ctx.net, host, *self.inbox, "params");
          if (dead()) co_return;
          take(slice);
        }
        if (waits) {
          if (done > 0) uninterrupted = false;
          start = ctx.sim->now();
          done = 0;
        }
      }
      done += (i == 0 ? overhead : 0.0) + plan.forward_flops[i] * batch;
    }
    // Every bucket's parameters were in for the forward pass; what arrives
    // from now on is the next step's.
    std::fill(have.begin(), have.end(), 0);
    // The step's update is produced with its first push, as a whole-model
    // worker produces it with its one push.
    const std::int64_t seq = self.pushed++;
    const std::int64_t samples = static_cast<std::int64_t>(batch);
    bool produced = false;
    const auto push = [&](std::size_t k) {
      if (!produced) {
        produced = true;
        ledger_->produced(index, seq, false);
        self.retry_copy = ctx.census->produce(host);
      }
      push_bucket(index, static_cast<int>(k), seq, samples);
    };
    std::vector<double> ready_flops;  // by bucket, with overlap: FLOPs since `start`
    for (std::size_t i = layers; i-- > 0;) {
      done += plan.backward_flops[i] * batch;
      if (plan.closes[i] >= 0) ready_flops.push_back(done);
    }
    const sim::Time end = uninterrupted ? start + compute.time_at(whole, factor) : reached();
    for (std::size_t k = 0; k < ready_flops.size(); ++k) {
      if (!config_.overlap) break;
      // The last bucket closes at layer 0 when it has parameters: then at the step's end.
      const bool at_end = k + 1 == ready_flops.size() && plan.closes[0] >= 0;
      const sim::Time ready =
          at_end ? end : std::min(end, start + compute.time_at(ready_flops[k], factor));
      if (const sim::Time d = until(ready); d > 0) {
        co_await compute.run_for(*ctx.net, d, "backward");
        if (dead()) co_return;
      }
      push(k);
    }
    if (const sim::Time d = until(end); d > 0) {
      co_await compute.run_for(*ctx.net, d, "backward");
      if (dead()) co_return;
    }
    if (!config_.overlap) {
      // Queued together: with priority, the lowest layer's bucket goes first.
      for (std::size_t k = 0; k < ready_flops.size(); ++k) {
        push(config_.layer_priority ? ready_flops.size() - 1 - k : k);
      }
    }
    self.retry_copy.reset();  // it never resends
  }
}

void ParameterServer::push_bucket(int index, int bucket, std::int64_t seq, std::int64_t samples) {
  Worker& self = *workers_[static_cast<std::size_t>(index)];
  const PsLayerPlan& plan = layers_->plan;
  for (int p : plan.bucket_pieces[static_cast<std::size_t>(bucket)]) {
    const PsPiece& piece = plan.pieces[static_cast<std::size_t>(p)];
    const auto j = static_cast<std::size_t>(piece.shard);
    const bool carries = p == plan.census_piece;
    if (carries) ledger_->copy_sent(index, seq);
    layers_->push[static_cast<std::size_t>(index)][j]->send(
        self.compressors[j]->wire_bytes(piece.floats),
        GradientSlice{index, self.versions[j], samples, nullptr, seq, 0,
                      carries ? self.retry_copy : UpdateCopy(), p},
        piece.first_layer);
  }
}

sim::Task ParameterServer::layered_shard(int index) {
  RunContext& ctx = *ctx_;
  Shard& shard = *shards_[static_cast<std::size_t>(index)];
  const PsLayerPlan& plan = layers_->plan;
  const std::vector<int>& mine = plan.shard_pieces[static_cast<std::size_t>(index)];
  const int n = num_workers();
  const auto send_piece = [&](int p, std::int64_t version) {
    const PsPiece& piece = plan.pieces[static_cast<std::size_t>(p)];
    for (int w = 0; w < n; ++w) {
      layers_->pull[static_cast<std::size_t>(index)][static_cast<std::size_t>(w)]->send(
          static_cast<double>(piece.floats) * sizeof(float),
          ParamsSlice{index, version, nullptr, -1, 0, p}, piece.first_layer);
    }
  };
  if (index == 0 && ctx.monitor->on_update(0, 0, params_)) co_return;
  // The initial parameters, queued together: with priority, the lowest
  // layer's pieces go first (pieces are listed last layers first).
  if (config_.layer_priority) {
    for (auto p = mine.rbegin(); p != mine.rend(); ++p) send_piece(*p, shard.version);
  } else {
    for (int p : mine) send_piece(p, shard.version);
  }

  std::vector<int> arrived(plan.pieces.size(), 0);  // by piece: this step's copies in
  std::vector<int> complete;                        // pieces with all N in, as they completed
  std::vector<std::int64_t> samples(static_cast<std::size_t>(n), 0);
  std::vector<GradientSlice> counted(static_cast<std::size_t>(n));  // shard 0: the updates
  std::size_t applied = 0;                                          // of this step's pieces
  const auto take = [&](GradientSlice message) {
    const auto w = static_cast<std::size_t>(message.worker);
    samples[w] = message.samples;
    const int p = message.piece;
    if (p == plan.census_piece) {
      ledger_->copy_received(message.worker, message.seq);
      ledger_->hold(message.worker, message.seq);
      counted[w] = std::move(message);
    }
    if (++arrived[static_cast<std::size_t>(p)] == n) {
      arrived[static_cast<std::size_t>(p)] = 0;
      complete.push_back(p);
    }
  };
  while (true) {
    GradientSlice first = co_await receive(shard);
    if (!alive(shard)) co_return;
    take(std::move(first));
    while (!complete.empty()) {
      while (auto more = shard.inbox.try_receive()) {
        ++shard.received;
        take(std::move(*more));
      }
      std::size_t pick = 0;
      for (std::size_t c = 1; c < complete.size() && config_.layer_priority; ++c) {
        const auto first_layer = [&](std::size_t at) {
          return plan.pieces[static_cast<std::size_t>(complete[at])].first_layer;
        };
        if (first_layer(c) < first_layer(pick)) pick = c;
      }
      const int p = complete[pick];
      complete.erase(complete.begin() + static_cast<std::ptrdiff_t>(pick));
      const std::int64_t floats = plan.pieces[static_cast<std::size_t>(p)].floats;
      co_await shard.compute.run(
          *ctx.net, shard.aggregator->flops(floats, n) + 2.0 * static_cast<double>(floats));
      if (!alive(shard)) co_return;
      if (++applied == mine.size()) {
        applied = 0;
        std::int64_t total = 0;
        for (int w = 0; w < n; ++w) {
          total += samples[static_cast<std::size_t>(w)];
          if (!counting_shard(shard)) continue;
          const GradientSlice& g = counted[static_cast<std::size_t>(w)];
          const bool settled_now = ledger_->applied(w, g.seq);
          assert(settled_now);
          (void)settled_now;
          g.update_copy.settle();
          ctx.monitor->record_applied(shard.version - g.version);
          applied_log_.push_back(w);
        }
        ++shard.version;
        on_shard_advanced(shard, total);
        if (ended(shard)) co_return;
        send_piece(p, shard.version);
      } else {
        send_piece(p, shard.version + 1);
      }
    }
  }
}

}  // namespace algo
