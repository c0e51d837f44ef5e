#include "algorithms/runtime/update_census.h"

namespace algo {

UpdateCopy::UpdateCopy(const UpdateCopy& other)
    : census_(other.census_),
      core_(other.core_),
      in_network_(other.in_network_),
      host_(other.host_),
      incarnation_(other.incarnation_) {
  link();
}

UpdateCopy& UpdateCopy::operator=(const UpdateCopy& other) {
  if (this == &other) return *this;
  unlink();
  census_ = other.census_;
  core_ = other.core_;
  in_network_ = other.in_network_;
  host_ = other.host_;
  incarnation_ = other.incarnation_;
  link();
  return *this;
}

UpdateCopy::UpdateCopy(UpdateCopy&& other) noexcept : UpdateCopy(other) { other.reset(); }

UpdateCopy& UpdateCopy::operator=(UpdateCopy&& other) noexcept {
  if (this == &other) return *this;
  *this = static_cast<const UpdateCopy&>(other);
  other.reset();
  return *this;
}

UpdateCopy::~UpdateCopy() { unlink(); }

void UpdateCopy::reset() {
  unlink();
  census_ = nullptr;
  core_.reset();
}

void UpdateCopy::settle() const {
  if (core_) core_->settled = true;
}

void UpdateCopy::Fate::settle() const {
  if (core_) core_->settled = true;
}

UpdateCopy::Fate UpdateCopy::fate() const {
  Fate f;
  f.core_ = core_;
  return f;
}

bool UpdateCopy::settled() const { return core_ && core_->settled; }

void UpdateCopy::place_in_network() { in_network_ = true; }

void UpdateCopy::place_at(topology::NodeId host, std::uint64_t incarnation) {
  in_network_ = false;
  host_ = host;
  incarnation_ = incarnation;
}

bool UpdateCopy::usable() const {
  return in_network_ || census_->net_->incarnation(host_) == incarnation_;
}

void UpdateCopy::link() {
  if (census_ == nullptr || core_ == nullptr) return;
  ++core_->copies;
  next_ = census_->head_;
  prev_ = nullptr;
  if (next_ != nullptr) next_->prev_ = this;
  census_->head_ = this;
}

void UpdateCopy::unlink() {
  if (census_ == nullptr || core_ == nullptr) return;
  if (--core_->copies == 0 && !core_->settled && usable() &&
      census_->net_->simulator().stop_requested()) {
    census_->held_at_end_ += core_->weight;
  }
  if (prev_ != nullptr) {
    prev_->next_ = next_;
  } else {
    census_->head_ = next_;
  }
  if (next_ != nullptr) next_->prev_ = prev_;
  prev_ = next_ = nullptr;
}

UpdateCensus::~UpdateCensus() {
  for (UpdateCopy* c = head_; c != nullptr;) {
    UpdateCopy* next = c->next_;
    c->census_ = nullptr;
    c->prev_ = c->next_ = nullptr;
    c = next;
  }
}

UpdateCopy UpdateCensus::produce(topology::NodeId host, std::int64_t weight) {
  used_ = true;
  UpdateCopy copy;
  copy.census_ = this;
  copy.core_ = std::make_shared<UpdateCore>();
  copy.core_->weight = weight;
  copy.place_at(host, net_->incarnation(host));
  copy.link();
  return copy;
}

std::int64_t UpdateCensus::outstanding() const {
  const std::uint64_t walk = ++walks_;
  std::int64_t total = 0;
  for (const UpdateCopy* c = head_; c != nullptr; c = c->next_) {
    UpdateCore& core = *c->core_;
    if (core.settled || core.walk == walk) continue;
    if (!c->usable()) continue;
    core.walk = walk;
    total += core.weight;
  }
  return total + held_at_end_;
}

}  // namespace algo
