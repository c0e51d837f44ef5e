// Collectives: all-reduce over the simulated network on real float vectors.
//
// A Communicator is a fixed group of participants ("ranks" 0 .. N-1), each a
// host of the network with its own inbox. Every participant of a collective
// awaits the same function with its own rank and its own buffer:
//
//   sim::Task worker(Communicator& comm, int rank, ml::Vector& gradient) {
//     co_await ring_allreduce(comm, rank, gradient);  // now: sum over ranks
//   }
//
// Every piece of data a rank sends is a message of its own flow on the
// network, sized by its real bytes (elements x 4), started when the sender
// reaches that point of the algorithm; it lands in the receiver's inbox one
// path latency after its last byte drains (topology/network.h). Additions
// happen in the order the data arrives, in float32. Reduction arithmetic takes
// no simulated time (the gamma term of the alpha-beta-gamma model is 0).
//
// After any of these all-reduces every rank holds bit-identical results:
// each element is summed on one rank only and then copied to the others.
//
// Alpha-beta times on a uniform star (alpha = path latency = 2 x link
// latency, B = link bandwidth, S = vector bytes), checked by the tests:
//   ring:          2(N-1) alpha + 2(N-1)/N S/B    (segments do not change it)
//   rabenseifner:  2 log2(N) alpha + 2(N-1)/N S/B (N a power of two,
//                  either halving order)
//   binary tree:   2D (alpha + 2S/B) for a full tree, N = 2^(D+1) - 1:
//                  each level's two siblings share their parent's link
//                  (incoming in the reduce, outgoing in the broadcast)
//   binomial tree: 2 log2(N) (alpha + S/B) (N a power of two): one
//                  message per rank and level, none sharing a link
//   hierarchical:  one star = one rack: 2 log2(N) (alpha + S/B) (binomial,
//                  N a power of two), 2 (alpha + (N-1) S/B) (flat)
//
// Aborts (elastic training, data_parallel.h): a Communicator made with
// abort_on_loss aborts a rank's collective when a chunk that rank sent is
// lost (the sender learns of it, as from a failed socket write), and
// abort(rank, operation) aborts it from outside (a timeout). The rank's
// pending or next receive of that operation then throws CollectiveAborted,
// which unwinds its collective; the rank's buffer holds partial sums and
// must be discarded. An abort of an operation the rank has already finished
// is ignored. A Communicator whose collective aborted is not used again
// (elastic training forms a new one among the survivors).
//
// Timing only (math: none): a rank's buffer may be a CollectiveBuffer of a
// size alone, with no floats behind it, on a Communicator made with
// carries_data = false. Every message then keeps its size on the wire and
// nothing is added or copied, so no rank holds a vector.
//
// Matching: a message carries (operation, phase, step) and the element offset
// it covers. Each rank numbers its collective calls; all ranks must call the
// same collectives in the same order (as with MPI), so calls that overlap in
// time (a fast rank already in the next all-reduce) never mix their data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include "algorithms/runtime/carried_updates.h"
#include "sim/mailbox.h"
#include "sim/task.h"
#include "topology/network.h"

namespace algo {

// Thrown out of a collective whose operation was aborted (see above).
class CollectiveAborted : public std::runtime_error {
 public:
  CollectiveAborted() : std::runtime_error("collective aborted") {}
};

// What a rank's collective works on: `size()` floats, or with no floats
// behind it (sizes_only) just their count. A part of it keeps its offset in
// the whole, so the algorithms address messages the same way either way.
class CollectiveBuffer {
 public:
  CollectiveBuffer(std::span<float> floats)  // NOLINT: a span is a buffer with floats
      : data_(floats.data()), size_(floats.size()) {}
  CollectiveBuffer(std::vector<float>& floats)  // NOLINT: as the span over it
      : CollectiveBuffer(std::span<float>(floats)) {}
  // A buffer of `size` elements that exist only as a count.
  static CollectiveBuffer sizes_only(std::size_t size) {
    return CollectiveBuffer(nullptr, 0, size);
  }

  std::size_t size() const { return size_; }
  std::size_t offset() const { return offset_; }  // of this part in the whole buffer
  bool has_floats() const { return data_ != nullptr; }
  // Elements [begin, begin + count) of this part. REQUIRES begin + count <= size().
  CollectiveBuffer part(std::size_t begin, std::size_t count) const {
    return CollectiveBuffer(data_ ? data_ + begin : nullptr, offset_ + begin, count);
  }
  // The floats (empty when sizes only).
  std::span<float> floats() const {
    return data_ ? std::span<float>(data_, size_) : std::span<float>();
  }

