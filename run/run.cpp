#include "run/run.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "algorithms/runtime/update_census.h"
#include "algorithms/services/clock_sync.h"
#include "algorithms/services/failure_detector.h"
#include "algorithms/services/fault_injector.h"
#include "run/clock_sampler.h"
#include "run/accounting.h"
#include "run/world.h"
#include "sim/clock.h"
#include "sim/lamport.h"
#include "sim/recorder.h"
#include "sim/simulator.h"
#include "topology/link_usage.h"
#include "topology/network.h"

namespace syncsim {
namespace {

std::unique_ptr<ml::Optimizer> make_optimizer(const OptimizerSpec& spec) {
  if (spec.kind == "adam") return ml::make_adam(spec.adam);
  return ml::make_sgd(spec.sgd);
}

// One clock per topology node (switches keep perfect ones), each host's drawn
// from its own stream (seed, node name, "clock"): drift, then offset; the
// same stream then drives its random walk.
std::vector<sim::NodeClock> build_clocks(const Scenario& s, const topology::Topology& topo) {
  std::vector<sim::NodeClock> clocks(static_cast<std::size_t>(topo.node_count()));
  for (const NodeGroup& g : s.groups) {
    if (!g.clock) continue;
    for (const std::string& name : node_names(g)) {
      sim::RandomStream stream(s.seed, name, "clock");
      sim::ClockParams params;
      params.drift_ppm = g.clock->drift_ppm.sample(stream);
      params.offset = sim::from_seconds(g.clock->offset_s.sample(stream));
      params.drift_walk_ppm = g.clock->drift_walk_ppm;
      clocks[static_cast<std::size_t>(*topo.find(name))] = sim::NodeClock(params, stream);
    }
  }
  return clocks;
}

// Every bucket up to `end` of every channel that carried anything, in link
// then direction order.
std::vector<RunResult::LinkSample> link_samples(const topology::Topology& topo,
                                                const topology::LinkUsage& usage, sim::Time end) {
  std::vector<RunResult::LinkSample> rows;
  for (int link = 0; link < topo.link_count(); ++link) {
    const auto [a, b] = topo.link_ends(link);
    for (int direction = 0; direction < 2; ++direction) {
      const int channel = topology::channel_of(link, direction);
      const std::vector<topology::LinkUsage::Bucket>& buckets = usage.buckets(channel);
      if (buckets.empty()) continue;
      const sim::Time width = usage.width();
      for (sim::Time start = 0; start < end; start += width) {
        const auto k = static_cast<std::size_t>(start / width);
        const topology::LinkUsage::Bucket bucket =
            k < buckets.size() ? buckets[k] : topology::LinkUsage::Bucket{};
        rows.push_back({topo.name(direction == 0 ? a : b), topo.name(direction == 0 ? b : a), link,
                        start, std::min(end, start + width), bucket.bytes,
                        topo.link(link).bandwidth_bytes_per_s, bucket.busy});
      }
    }
  }
  return rows;
}

}  // namespace

ScenarioResult run(const Scenario& s, const RunOptions& options) {
  const Datasets data = load_datasets(s);
  ScenarioResult result{s, {}};
  for (const AlgorithmChoice& choice : s.algorithms) {
    result.runs.push_back(run_algorithm(s, choice, data, options));
  }
  return result;
}

RunResult run_algorithm(const Scenario& s, const AlgorithmChoice& choice, const Datasets& data,
                        const RunOptions& options) {
  // Wall time is measured for the report only; nothing simulated reads it.
  const auto wall_start = std::chrono::steady_clock::now();
  const topology::Topology topo = build_topology(s);
  const std::unique_ptr<ml::Optimizer> optimizer =
      make_optimizer(choice.optimizer ? *choice.optimizer : s.optimizer);
  std::unique_ptr<algo::Algorithm> algorithm = choice.build();

  // Declared before the simulator, so destroyed after the coroutine frames that refer to them.
  std::vector<sim::NodeClock> clocks = build_clocks(s, topo);
  std::unique_ptr<algo::ClockSync> clock_sync;
  std::unique_ptr<algo::FailureDetector> detector;
  std::vector<topology::NodeId> watched;  // the detector's nodes, in its order
  // Before the simulator too: pending gradient jobs are dropped or waited
  // for when the coroutine frames holding them go.
  algo::MathPool math(options.math_threads > 0 ? options.math_threads
                                               : algo::MathPool::hardware_threads());
  // Straggle faults: each node's current slowdown factor.
  std::vector<double> slowdown(static_cast<std::size_t>(topo.node_count()), 1.0);
  std::unique_ptr<algo::FaultInjector> injector;
  sim::Simulator sim;
  topology::Network net(sim, topo, s.topology.calibration);
  if (s.topology.share_by_rtt) net.set_sharing(topology::Network::Sharing::rtt);
  sim::LamportClocks lamport(static_cast<std::size_t>(topo.node_count()));
  net.set_lamport_clocks(&lamport);
  algo::Monitor monitor(sim, net, data.test, s.model, s.stop, s.eval, data.train.size());
  algo::UpdateCensus census(net);
  if (options.test_faults.vanish_update) census.test_vanish_next_update();
  // Opt-in recorders; their readings of the clocks change no clock (tested).
  std::unique_ptr<sim::Recorder> recorder;
  if (s.outputs.events || s.outputs.trace) {
    recorder = std::make_unique<sim::Recorder>(sim, s.models_clocks() ? &clocks : nullptr);
    net.set_recorder(recorder.get());
  }
  std::unique_ptr<topology::LinkUsage> usage;
  if (s.outputs.links) {
    usage = std::make_unique<topology::LinkUsage>(net.routing().channel_count(),
                                                  s.outputs.links_interval);
    net.set_link_usage(usage.get());
  }

  algo::RunContext ctx;
  ctx.sim = &sim;
  ctx.net = &net;
  ctx.monitor = &monitor;
  ctx.nodes = build_nodes(s, topo);
  if (s.faults) {
    for (algo::Node& node : ctx.nodes) {
      node.episode_slowdown = &slowdown[static_cast<std::size_t>(node.host)];
    }
  }
  ctx.train = &data.train;
  ctx.model = s.model;
  ctx.optimizer = optimizer.get();
  ctx.seed = s.seed;
  ctx.partition = s.data.partition_spec;
  std::vector<algo::ShardStats> partition;
  ctx.shard_stats = &partition;
  if (s.models_clocks()) ctx.clocks = &clocks;
  ctx.math = &math;
  ctx.timing_only = s.timing_only;
  ctx.profile = s.profile.get();
  ctx.device = s.device;
  if (s.timing_only) monitor.set_timing_only();
  monitor.set_math_pool(&math);
  ctx.test_flip_average_sign = options.test_faults.flip_average_sign;
  ctx.census = &census;
  std::optional<algo::PrivacyLedger> privacy;
  if (choice.privacy) ctx.privacy = &privacy.emplace(*choice.privacy, s.seed);
  std::unique_ptr<ClockSampler> clock_sampler;
  if (s.models_clocks()) {
    std::vector<ClockSampler::Target> targets;
    for (const algo::Node& node : ctx.nodes) targets.push_back({node.name, node.host});
    clock_sampler =
        std::make_unique<ClockSampler>(sim, clocks, std::move(targets), s.outputs.clock_interval);
  }
  algorithm->launch(ctx);
  if (clock_sampler) clock_sampler->launch();
  if (s.faults) {
    injector = std::make_unique<algo::FaultInjector>(sim, net, *algorithm, slowdown, s.seed);
    injector->schedule(*s.faults);
  }
  if (s.clock_sync) {
    algo::ClockSyncConfig config;
    config.server = *topo.find(s.clock_sync->server);
    for (const algo::Node& node : ctx.nodes) {
      if (node.host != config.server) config.clients.push_back(node.host);
    }
    config.interval = s.clock_sync->interval;
    config.packet_bytes = s.clock_sync->packet_bytes;
    if (s.clock_sync->slew) config.correction = algo::ClockSyncConfig::Correction::slew;
    config.slew_rate_ppm = s.clock_sync->slew_rate_ppm;
    clock_sync = std::make_unique<algo::ClockSync>(sim, net, clocks, config);
    clock_sync->launch();
  }
  if (s.failure_detector) {
    algo::FailureDetectorConfig config;
    config.monitor = *topo.find(s.failure_detector->monitor);
    for (const algo::Node& node : ctx.nodes) {
      if (node.host != config.monitor) config.nodes.push_back(node.host);
    }
    watched = config.nodes;
    config.interval = s.failure_detector->interval;
    config.suspect_after = s.failure_detector->suspect_after;
    config.packet_bytes = s.failure_detector->packet_bytes;
    if (s.failure_detector->since_sent) config.since = algo::FailureDetectorConfig::Since::sent;
    // A crashed host (faults:) sends no heartbeats; its suspicion is a true one.
    config.is_up = [&net](topology::NodeId host) { return net.host_up(host); };
    detector = std::make_unique<algo::FailureDetector>(sim, net, clocks, config);
    detector->launch();
  }

  // Tells the callback the run ended however it ends (a failing process throws).
  const auto& progress = options.progress;
  struct EndProgress {
    const std::function<void(const ProgressEvent&)>& progress;
    ProgressEvent event;
    ~EndProgress() {
      if (progress) progress(event);
    }
  } end_progress{progress, {ProgressEvent::Kind::end, choice.label, &s.stop, {}}};
  if (progress) {
    progress({ProgressEvent::Kind::begin, choice.label, &s.stop, {}});
    // Every 1024 events: the callback may read the wall clock that often, not per event.
    sim.set_progress_observer(1024, [&] {
      const std::vector<algo::MetricsRow>& rows = monitor.rows();
      progress({ProgressEvent::Kind::update,
                choice.label,
                &s.stop,
                {sim.now(), monitor.epochs(), monitor.version(),
                 rows.empty() ? std::nullopt : std::optional(rows.back().test_accuracy),
                 sim.events_processed()}});
    });
  }
  if (s.stop.max_time > 0) {
    sim.run_until(s.stop.max_time);
  } else {
    sim.run();
  }
  const char* reason = sim.stop_requested()                                  ? "stopped"
                       : s.stop.max_time > 0 && sim.now() >= s.stop.max_time ? "sim_time"
                                                                             : "no_more_events";
  monitor.finish(reason);
  const bool stalled = !sim.stop_requested() && !sim.has_foreground_work();

  RunResult result;
  result.label = choice.label;
  result.kind = choice.kind;
  result.workers = choice.participants;
  result.rows = monitor.rows();
  result.totals = monitor.totals();
  result.staleness_histogram = monitor.staleness_histogram();
  result.partition = std::move(partition);
  for (const algo::Node& node : ctx.nodes) {
    result.traffic.push_back({node.name, net.bytes_sent(node.host)});
  }
  if (s.models_clocks()) {
    result.clock_samples = std::move(clock_sampler->samples());
    result.clock_error_max_s = clock_sampler->error_max_s();
    result.clock_error_mean_s = clock_sampler->error_mean_s();
    result.clock_skew_max_s = clock_sampler->skew_max_s();
    result.clock_skew_mean_s = clock_sampler->skew_mean_s();
  }
  if (clock_sync) {
    result.sync_messages = clock_sync->messages_sent();
    result.sync_bytes = clock_sync->bytes_sent();
  }
  if (detector) {
    for (const algo::Suspicion& e : detector->events()) {
      result.suspicion_events.push_back(
          {e.true_time, e.monitor_local, topo.name(watched[e.node]), e.suspected, e.node_up});
    }
    result.heartbeat_messages = detector->messages_sent();
    result.heartbeat_bytes = detector->bytes_sent();
    result.suspicions = detector->suspicions();
    result.false_suspicions = detector->false_suspicions();
  }
  if (recorder) {
    result.messages = recorder->messages();
    result.spans = recorder->spans();
    for (const algo::Node& node : ctx.nodes) result.node_names.push_back(node.name);
  }
  if (usage) result.link_samples = link_samples(topo, *usage, sim.now());
  if (injector) result.crashes = injector->crashes();
  if (algorithm->counts_updates()) result.updates_outstanding = census.outstanding();
  if (privacy) {
    result.privacy_epsilon = privacy->epsilon();
    result.privacy_delta = privacy->spec().delta;
  }
  settle_status(result, stalled ? algorithm->stall_reason() : std::string());
  result.fl = algorithm->fl_metrics();  // while ctx lives: it evaluates on the shards
  result.final_parameters = algorithm->global_parameters();
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  result.math_seconds = math.math_seconds() + monitor.evaluation_seconds();
  result.threads = math.threads();
  return result;
}

}  // namespace syncsim
