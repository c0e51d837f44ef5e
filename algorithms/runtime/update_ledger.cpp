#include "algorithms/runtime/update_ledger.h"

#include <iterator>
#include <limits>

namespace algo {

void UpdateLedger::produced(int worker, std::int64_t seq, bool retrying) {
  open_[{worker, seq}] = Entry{0, false, retrying};
  monitor_->record_produced();
}

void UpdateLedger::copy_sent(int worker, std::int64_t seq) {
  if (auto it = open_.find({worker, seq}); it != open_.end()) ++it->second.copies;
}

void UpdateLedger::copy_lost(int worker, std::int64_t seq) {
  if (auto it = open_.find({worker, seq}); it != open_.end()) {
    --it->second.copies;
    settle(it);
  }
}

void UpdateLedger::copy_received(int worker, std::int64_t seq) {
  if (auto it = open_.find({worker, seq}); it != open_.end()) --it->second.copies;
}

void UpdateLedger::ignored(int worker, std::int64_t seq) {
  if (auto it = open_.find({worker, seq}); it != open_.end()) settle(it);
}

void UpdateLedger::hold(int worker, std::int64_t seq) {
  if (auto it = open_.find({worker, seq}); it != open_.end()) it->second.held = true;
}

bool UpdateLedger::applied(int worker, std::int64_t seq) { return open_.erase({worker, seq}) > 0; }

bool UpdateLedger::dropped(int worker, std::int64_t seq, const std::string& reason) {
  if (open_.erase({worker, seq}) == 0) return false;
  monitor_->record_dropped(1, reason);
  return true;
}

void UpdateLedger::stop_retrying(int worker, std::int64_t seq) {
  if (auto it = open_.find({worker, seq}); it != open_.end()) {
    it->second.retrying = false;
    settle(it);
  }
}

void UpdateLedger::stop_retrying_all(int worker) {
  for (auto it = open_.lower_bound({worker, std::numeric_limits<std::int64_t>::min()});
       it != open_.end() && it->first.first == worker;) {
    auto next = std::next(it);
    it->second.retrying = false;
    settle(it);
    it = next;
  }
}

void UpdateLedger::release_held() {
  for (auto it = open_.begin(); it != open_.end();) {
    auto next = std::next(it);
    it->second.held = false;
    settle(it);
    it = next;
  }
}

void UpdateLedger::settle(Map::iterator it) {
  const Entry& e = it->second;
  if (e.copies > 0 || e.held || e.retrying) return;
  open_.erase(it);
  monitor_->record_lost();
}

}  // namespace algo