 private:
  CollectiveBuffer(float* data, std::size_t offset, std::size_t size)
      : data_(data), offset_(offset), size_(size) {}
  float* data_ = nullptr;
  std::size_t offset_ = 0;
  std::size_t size_ = 0;
};

class Communicator {
 public:
  // REQUIRES: hosts non-empty and distinct (std::invalid_argument otherwise);
  // sim and net outlive the Communicator, which outlives every transfer it
  // starts (its inboxes receive them).
  // carries_data = false (math: none): messages keep their sizes on the
  // wire but carry no floats, and nothing is added or copied.
  Communicator(sim::Simulator& sim, topology::Network& net, std::vector<topology::NodeId> hosts,
               bool carries_data = true, bool abort_on_loss = false);
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  int size() const { return static_cast<int>(hosts_.size()); }
  topology::NodeId host(int rank) const { return hosts_.at(static_cast<std::size_t>(rank)); }
  // The ranks grouped by rack (topology::rack_index of their hosts), each
  // group in rank order, groups ordered by their lowest rank. A host with no
  // rack (no switch neighbour, e.g. in a ring topology) is a group of its own.
  const std::vector<std::vector<int>>& racks() const { return racks_; }

  // Update accounting: `rank`'s contribution to its next collective (its
  // census copy) leaves with the next message the rank sends and then
  // travels with the chunks that carry it (carried_updates.h).
  void carry(int rank, UpdateCopy contribution);

  // ---- Point to point, for the collectives (and tests).
  struct Tag {
    std::uint64_t operation = 0;  // the sender's collective call number
    int phase = 0;
    int step = 0;
    bool operator==(const Tag&) const = default;
  };
  struct Packet {
    int source = 0;  // rank
    Tag tag;
    std::size_t offset = 0;    // where data goes in the receiver's buffer
    std::vector<float> data;   // a copy: the sender may reuse its buffer at once
    std::size_t elements = 0;  // floats covered: data.size(), or the size alone without data
    double bytes = 0.0;        // its size on the wire
    bool abort = false;        // not data: tag.operation is aborted for the receiver
    // The census copies of the contributions it carries (carried_updates.h);
    // the name is the one algo::send_message looks for.
    CarriedUpdates update_copy;
  };
  // Starts sending data (its floats copied now, or its size alone) from
  // rank `from` to rank `to`.
  void send(int from, int to, Tag tag, std::size_t offset, CollectiveBuffer data);
  // The same, `bytes` on the wire instead of 4 a float (an encoding's
  // size); `elements` floats covered (data is not read without data).
  void send_encoded(int from, int to, Tag tag, std::size_t offset, CollectiveBuffer data,
                    std::size_t elements, double bytes);
  // The same, and when the receiver has the message, a completion notice
  // reaches `from` (without network time) for wait_delivered.
  void send_notified(int from, int to, Tag tag, std::size_t offset, CollectiveBuffer data);
  // `co_await comm.wait_delivered(from, tag)`: until one of from's
  // send_notified messages with that tag has reached its receiver (a
  // blocking MPI send of a large message, whose rendezvous completes when the
  // data has arrived). Throws CollectiveAborted as receive does.
  sim::Task wait_delivered(int from, Tag tag);
  // send_notified, then wait_delivered.
  sim::Task send_and_wait(int from, int to, Tag tag, std::size_t offset, CollectiveBuffer data);
  // Like send (send_notified with notify), except that the queued messages
  // from one rank to another go over one connection: each starts draining
  // only when the previous queued one from `from` to `to` has drained (its
  // last byte has left, topology::Network) or was lost, as segments written
  // one after another into one TCP stream. What a pipelined collective needs:
  // segments sent at once would share the link and arrive together.
  void send_queued(int from, int to, Tag tag, std::size_t offset, CollectiveBuffer data,
                   bool notify = false);
  // `co_await comm.receive(rank, tag, out)`: the first message to rank with
  // that tag, from any source, in arrival order. REQUIRES out outlives the await.
  // Throws CollectiveAborted if tag.operation is aborted for rank.
  sim::Task receive(int rank, Tag tag, Packet& out);
  // Aborts rank's collective call `operation` (see Aborts above). Takes no
  // simulated time: it is the rank's own decision (a timer, a failed send).
  void abort(int rank, std::uint64_t operation);
  // Numbers rank's collective calls: 0, 1, 2, ...
  // The number rank's next collective call will get.
  std::uint64_t next_operation(int rank) const {
    return next_operation_.at(static_cast<std::size_t>(rank));
  }
  std::uint64_t begin_operation(int rank) {
    return next_operation_[static_cast<std::size_t>(rank)]++;
  }

