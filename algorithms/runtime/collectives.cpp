#include "algorithms/runtime/collectives.h"

#include <algorithm>
#include <cassert>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "algorithms/runtime/collectives_parts.h"
#include "algorithms/runtime/messaging.h"
#include "topology/builders.h"

namespace algo {

namespace collective_parts {

void check(const Communicator& comm, int rank, int segments) {
  if (rank < 0 || rank >= comm.size()) {
    throw std::invalid_argument("collective: rank " + std::to_string(rank) + " outside 0.." +
                                std::to_string(comm.size() - 1));
  }
  if (segments < 1) throw std::invalid_argument("collective: segments must be >= 1");
}

std::vector<int> all_ranks(const Communicator& comm) {
  std::vector<int> members(static_cast<std::size_t>(comm.size()));
  for (int r = 0; r < comm.size(); ++r) members[static_cast<std::size_t>(r)] = r;
  return members;
}

}  // namespace collective_parts

Communicator::Communicator(sim::Simulator& sim, topology::Network& net,
                           std::vector<topology::NodeId> hosts, bool carries_data,
                           bool abort_on_loss)
    : sim_(&sim),
      net_(&net),
      hosts_(std::move(hosts)),
      carries_data_(carries_data),
      abort_on_loss_(abort_on_loss) {
  if (hosts_.empty()) throw std::invalid_argument("Communicator needs at least one host");
  std::vector<topology::NodeId> sorted = hosts_;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw std::invalid_argument("Communicator hosts must be distinct");
  }
  const std::vector<int> rack_of = topology::rack_index(net.topology());
  std::map<int, std::size_t> group_of_rack;  // rack index -> position in racks_
  for (int rank = 0; rank < size(); ++rank) {
    const int rack = rack_of.at(static_cast<std::size_t>(host(rank)));
    const auto it = rack < 0 ? group_of_rack.end() : group_of_rack.find(rack);
    if (it != group_of_rack.end()) {
      racks_[it->second].push_back(rank);
      continue;
    }
    if (rack >= 0) group_of_rack.emplace(rack, racks_.size());
    racks_.push_back({rank});  // ranks ascend, so groups come ordered by lowest rank
  }
  for (int rank = 0; rank < size(); ++rank) {
    inboxes_.push_back(std::make_unique<sim::Mailbox<Packet>>(sim));
    holders_.push_back(std::make_shared<UpdateHolder>());
  }
  early_.resize(hosts_.size());
  next_operation_.assign(hosts_.size(), 0);
}

// A send's completion notice comes back into the sender's own inbox under
// the send's tag with its phase shifted by k_delivered, so receive() (and an
// abort) handle it as any other packet.
namespace {
constexpr int k_delivered = 1 << 20;
}

void Communicator::send(int from, int to, Tag tag, std::size_t offset, CollectiveBuffer data) {
  start_send(from, to, tag, offset, data, false, data.size(),
             static_cast<double>(data.size()) * sizeof(float));
}

void Communicator::send_encoded(int from, int to, Tag tag, std::size_t offset,
                                CollectiveBuffer data, std::size_t elements, double bytes) {
  start_send(from, to, tag, offset, data, false, elements, bytes);
}

void Communicator::send_notified(int from, int to, Tag tag, std::size_t offset,
                                 CollectiveBuffer data) {
  start_send(from, to, tag, offset, data, true, data.size(),
             static_cast<double>(data.size()) * sizeof(float));
}

sim::Task Communicator::wait_delivered(int from, Tag tag) {
  Packet done;
  co_await receive(from, {tag.operation, tag.phase + k_delivered, tag.step}, done);
}

sim::Task Communicator::send_and_wait(int from, int to, Tag tag, std::size_t offset,
                                      CollectiveBuffer data) {
  send_notified(from, to, tag, offset, data);
  co_await wait_delivered(from, tag);
}

Communicator::Packet Communicator::packet_of(int from, Tag tag, std::size_t offset,
                                             CollectiveBuffer data, std::size_t elements,
                                             double bytes) const {
  assert(!carries_data_ || data.has_floats() || data.size() == 0);
  const std::span<const float> floats = data.floats();
  return Packet{
      from,
      tag,
      offset,
      carries_data_ ? std::vector<float>(floats.begin(), floats.end()) : std::vector<float>(),
      elements,
      bytes,
      false,
      {}};
}

void Communicator::start_send(int from, int to, Tag tag, std::size_t offset, CollectiveBuffer data,
                              bool notify, std::size_t elements, double bytes) {
  launch(from, to, packet_of(from, tag, offset, data, elements, bytes), notify, {});
}

void Communicator::carry(int rank, UpdateCopy contribution) {
  holders_.at(static_cast<std::size_t>(rank))->held.push_back(std::move(contribution));
}

