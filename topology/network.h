// topology::Network: flow-level bandwidth sharing on a sim::Simulator.
//
// The model (a flow-level max-min model in the family of SimGrid's CM02, not
// the same: flows share a link equally unless set_sharing(rtt) weights them
// by 1 / route latency as CM02 does; a flow drains first and then pays its
// latency, where CM02 pays the latency before it starts to share; and no
// flow is capped by a TCP window over its RTT, as CM02's TCP-gamma bound
// caps it):
//   * A transfer of `bytes` from src to dst is a flow over Routing's route.
//     Each direction of a link is a channel with the link's full bandwidth.
//   * The flow starts draining at once, at its max-min fair rate among all
//     draining flows (progressive filling over the channels, see max_min.h).
//     Rates are re-solved whenever a flow starts or finishes draining; flows
//     that start at one instant share one re-solve (see below).
//   * It is delivered route latency after its last byte drains: on_delivered
//     runs as a simulator event at that instant.
// So a lone flow takes exactly latency + bytes / bandwidth, the duration
// bytes / bandwidth rounded once to the nanosecond (sim::from_seconds); N
// equal flows through one bottleneck B each drain at B / N.
//   * src == dst: delivered at now() (still as an event), no link is used.
//   * bytes == 0: delivered after the route latency, no link is used.
// Calibration (calibration.h; off by default): every channel's capacity is
// its link's bandwidth x bandwidth_efficiency, and every message that leaves
// its host (bytes == 0 too, not src == dst) is delivered message_overhead
// after its route latency, so a lone flow takes overhead + latency +
// bytes / (efficiency x bandwidth).
//
// Timing details: while its rate is unchanged, a flow keeps the drain-end
// instant computed when that rate was set (so unrelated flows starting or
// ending elsewhere do not move it by a rounding nanosecond). When rates
// change, remaining bytes are updated as remaining -= rate * elapsed and the
// drain end becomes now + from_seconds(remaining / rate). A flow whose drain
// end rounds to now (less than half a nanosecond of bytes left) is done.
//
// Batching: a flow that starts gets rate 0 until a re-solve event at the same
// instant, scheduled by the first start of that instant, so the N flows of a
// collective step cost one solve instead of N. No simulated time passes in
// between, so the rates over any interval are those of an immediate re-solve.
// flow_rate() re-solves first if one is pending.
//
// Determinism: ties in the solver go to the lowest channel index (and its
// rates do not depend on the order of the flows), flows finishing at the same
// instant are retired and delivered in id order, each channel's flows are
// summed for links.csv in id order; no unordered containers.
//
// Cost: each start or end costs O(log flows) for the drain-time heap plus a
// solve of the flows connected to it through shared channels (O((k + m) log m)
// for k flows on m channels, see max_min.h); nothing walks every flow in
// flight. Remaining bytes are brought up to date only when a flow's rate
// changes, by replaying the logged instants since its last update (the very
// subtractions an update of every flow at every instant would make, so the
// results are bit for bit the same). Once routes are cached and buffers have
// reached their working sizes, a transfer allocates nothing
// (tests/perf/test_network_allocation.cpp).
//
// Daemons (sim::Simulator::spawn_daemon): a transfer started by a daemon
// event is delivered in the daemon lane; any other holds the simulator's run
// open from its start to its delivery.
// Faults (set by a fault injector; none by default):
//   * a link can go down: routes are recomputed around it; every transfer
//     whose route crosses it, draining or propagating, is lost at once;
//   * a link's bandwidth can be scaled by a factor: rates are re-solved at
//     that instant (remaining bytes are brought up to date first);
//   * a link can lose each message crossing it with a probability, drawn at
//     the start from the link's own seeded stream (one draw per lossy link of
//     the route, in route order); a lost message still drains and uses its
//     share of bandwidth, and is lost when it would have been delivered;
//   * a host can crash: every transfer from or to it is lost at once, and so
//     are transfers started from or to it while it is down; its links carry
//     nothing (so nothing is routed through it). Each crash bumps the host's
//     incarnation, which processes on it use to notice that they died;
//   * hosts can be partitioned: each host has a partition group (0 unless
//     set); transfers between different groups are lost, at once if in
//     flight when the partition forms. Routes do not change.
// A transfer started towards an unreachable destination (no usable route,
// another partition, a crashed end) is lost, not an error, once any fault has
// been set; before that an unreachable destination is still an error.
// A lost transfer's on_lost (if any) runs as a simulator event at the instant
// of the loss; on_delivered never runs for it.
//
// Lifetime: the Network schedules events whose context is `this`, so it must
// outlive every run()/step() of its Simulator that could fire them; the
// Topology must outlive the Network and stay unmodified.
#pragma once