 private:
  void start_send(int from, int to, Tag tag, std::size_t offset, CollectiveBuffer data, bool notify,
                  std::size_t elements, double bytes);
  Packet packet_of(int from, Tag tag, std::size_t offset, CollectiveBuffer data,
                   std::size_t elements, double bytes) const;
  // Puts `packet` on the network from `from` to `to`; on_drained as in
  // topology::Network::start_transfer (run at most once, on drain or loss).
  void launch(int from, int to, Packet packet, bool notify, std::function<void()> on_drained);
  // The connection from -> to is free: starts its next queued message, if any.
  void start_next(int from, int to);
  struct Queued {
    Packet packet;
    bool notify = false;
  };
  struct Connection {
    bool busy = false;           // a queued message is draining
    std::deque<Queued> waiting;  // in send order
  };

  // Constant after construction.
  sim::Simulator* sim_;
  topology::Network* net_;
  std::vector<topology::NodeId> hosts_;
  std::vector<std::vector<int>> racks_;
  bool carries_data_ = true;
  bool abort_on_loss_ = false;

  // Owned by the event loop.
  std::vector<std::unique_ptr<sim::Mailbox<Packet>>> inboxes_;  // by rank
  std::vector<std::vector<Packet>>
      early_;  // by rank: arrived before anyone asked, in arrival order
  std::vector<std::uint64_t> next_operation_;              // by rank
  std::map<std::pair<int, int>, Connection> connections_;  // of send_queued, by (from, to)
  // By rank: the census copies it holds, to go with its next message.
  std::vector<std::shared_ptr<UpdateHolder>> holders_;
};

// Which all-reduce to run.
enum class CollectiveKind {
  ring,
  rabenseifner,
  binary_tree,
  binomial_tree,
  hierarchical,
  pipelined_chain
};
const char* collective_name(CollectiveKind kind);

// Rabenseifner: the partner distances of the recursive halving. The
// doubling visits them in the reverse order, so the halving's largest
// messages and the doubling's largest go to the same partners.
//   nearest_first: 1, 2, 4, ..., p/2, as MPICH's and Open MPI's all-reduce
//     run it: the half-vector exchanges stay between neighbouring ranks
//     (on a tree filled rack by rack, inside the rack).
//   farthest_first: p/2, ..., 2, 1: the first, largest exchange crosses
//     from one half of the ranks to the other.
enum class HalvingOrder { nearest_first, farthest_first };
const char* halving_order_name(HalvingOrder order);

// Hierarchical: how a rack's members reduce to their leader and get the
// result back.
//   binomial: a binomial tree inside the rack (as MPICH's SMP-aware
//     all-reduce reduces and broadcasts within a node), log2(H) messages
//     through the leader's link each way;
//   flat: every member sends straight to the leader and the leader to every
//     member: H - 1 whole vectors share the leader's link each way;
//   ring: as Horovod's hierarchical all-reduce: a ring reduce-scatter inside
//     the rack leaves each member one chunk of S/H summed over the rack; with
//     racks of one size H, the H members that hold chunk c (one per rack)
//     all-reduce it in a ring across the racks, H such rings side by side;
//     then a ring all-gather inside the rack. With racks of different sizes
//     the chunks go to the leader, the leaders ring the whole vector, and
//     the chunks come back before the all-gather.
enum class IntraRack { binomial, flat, ring };
const char* intra_rack_name(IntraRack intra);

// Ring steps (ring, and the hierarchical leaders' ring): what a rank waits
// for before its next step.
//   eager: only the incoming chunk (its own send is on its way, as an MPI
//     eager send of a small message, or NCCL's, returns at once);
//   rendezvous: the incoming chunk and its own send's arrival at the next
//     rank (a blocking MPI send of a large message completes only when the
//     receiver has the data), so every step waits for the ring's slowest hop.
enum class RingProtocol { eager, rendezvous };
const char* ring_protocol_name(RingProtocol protocol);

struct CollectiveSpec {
  CollectiveKind kind = CollectiveKind::ring;
  // ring, hierarchical (its leaders' ring) and pipelined_chain: each chunk
  // (the whole vector for the chain) travels as this many messages, sent
  // one after another over one connection and each forwarded as soon as it
  // has arrived (the pipeline). >= 1; 1 sends each chunk whole.
  int segments = 1;
  HalvingOrder order = HalvingOrder::nearest_first;  // rabenseifner
  IntraRack intra_rack = IntraRack::binomial;        // hierarchical
  RingProtocol protocol = RingProtocol::eager;       // ring, hierarchical
};

// Each rank awaits one of these with its rank and its buffer (the same size
// on every rank); on return the buffer holds the element-wise sum over all
// ranks. REQUIRES 0 <= rank < comm.size(), segments >= 1.

// Reduce-scatter then all-gather around the ring 0 -> 1 -> ... -> N-1 -> 0,
// in N chunks (chunk c = elements [c*n/N, (c+1)*n/N)): 2(N-1) steps.
sim::Task ring_allreduce(Communicator& comm, int rank, CollectiveBuffer data, int segments = 1,
                         RingProtocol protocol = RingProtocol::eager);

// Rabenseifner: reduce-scatter by recursive halving, all-gather by recursive
// doubling, over the largest power of two p <= N, the distances in `order`.
// With N not a power of two, the standard fold: of the first 2(N - p) ranks,
// each even one first sends its whole vector to the odd one after it and
// receives the result from it at the end (2 extra steps of S bytes).
sim::Task rabenseifner_allreduce(Communicator& comm, int rank, CollectiveBuffer data,
                                 HalvingOrder order = HalvingOrder::nearest_first);

// Binary tree (heap order: rank r's children are 2r+1 and 2r+2): whole
// vectors are summed up to rank 0, then broadcast back down. A node's two
// children send at once and share its link.
sim::Task binary_tree_allreduce(Communicator& comm, int rank, CollectiveBuffer data);

// Binomial tree, as MPICH's reduce and broadcast build it: in the reduce,
// at mask = 1, 2, 4, ... a rank with that bit set sends its partial sum to
// rank - mask and is done, the others receive from rank + mask (if it
// exists); the broadcast runs the same tree from rank 0 back down, largest
// mask first. A rank receives from one child at a time.
sim::Task binomial_tree_allreduce(Communicator& comm, int rank, CollectiveBuffer data);

// Pipelined chain, as Open MPI's reduce and broadcast with a chain of
// fan-out 1 and segmentation run it (its non-overlapping all-reduce): the
// vector in `segments` segments; rank N-1 sends each segment to N-2, which
// adds it to its own and passes it on to N-3, ... down to rank 0; once rank
// 0 has every segment, it sends them back up the chain 0 -> 1 -> ... -> N-1,
// each rank forwarding a segment as soon as it has it. A rank's segments to
// its neighbour leave one after another (Communicator::send_queued).
sim::Task pipelined_chain_allreduce(Communicator& comm, int rank, CollectiveBuffer data,
                                    int segments = 1);

// Each rack reduces to its leader (its lowest rank) as `intra` says; the
// leaders run a ring all-reduce among themselves; each leader broadcasts
// the result back to its members the same way. IntraRack::ring: see there;
// `segments` and `protocol` apply to the rings across the racks (the rack
// rings send each chunk whole, with `protocol`).
sim::Task hierarchical_allreduce(Communicator& comm, int rank, CollectiveBuffer data,
                                 int segments = 1, IntraRack intra = IntraRack::binomial,
                                 RingProtocol protocol = RingProtocol::eager);

// All-gather of one encoded block per rank around the ring 0 -> 1 -> ...:
// N - 1 steps; at step t a rank forwards the block of rank (rank - t) mod N
// to rank + 1. `blocks` holds N blocks of `block` floats, rank r's at
// [r x block, (r + 1) x block); the caller's own block is in place, and on
// return every block is. Each block weighs `bytes` of its owner's on the
// wire (its encoding's size), however many floats it holds; so on a
// uniform star it takes (N - 1)(alpha + max bytes / B). `blocks` may be
// sizes only (CollectiveBuffer::sizes_only(N x block)) when the
// Communicator carries no data.
sim::Task ring_allgather(Communicator& comm, int rank, CollectiveBuffer blocks, std::size_t block,
                         double bytes);

// Dispatches on spec.kind.
sim::Task allreduce(Communicator& comm, int rank, CollectiveBuffer data,
                    const CollectiveSpec& spec);

}  // namespace algo
