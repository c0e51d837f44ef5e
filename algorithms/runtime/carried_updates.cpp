#include "algorithms/runtime/carried_updates.h"

#include <utility>

namespace algo {

CarriedUpdates CarriedUpdates::take(const std::shared_ptr<UpdateHolder>& from) {
  CarriedUpdates carried;
  if (from->held.empty()) return carried;
  carried.sender_ = from;
  for (UpdateCopy& copy : from->held) {
    if (!copy.settled()) carried.copies_.push_back(std::move(copy));
  }
  from->held.clear();
  return carried;
}

CarriedUpdates::CarriedUpdates(const CarriedUpdates& other)
    : copies_(other.copies_), sender_(other.sender_) {}

CarriedUpdates& CarriedUpdates::operator=(const CarriedUpdates& other) {
  if (this == &other) return *this;
  give_back();
  copies_ = other.copies_;
  sender_ = other.sender_;
  on_network_ = false;
  return *this;
}

CarriedUpdates::CarriedUpdates(CarriedUpdates&& other) noexcept
    : copies_(std::move(other.copies_)),
      sender_(std::move(other.sender_)),
      on_network_(std::exchange(other.on_network_, false)) {
  other.copies_.clear();
}

CarriedUpdates& CarriedUpdates::operator=(CarriedUpdates&& other) noexcept {
  if (this == &other) return *this;
  give_back();
  copies_ = std::move(other.copies_);
  other.copies_.clear();
  sender_ = std::move(other.sender_);
  on_network_ = std::exchange(other.on_network_, false);
  return *this;
}

CarriedUpdates::~CarriedUpdates() { give_back(); }

void CarriedUpdates::give_back() {
  if (on_network_ && !copies_.empty()) {
    if (const std::shared_ptr<UpdateHolder> sender = sender_.lock()) give_to(*sender);
  }
  on_network_ = false;
  copies_.clear();
}

void CarriedUpdates::give_to(UpdateHolder& to) {
  for (UpdateCopy& copy : copies_) to.held.push_back(std::move(copy));
  copies_.clear();
  on_network_ = false;
}

}  // namespace algo
