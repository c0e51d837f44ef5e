// The discrete-event engine: simulated time, the event queue, and the
// processes (coroutines) that run on it. No threads: one event at a time.
//
// The whole scheduling rule: events fire in (time, priority, sequence) order,
// the sequence number assigned when the event is scheduled.
#pragma once

#include <coroutine>
#include <exception>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/event_queue.h"
#include "sim/task.h"
#include "sim/time.h"

namespace sim {

// Thrown out of run()/step() when a spawned process fails and nobody is
// joining it: a failed process is never dropped silently.
class ProcessError : public std::runtime_error {
 public:
  ProcessError(const std::string& process, const std::string& what,
               std::exception_ptr cause = nullptr)
      : std::runtime_error("process '" + process + "' failed: " + what),
        process_(process),
        cause_(std::move(cause)) {}
  const std::string& process() const { return process_; }
  // What the process threw, for callers that handle some kinds (TimeOverflow).
  const std::exception_ptr& cause() const { return cause_; }

 private:
  std::string process_;
  std::exception_ptr cause_;
};

class Simulator {
 public:
  Simulator() = default;
  // Destroys the frames of processes that have not finished (a run that
  // stops at a time limit leaves blocked workers behind; that is normal).
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  Time now() const { return now_; }
  std::uint64_t events_processed() const { return events_processed_; }
  std::size_t events_pending() const { return queue_.size(); }

  // Schedules callback(context, tag) at `time`.  REQUIRES: time >= now().
  // The event is a daemon event if the one being processed is (see below).
  EventId schedule_at(Time time, Event::Callback callback, void* context, std::uint64_t tag = 0,
                      Priority priority = Priority::normal);
  // The same with the lane given explicitly (the network delivers each
  // message in its sender's lane, whatever event retires the flow).
  enum class Lane : std::uint8_t { foreground, daemon };
  EventId schedule_at(Time time, Event::Callback callback, void* context, std::uint64_t tag,
                      Priority priority, Lane lane);
  // Withdraws a pending event (a timer whose wait ended otherwise): it never
  // runs, is not counted in events_processed(), and keeps no run alive. The
  // order of every other event is unchanged. A no-op if it already fired.
  void cancel(EventId id);
  // Schedules the resumption of a suspended coroutine.  REQUIRES: time >= now().
  void schedule_resume(Time time, std::coroutine_handle<> h, Priority priority = Priority::normal);

  // Starts `task` as a top-level process at now() (urgent: before ordinary
  // events of this instant). The Simulator owns the coroutine frame.
  Process spawn(Task task, std::string name = "process");

  // Daemon processes: background services (clock sync, heartbeats) that must
  // not keep a run alive once the work they serve is over, as daemon threads
  // do not keep a program alive. A daemon's start event is a daemon event,
  // and every event scheduled while a daemon event is processed is one too
  // (its wake-ups, the transfers it starts, the processes it spawns), so a
  // daemon stays one. Foreground work outside the event queue (a message in
  // flight whose drain events may be daemon ones) is declared with
  // hold()/release(). run() ends once no foreground event is pending and
  // nothing is held; run_until() still fires daemon events up to its limit.
  // REQUIRES: a daemon never wakes a foreground process directly (through a
  // mailbox); messages over the network are delivered in the sender's lane.
  Process spawn_daemon(Task task, std::string name = "daemon");
  bool in_daemon() const { return current_daemon_; }  // the event being processed is a daemon one
  void hold() { ++holds_; }
  void release();  // REQUIRES: a matching hold()
  // A foreground event is pending, or something is held.
  bool has_foreground_work() const { return foreground_pending_ > 0 || holds_ > 0; }

  // `co_await sim.sleep(d)` resumes the caller d later; sleep(0) yields to the
  // events already scheduled for now().  REQUIRES: d >= 0.
  struct SleepAwaiter {
    Simulator* simulator;
    Time delay;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) const {
      simulator->schedule_resume(simulator->now_ + delay, h);
    }
    void await_resume() const noexcept {}
  };
  SleepAwaiter sleep(Time delay);

  // Fires the earliest event. Returns false if there was none.
  bool step();
  // Fires events until no foreground work is left (has_foreground_work()) or
  // stop() is called. Without daemons: until no event is left.
  void run();
  // Fires every event with time <= limit (unless stopped), then sets now() to
  // limit if it is later: the clock reads the limit afterwards.
  void run_until(Time limit);
  // Makes run()/run_until() return after the event being processed.
  void stop() { stop_requested_ = true; }
  bool stop_requested() const { return stop_requested_; }

  // For progress reports only: step() calls `observer` after every `every`
  // events. It must not schedule events or change simulated state, so a run
  // with an observer fires exactly the same events. every 0: none.
  void set_progress_observer(std::uint64_t every, std::function<void()> observer);

 private:
  friend void finish_process(ProcessState& state, std::exception_ptr error) noexcept;

  static void resume_callback(void* frame, std::uint64_t tag);

  // Owned by the event loop.
  Time now_ = 0;
  EventQueue queue_;
  std::uint64_t events_processed_ = 0;
  std::size_t foreground_pending_ = 0;  // queued events that are not daemon ones
  std::size_t holds_ = 0;
  bool current_daemon_ = false;  // lane of the event being processed (false outside step())
  bool stop_requested_ = false;
  std::vector<std::unique_ptr<ProcessState>> processes_;
  // First process failure nobody joined; rethrown by step().
  std::unique_ptr<ProcessError> unjoined_failure_;
  // Progress observer: called when the countdown reaches 0, then re-armed.
  std::function<void()> progress_observer_;
  std::uint64_t progress_every_ = 0;
  std::uint64_t progress_countdown_ = 0;
};

}  // namespace sim