#include <coroutine>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "sim/lamport.h"
#include "sim/random.h"
#include "sim/recorder.h"
#include "sim/simulator.h"
#include "topology/calibration.h"
#include "topology/link_usage.h"
#include "topology/max_min.h"
#include "topology/routing.h"
#include "topology/topology.h"

namespace topology {

class Network {
 public:
  // Throws std::invalid_argument for a calibration that fails check().
  Network(sim::Simulator& sim, const Topology& topo, Calibration calibration = {});
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Starts moving `bytes` from src to dst now; on_delivered() runs, as a
  // simulator event, when the last byte arrives. Returns the flow id (ids
  // count up from 1 in call order).
  // Throws std::invalid_argument for an unknown node or bytes < 0 or not
  // finite, std::runtime_error if dst is unreachable from src.
  // If the transfer is lost (see Faults above) on_lost runs instead.
  // on_drained, if given, runs as a simulator event at the instant the last
  // byte has left the sender (before the route latency; at once for a
  // transfer that uses no link), so a sender can queue its next message
  // behind this one as one connection does; it does not run for a transfer
  // lost before then. A transfer without it schedules no such event.
  std::uint64_t start_transfer(NodeId src, NodeId dst, double bytes,
                               std::function<void()> on_delivered,
                               std::function<void()> on_lost = {},
                               std::function<void()> on_drained = {});

  // `co_await net.transfer(src, dst, bytes)` resumes the caller at delivery.
  // Errors of start_transfer are thrown into the awaiting coroutine.
  class TransferAwaiter {
   public:
    TransferAwaiter(Network& network, NodeId src, NodeId dst, double bytes)
        : network_(&network), src_(src), dst_(dst), bytes_(bytes) {}
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      network_->start_transfer(src_, dst_, bytes_, [h] { h.resume(); });
    }
    void await_resume() const noexcept {}

   private:
    Network* network_;
    NodeId src_;
    NodeId dst_;
    double bytes_;
  };
  TransferAwaiter transfer(NodeId src, NodeId dst, double bytes) {
    return TransferAwaiter(*this, src, dst, bytes);
  }

  // How flows that share a bottleneck split it.
  //   equal (the default): max-min fairness, every flow the same share;
  //   rtt: weighted max-min with each flow's weight 1 / its route latency (a
  //     route of no latency counts as 1 ns), as SimGrid's CM02 model does
  //     (its sharing penalty is the route latency): of two flows on one
  //     link, the one with half the latency gets twice the rate, as TCP's
  //     throughput scales with 1 / RTT. A flow alone on its links still
  //     gets their full bandwidth.
  // REQUIRES: set before the first transfer.
  enum class Sharing { equal, rtt };
  void set_sharing(Sharing sharing) { sharing_ = sharing; }
  Sharing sharing() const { return sharing_; }

  // Introspection, for tests and metrics.
  double flow_rate(std::uint64_t flow_id);                      // bytes/s while draining, else 0
  std::size_t active_flows() const { return draining_count_; }  // draining flows
  std::size_t pending_deliveries() const { return propagating_count_; }
  // Counted in full at start_transfer: by source node, and per channel crossed.
  double bytes_sent(NodeId host) const;
  double total_bytes_sent() const { return total_bytes_sent_; }
  double channel_bytes(int channel) const;
  std::uint64_t transfers_completed() const { return transfers_completed_; }  // delivered
  std::uint64_t transfers_lost() const { return transfers_lost_; }

