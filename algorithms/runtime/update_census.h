// UpdateCensus: counts the updates still outstanding from the copies that
// really exist, independently of what the algorithms record.
//
// An update (a pushed gradient, a client's upload, a gossip contribution, a
// worker's part of a collective) is made by its producer as an UpdateCopy.
// A copy is an object that travels: inside a message (algo::send_message
// moves it onto the network, then into the receiver's inbox), in a holder's
// buffer, or kept by a worker that will resend it. Copying a copy makes a
// second copy of the same update (a retry); all copies share one fate.
//
// An update is outstanding while it is not settled (settle(): applied or
// dropped, said at the site that applies or drops it) and at least one of
// its copies still exists where it can be used: on the network, or at a
// host that has not crashed since the copy got there. A copy dies with the
// message the network loses, and a copy on a crashed host no longer counts
// (the host's memory is gone). So outstanding() comes from the messages in
// flight, the inboxes and the holders' buffers at the end of a run, not
// from the algorithm's ledger, and the identity
//   produced = applied + dropped + lost + outstanding
// (Monitor's counts on the left and first three terms) can fail: a message
// deleted without a loss being recorded, or a loss recorded for an update
// whose copy is still in flight, breaks it.
//
// The run's end: once the simulator is asked to stop, processes that see it
// end and free what they held. An unsettled update whose last copy goes
// then, from where it counted, still counts: it was held when the run ended.
//
// Bookkeeping only: nothing simulated reads it, so it changes no result.
// Determinism: outstanding() sums counts; the order of the walk reaches no
// output.
#pragma once

#include <cstdint>
#include <memory>

#include "topology/network.h"

namespace algo {

class UpdateCensus;

// What the copies of one update share.
struct UpdateCore {
  std::int64_t weight = 1;
  bool settled = false;
  std::int64_t copies = 0;  // copies alive
  std::uint64_t walk = 0;   // the last UpdateCensus::outstanding() walk that counted it
};

class UpdateCopy {
 public:
  UpdateCopy() = default;  // no update
  UpdateCopy(const UpdateCopy& other);
  UpdateCopy& operator=(const UpdateCopy& other);
  UpdateCopy(UpdateCopy&& other) noexcept;
  UpdateCopy& operator=(UpdateCopy&& other) noexcept;
  ~UpdateCopy();

  explicit operator bool() const { return core_ != nullptr; }
  // The update was applied or dropped: none of its copies counts any more.
  void settle() const;
  bool settled() const;
  // A handle on the update's fate that is not a copy (it never counts): for
  // the site that settles the update while its copy travels elsewhere.
  class Fate {
   public:
    Fate() = default;
    void settle() const;
    explicit operator bool() const { return core_ != nullptr; }
    // Whether any copy of the update still exists, wherever it is: an
    // update can be applied or dropped only where a copy of it is.
    bool exists() const { return core_ != nullptr && core_->copies > 0; }

   private:
    friend class UpdateCopy;
    std::shared_ptr<struct UpdateCore> core_;
  };
  Fate fate() const;
  // Where this copy is: on the network (send_message), or at `host` while
  // it runs incarnation `incarnation`.
  void place_in_network();
  void place_at(topology::NodeId host, std::uint64_t incarnation);
  UpdateCensus* census() const { return census_; }
  // Drops this copy (the holder lets go of it), as destroying it would.
  void reset();

 private:
  friend class UpdateCensus;
  using Core = UpdateCore;
  void link();
  void unlink();
  bool usable() const;

  UpdateCensus* census_ = nullptr;
  std::shared_ptr<Core> core_;
  bool in_network_ = false;
  topology::NodeId host_ = 0;
  std::uint64_t incarnation_ = 0;
  UpdateCopy* prev_ = nullptr;  // the census's list of live copies
  UpdateCopy* next_ = nullptr;
};

class UpdateCensus {
 public:
  // REQUIRES: net outlives the census's last outstanding() call.
  explicit UpdateCensus(const topology::Network& net) : net_(&net) {}
  UpdateCensus(const UpdateCensus&) = delete;
  UpdateCensus& operator=(const UpdateCensus&) = delete;
  // Copies that outlive the census (in frames or closures freed later) are
  // detached from it.
  ~UpdateCensus();

  // A new update of `weight` updates (as Monitor::record_produced counts
  // them), its one copy at `host`, now.
  UpdateCopy produce(topology::NodeId host, std::int64_t weight = 1);
  // Unsettled updates with a usable copy (see above).
  std::int64_t outstanding() const;
  // Whether any update was made (an algorithm that does not count makes none).
  bool used() const { return used_; }

  // Test only (RunOptions::test_faults, `syncsim check --test-fault
  // vanish_update`): the next message carrying an update that
  // algo::send_message sends disappears without a trace, neither delivered
  // nor reported lost. The identity must then fail.
  void test_vanish_next_update() { vanish_ = true; }
  bool take_vanish() {
    const bool v = vanish_;
    vanish_ = false;
    return v;
  }

 private:
  friend class UpdateCopy;
  const topology::Network* net_;
  UpdateCopy* head_ = nullptr;
  bool used_ = false;
  bool vanish_ = false;
  std::int64_t held_at_end_ = 0;  // see "The run's end"
  mutable std::uint64_t walks_ = 0;
};

}  // namespace algo
