#include "sim/simulator.h"

#include <cassert>
#include <utility>

namespace sim {

Simulator::~Simulator() {
  // Destroy unfinished frames newest first: a frame's locals may refer to
  // objects (mailboxes, networks) owned by an older process's frame.
  for (auto it = processes_.rbegin(); it != processes_.rend(); ++it) {
    ProcessState& state = **it;
    if (state.frame) {
      std::coroutine_handle<> frame = std::exchange(state.frame, {});
      frame.destroy();
    }
  }
}

EventId Simulator::schedule_at(Time time, Event::Callback callback, void* context,
                               std::uint64_t tag, Priority priority) {
  return schedule_at(time, callback, context, tag, priority,
                     current_daemon_ ? Lane::daemon : Lane::foreground);
}

EventId Simulator::schedule_at(Time time, Event::Callback callback, void* context,
                               std::uint64_t tag, Priority priority, Lane lane) {
  if (time < now_) {
    throw std::logic_error("event scheduled in the past: at " + format_time(time) + ", now " +
                           format_time(now_));
  }
  const bool daemon = lane == Lane::daemon;
  const EventId id = queue_.push(time, priority, callback, context, tag, daemon);
  if (!daemon) ++foreground_pending_;
  return id;
}

void Simulator::cancel(EventId id) {
  bool daemon = false;
  if (queue_.cancel(id, &daemon) && !daemon) --foreground_pending_;
}

void Simulator::release() {
  assert(holds_ > 0);
  --holds_;
}

void Simulator::resume_callback(void* frame, std::uint64_t) {
  std::coroutine_handle<>::from_address(frame).resume();
}

void Simulator::schedule_resume(Time time, std::coroutine_handle<> h, Priority priority) {
  schedule_at(time, &Simulator::resume_callback, h.address(), 0, priority);
}

Process Simulator::spawn_daemon(Task task, std::string name) {
  const bool outer = std::exchange(current_daemon_, true);
  Process process = spawn(std::move(task), std::move(name));
  current_daemon_ = outer;
  return process;
}

Process Simulator::spawn(Task task, std::string name) {
  Task::Handle handle = task.release();
  assert(handle);
  auto state = std::make_unique<ProcessState>();
  state->simulator = this;
  state->name = std::move(name);
  state->frame = handle;
  handle.promise().process = state.get();
  processes_.push_back(std::move(state));
  schedule_resume(now_, handle, Priority::urgent);
  return Process(processes_.back().get());
}

Simulator::SleepAwaiter Simulator::sleep(Time delay) {
  if (delay < 0) throw std::invalid_argument("sleep of negative duration " + format_time(delay));
  return SleepAwaiter{this, delay};
}

bool Simulator::step() {
  if (queue_.empty()) return false;
  const Event event = queue_.pop();
  if (event.cancelled) return true;  // withdrawn: it neither runs nor counts
  now_ = event.time;
  ++events_processed_;
  current_daemon_ = event.daemon();
  if (!current_daemon_) --foreground_pending_;
  event.callback(event.context, event.tag);
  current_daemon_ = false;
  if (unjoined_failure_) {
    ProcessError failure = *unjoined_failure_;
    unjoined_failure_.reset();
    throw failure;
  }
  if (progress_every_ != 0 && --progress_countdown_ == 0) {
    progress_countdown_ = progress_every_;
    progress_observer_();
  }
  return true;
}

void Simulator::set_progress_observer(std::uint64_t every, std::function<void()> observer) {
  progress_every_ = observer ? every : 0;
  progress_countdown_ = progress_every_;
  progress_observer_ = std::move(observer);
}

void Simulator::run() {
  stop_requested_ = false;
  while (!stop_requested_ && has_foreground_work() && step()) {
  }
}

void Simulator::run_until(Time limit) {
  stop_requested_ = false;
  while (!stop_requested_ && !queue_.empty() && queue_.top_time() <= limit) step();
  if (!stop_requested_ && limit > now_) now_ = limit;
}

void finish_process(ProcessState& state, std::exception_ptr error) noexcept {
  Simulator& sim = *state.simulator;
  state.frame = {};
  state.finished = true;
  state.error = error;
  if (error && state.joiners.empty() && !sim.unjoined_failure_) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    sim.unjoined_failure_ = std::make_unique<ProcessError>(state.name, what, error);
  }
  for (std::coroutine_handle<> joiner : state.joiners) sim.schedule_resume(sim.now_, joiner);
  state.joiners.clear();
}

}  // namespace sim
