// CarriedUpdates: the census copies (update_census.h) of the updates a
// collective's message carries, so that a contribution to an all-reduce
// travels with the chunks that really move it.
//
// Each rank of a collective holds the copies of the contributions that have
// reached it and not yet been passed on (an UpdateHolder). The next message
// the rank sends takes all of them (CarriedUpdates::take): that message's
// data is a partial or complete sum that includes those contributions (a
// ring step forwards the chunk it has just added into, a tree's parent
// sends the sum of its children, a broadcast sends the whole result), or,
// in an all-gather, the very block whose token it forwards. The receiver
// holds them once it takes the message (give_to). So each contribution has
// exactly one copy, always in one place: its worker before its first send,
// a message on the network, a rank's inbox, or a rank holding it.
//
// A message the network loses gives its copies back to its sender (it
// still has the data, as after a failed socket write), so a lost chunk is
// no loss of an update: the collective stalls, or an elastic one aborts and
// its round is dropped. Only a message that disappears without a trace
// (the test fault of UpdateCensus::test_vanish_next_update) destroys its
// copies; the contributions it carried then exist nowhere, and the
// identity produced = applied + dropped + lost + outstanding fails.
//
// Cost: a vector of copies per message, empty (no allocation) for the
// messages that carry none; nothing parameter-sized.
#pragma once

#include <memory>
#include <vector>

#include "algorithms/runtime/update_census.h"

namespace algo {

// Where the copies wait to travel on: one rank of a collective.
struct UpdateHolder {
  std::vector<UpdateCopy> held;  // in arrival order
};

class CarriedUpdates {
 public:
  CarriedUpdates() = default;
  // What `from` holds, for its next message; settled updates (applied or
  // dropped) are left behind and forgotten.
  static CarriedUpdates take(const std::shared_ptr<UpdateHolder>& from);

  // A copy of a message is a copy of the updates it carries (it is not the
  // message on the network).
  CarriedUpdates(const CarriedUpdates& other);
  CarriedUpdates& operator=(const CarriedUpdates& other);
  CarriedUpdates(CarriedUpdates&& other) noexcept;
  CarriedUpdates& operator=(CarriedUpdates&& other) noexcept;
  // Destroyed on the network (the message was lost): the copies go back to
  // the sender's holder, if it still exists.
  ~CarriedUpdates();

  // The receiver takes the message: its holder keeps the copies.
  void give_to(UpdateHolder& to);
  bool empty() const { return copies_.empty(); }

  // What algo::send_message calls on a message's `update_copy` member. The
  // copies keep their own place (a contribution counts as on the network
  // for as long as its collective runs, see update_census.h); these only
  // track whether the message is on the network.
  UpdateCensus* census() const { return copies_.empty() ? nullptr : copies_.front().census(); }
  void place_in_network() { on_network_ = true; }
  void place_at(topology::NodeId /*host*/, std::uint64_t /*incarnation*/) { on_network_ = false; }

 private:
  void give_back();

  std::vector<UpdateCopy> copies_;
  std::weak_ptr<UpdateHolder> sender_;
  bool on_network_ = false;
};

}  // namespace algo