  // ---- Faults. Link ids and host ids as in the Topology; std::out_of_range
  // for an unknown one, std::invalid_argument for a bad factor/probability.
  void set_link_up(int link_id, bool up);
  bool link_up(int link_id) const { return link_up_.at(static_cast<std::size_t>(link_id)) != 0; }
  // Bandwidth = the topology's x factor (x the calibration's efficiency),
  // factor > 0 and finite.
  void set_link_bandwidth_factor(int link_id, double factor);
  // One direction's own speed (a device's uplink or downlink): the channel's
  // bandwidth becomes bytes_per_s (x the calibration's efficiency), > 0 and
  // finite. Not a fault: nothing becomes lossy. A later bandwidth factor on
  // the link resets it to the topology's x factor.
  void set_channel_bandwidth(int channel, double bytes_per_s);
  // Each message crossing the link is lost with `probability` in [0, 1],
  // drawn from a stream seeded with `seed`.
  void set_link_loss(int link_id, double probability, std::uint64_t seed);
  void crash_host(NodeId host);    // no-op if already down
  void recover_host(NodeId host);  // no-op if up
  bool host_up(NodeId host) const { return host_up_.at(static_cast<std::size_t>(host)) != 0; }
  // Counts the host's crashes: a process that saw incarnation i is dead once it changes.
  std::uint64_t incarnation(NodeId host) const {
    return incarnation_.at(static_cast<std::size_t>(host));
  }
  // Puts every host of `hosts` in partition group `group` (0: the main one).
  void set_partition(const std::vector<NodeId>& hosts, int group);
  int partition_of(NodeId host) const { return partition_.at(static_cast<std::size_t>(host)); }
  // Whether a transfer src -> dst started now would get through (ignoring random loss).
  bool can_reach(NodeId src, NodeId dst);
  // Whether any fault was ever set (before that, nothing is lost).
  bool faults_active() const { return faults_set_; }
  Routing& routing() { return routing_; }

  // Lamport clocks that algo::send_message stamps on every message (not on
  // bare transfers). Not owned; null (the default) turns stamping off.
  // REQUIRES: clocks->size() >= the topology's node count.
  void set_lamport_clocks(sim::LamportClocks* clocks) { lamport_ = clocks; }
  sim::LamportClocks* lamport_clocks() const { return lamport_; }
  // The run's opt-in event recorder (events.csv, trace.json): algo::send_message,
  // the compute and receive helpers record through it. Not owned; null (the
  // default) records nothing.
  void set_recorder(sim::Recorder* recorder) { recorder_ = recorder; }
  sim::Recorder* recorder() const { return recorder_; }
  sim::Simulator& simulator() const { return *sim_; }
  // Per-channel bytes over time (links.csv). Not owned; null (the default)
  // records nothing. REQUIRES: usage->channels() == routing().channel_count(),
  // attached before the first transfer.
  void set_link_usage(LinkUsage* usage) { usage_ = usage; }
  const Topology& topology() const { return *topo_; }

 private:
  // Every transfer lives in one slot of flows_ from its start to its delivery
  // or loss; a freed slot is reused (free list), so a warm network allocates
  // nothing per transfer. Events name a slot and its use count (tag()), so an
  // event for a transfer that was lost and whose slot was reused is ignored.
  enum class Stage : std::uint8_t { free, draining, propagating, losing };
  static constexpr std::uint32_t kNone = 0xffffffffu;
  struct Flow {
    std::uint64_t id = 0;
    std::uint32_t use = 0;  // bumped each time the slot is taken
    Stage stage = Stage::free;
    bool daemon = false;  // started by a daemon event: delivered in the daemon lane
    bool doomed = false;  // lost to a lossy link: lost when it would arrive
    NodeId src = 0, dst = 0;
    const Routing::Route* route = nullptr;  // owned by routing_ (retired routes stay alive)
    std::function<void()> on_delivered;
    std::function<void()> on_lost;
    std::function<void()> on_drained;  // empty unless the sender asked for it
    // While draining:
    double remaining = 0.0;                      // bytes not yet drained, as of tick `since`
    double rate = 0.0;                           // bytes/s from the last solve
    sim::Time drain_end = sim::kTimeMax;         // projected instant the last byte drains
    std::uint64_t since = 0;                     // index in the tick log of `remaining`'s instant
    std::uint32_t heap_pos = kNone;              // in drain_heap_
    std::uint32_t older = kNone, newer = kNone;  // the list of draining flows by `since`
    std::uint32_t first_member = kNone;          // its entries in members_, chained by next_of_flow
  };