void Communicator::launch(int from, int to, Packet packet, bool notify,
                          std::function<void()> on_drained) {
  packet.update_copy = CarriedUpdates::take(holders_[static_cast<std::size_t>(from)]);
  const double bytes = packet.bytes;
  const Tag tag = packet.tag;
  std::function<void()> on_delivered;
  if (notify) {
    on_delivered = [this, from, to, tag] {
      Packet done;
      done.source = to;
      done.tag = {tag.operation, tag.phase + k_delivered, tag.step};
      inboxes_.at(static_cast<std::size_t>(from))->send(std::move(done));
    };
  }
  std::function<void()> on_lost;
  if (abort_on_loss_ || on_drained) {
    on_lost = [this, from, tag, on_drained] {
      if (on_drained) on_drained();
      if (abort_on_loss_) abort(from, tag.operation);
    };
  }
  send_message(*net_, host(from), host(to), bytes, *inboxes_.at(static_cast<std::size_t>(to)),
               std::move(packet), "chunk", std::move(on_lost), std::move(on_delivered),
               std::move(on_drained));
}

void Communicator::send_queued(int from, int to, Tag tag, std::size_t offset, CollectiveBuffer data,
                               bool notify) {
  Connection& connection = connections_[{from, to}];
  connection.waiting.push_back({packet_of(from, tag, offset, data, data.size(),
                                          static_cast<double>(data.size()) * sizeof(float)),
                                notify});
  if (!connection.busy) start_next(from, to);
}

void Communicator::start_next(int from, int to) {
  Connection& connection = connections_[{from, to}];
  connection.busy = false;
  if (connection.waiting.empty()) return;
  Queued next = std::move(connection.waiting.front());
  connection.waiting.pop_front();
  connection.busy = true;
  // Runs once, whichever comes first: the drain, or a loss before it.
  auto freed = std::make_shared<bool>(false);
  launch(from, to, std::move(next.packet), next.notify, [this, from, to, freed] {
    if (*freed) return;
    *freed = true;
    start_next(from, to);
  });
}

void Communicator::abort(int rank, std::uint64_t operation) {
  Packet packet;
  packet.source = rank;
  packet.tag.operation = operation;
  packet.abort = true;
  inboxes_.at(static_cast<std::size_t>(rank))->send(std::move(packet));
}

sim::Task Communicator::receive(int rank, Tag tag, Packet& out) {
  std::vector<Packet>& early = early_.at(static_cast<std::size_t>(rank));
  const auto it =
      std::find_if(early.begin(), early.end(), [&tag](const Packet& p) { return p.tag == tag; });
  UpdateHolder& holder = *holders_[static_cast<std::size_t>(rank)];
  if (it != early.end()) {
    out = std::move(*it);
    early.erase(it);
    out.update_copy.give_to(holder);
    co_return;
  }
  sim::Mailbox<Packet>& inbox = *inboxes_[static_cast<std::size_t>(rank)];
  while (true) {
    Packet packet = co_await algo::receive(*net_, host(rank), inbox, "chunk");
    if (packet.abort) {
      if (packet.tag.operation >= tag.operation) throw CollectiveAborted();
      continue;  // an operation this rank has finished: too late to matter
    }
    if (packet.tag == tag) {
      out = std::move(packet);
      out.update_copy.give_to(holder);
      co_return;
    }
    early.push_back(std::move(packet));
  }
}

const char* collective_name(CollectiveKind kind) {
  switch (kind) {
    case CollectiveKind::ring:
      return "ring";
    case CollectiveKind::rabenseifner:
      return "rabenseifner";
    case CollectiveKind::binary_tree:
      return "binary_tree";
    case CollectiveKind::binomial_tree:
      return "binomial_tree";
    case CollectiveKind::hierarchical:
      return "hierarchical";
    case CollectiveKind::pipelined_chain:
      return "pipelined_chain";
  }
  return "ring";
}

const char* halving_order_name(HalvingOrder order) {
  return order == HalvingOrder::farthest_first ? "farthest_first" : "nearest_first";
}

const char* intra_rack_name(IntraRack intra) {
  switch (intra) {
    case IntraRack::flat:
      return "flat";
    case IntraRack::ring:
      return "ring";
    case IntraRack::binomial:
      break;
  }
  return "binomial";
}

const char* ring_protocol_name(RingProtocol protocol) {
  return protocol == RingProtocol::rendezvous ? "rendezvous" : "eager";
}

sim::Task allreduce(Communicator& comm, int rank, CollectiveBuffer data,
                    const CollectiveSpec& spec) {
  switch (spec.kind) {
    case CollectiveKind::ring:
      co_await ring_allreduce(comm, rank, data, spec.segments, spec.protocol);
      break;
    case CollectiveKind::rabenseifner:
      co_await rabenseifner_allreduce(comm, rank, data, spec.order);
      break;
    case CollectiveKind::binary_tree:
      co_await binary_tree_allreduce(comm, rank, data);
      break;
    case CollectiveKind::binomial_tree:
      co_await binomial_tree_allreduce(comm, rank, data);
      break;
    case CollectiveKind::hierarchical:
      co_await hierarchical_allreduce(comm, rank, data, spec.segments, spec.intra_rack,
                                      spec.protocol);
      break;
    case CollectiveKind::pipelined_chain:
      co_await pipelined_chain_allreduce(comm, rank, data, spec.segments);
      break;
  }
}

}  // namespace algo