  static void on_drain_event(void* self, std::uint64_t generation);
  static void on_resolve_event(void* self, std::uint64_t unused);
  // Schedules one re-solve at now() unless one is already pending.
  void request_resolve();
  static void on_delivery_event(void* self, std::uint64_t tag);
  // Schedules the flow's on_drained (if any) as an event at now().
  void schedule_drained(std::uint32_t slot);
  static void on_drained_event(void* self, std::uint64_t tag);

  std::uint32_t take_slot();
  void free_slot(std::uint32_t slot);
  std::uint64_t tag(std::uint32_t slot) const {
    return static_cast<std::uint64_t>(flows_[slot].use) << 32 | slot;
  }
  // The slot an event's tag names, or kNone if that transfer is gone.
  std::uint32_t slot_of_tag(std::uint64_t tag, Stage stage) const;

  // Logs now() as a tick, then retires the flows whose drain end is <= now()
  // (in id order). Remaining bytes are brought up to date lazily (catch_up).
  void advance();
  // Brings a draining flow's remaining bytes to now(): remaining -= rate *
  // elapsed over each logged tick interval since it was last brought up to
  // date, the very sequence of subtractions an update of every flow at every
  // tick would make (so results are bit for bit those of an eager update).
  void catch_up(std::uint32_t slot);
  void forget_old_ticks();  // drops ticks that no draining flow needs
  // Re-solves the rates of the flows connected to a dirty channel, re-projects
  // their drain ends (retiring any that land on now), and schedules the one
  // next drain-completion event.
  void resolve();
  // Fills affected_ with the slots of the flows that share a channel, directly
  // or through other flows, with a dirty channel, and crossings_ with their
  // routes in that order; clears dirty_channels_.
  void take_affected_flows();
  void retire(std::uint32_t slot);         // schedules its delivery
  void stop_draining(std::uint32_t slot);  // off its channels (dirtied), the heap and the list
  void schedule_delivery(std::uint32_t slot, sim::Time at);
  // When a message whose last byte leaves now arrives: now + route latency +
  // the calibration's per-message overhead.
  sim::Time arrival(const Routing::Route& route) const;
  // Hands usage_ the total rate of each channel over [last_update_, now).
  void record_usage(sim::Time now);
  // A flow is over (delivered or lost): a foreground flow releases the run.
  void end_flow(const Flow& flow);
  // Faults.
  bool doomed_by_loss(const Routing::Route& route);  // draws the lossy links' streams
  bool severed(const Flow& flow) const;              // would be lost by the current faults
  // Loses every transfer that the current faults sever, then re-solves rates.
  void purge_severed();
  void lose(std::uint32_t slot);  // counts it; on_lost as an event now
  static void on_loss_event(void* self, std::uint64_t tag);
  void refresh_link(int link_id);  // routing's view: up and both ends up
  // Sorts slots by flow id: the order of every decision that reaches results.
  void sort_by_id(std::vector<std::uint32_t>& slots) const;

  // The drain heap: draining flows by (drain_end, id), with positions kept in
  // each Flow so a rate change moves its flow in O(log flows).
  bool drains_before(std::uint32_t a, std::uint32_t b) const;
  void heap_push(std::uint32_t slot);
  void heap_remove(std::uint32_t slot);
  void heap_update(std::uint32_t slot);
  void heap_place(std::size_t pos, std::uint32_t slot);
  void heap_sift_up(std::size_t pos);
  void heap_sift_down(std::size_t pos);
  // The list of draining flows by `since`, oldest first.
  void list_append(std::uint32_t slot);
  void list_unlink(std::uint32_t slot);
  // Puts a starting flow on its route's channels (dirtied), or takes it off.
  void join_channels(std::uint32_t slot);
  // Grows every per-solve scratch buffer to what the current slot and
  // crossing counts could need, so that solves never allocate.
  void reserve_scratch();
  void mark_dirty(int channel);  // adds it to dirty_channels_ once
  void leave_channels(std::uint32_t slot);

  // Constant after construction.
  sim::Simulator* sim_;
  const Topology* topo_;
  Calibration calibration_;
  std::vector<double> channel_capacity_;  // bytes/s, by channel

  // Owned by the event loop.
  Routing routing_;
  std::vector<Flow> flows_;  // slots
  // By slot, apart from the large Flow so that the walks of every solve stay in cache:
  std::vector<std::span<const int>> slot_channels_;  // its route's channels, while draining
  std::vector<std::uint64_t> slot_visit_;  // == visit_stamp_ + 1 once take_affected_flows saw it
  std::vector<std::uint32_t> free_slots_;
  std::size_t draining_count_ = 0;
  std::size_t propagating_count_ = 0;
  std::vector<std::uint32_t> drain_heap_;          // see drains_before
  std::uint32_t oldest_ = kNone, newest_ = kNone;  // ends of the list by `since`
  // Tick log: the distinct instants at which advance() ran, from the oldest
  // still needed (ticks_[0] is tick number ticks_base_).
  std::vector<sim::Time> ticks_;
  std::uint64_t ticks_base_ = 0;
  sim::Time last_update_ = 0;
  std::uint64_t generation_ = 0;  // tag of the one live drain event; older ones are ignored
  bool resolve_pending_ = false;  // a re-solve event is scheduled at now()
  // Which draining flows cross each channel: a doubly linked list per channel,
  // in id order (flows are appended as they start), of entries taken from one
  // pool with a free list: O(1) to add or remove, and the pool stops growing
  // once it holds the most (flow, channel) pairs ever draining at once.
  struct Member {
    std::uint32_t slot;
    std::uint32_t prev, next;    // on the channel's list
    std::uint32_t next_of_flow;  // the flow's next entry
    int channel;
  };
  std::vector<Member> members_;
  std::uint32_t free_member_ = kNone;                        // chained by next_of_flow
  std::vector<std::uint32_t> channel_first_, channel_last_;  // by channel; kNone if empty
  std::vector<int> dirty_channels_;  // channels whose flow set changed since the last solve
  std::vector<char> channel_dirty_;  // by channel: in dirty_channels_
  MaxMinSolver solver_;
  // Scratch, kept between calls so its capacity is reused.
  std::vector<char> channel_visited_;  // of take_affected_flows, all 0 between calls
  std::vector<int> walk_stack_, walk_channels_;
  std::vector<std::uint32_t> affected_, due_, cut_;
  std::vector<int> crossings_;  // the affected flows' routes, one after the other
  std::vector<std::span<const int>> routes_;
  std::vector<double> rates_;
  std::vector<double> weights_;  // of the affected flows, with Sharing::rtt
  Sharing sharing_ = Sharing::equal;
  std::uint64_t visit_stamp_ = 0;
  std::uint64_t next_flow_id_ = 1;
  sim::LamportClocks* lamport_ = nullptr;
  sim::Recorder* recorder_ = nullptr;
  LinkUsage* usage_ = nullptr;
  std::vector<double> usage_rate_;   // scratch of record_usage, all 0 between calls
  std::vector<int> usage_channels_;  // scratch: channels with a rate this interval

  // Fault state, by link / by node.
  bool faults_set_ = false;  // any fault call yet: unreachable means lost, not an error
  std::vector<char> link_up_;
  std::vector<double> loss_probability_;
  std::vector<std::unique_ptr<sim::RandomStream>> loss_stream_;
  std::vector<char> host_up_;
  std::vector<std::uint64_t> incarnation_;
  std::vector<int> partition_;

  // Statistics.
  std::vector<double> bytes_sent_;     // by node
  std::vector<double> channel_bytes_;  // by channel
  double total_bytes_sent_ = 0.0;
  std::uint64_t transfers_completed_ = 0;
  std::uint64_t transfers_lost_ = 0;
};

}  // namespace topology
