// The discrete-event engine: simulated time, the event queue, and the
// processes (coroutines) that run on it. No threads: one event at a time.
//
// The whole scheduling rule: events fire in (time, priority, sequence) order,
// the sequence number assigned when the event is scheduled.
#pragma once

#include <coroutine>
#include <exception>
#include <cstdint>
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
  void schedule_at(Time time, Event::Callback callback, void* context, std::uint64_t tag = 0,
                   Priority priority = Priority::normal);
  // Schedules the resumption of a suspended coroutine.  REQUIRES: time >= now().
  void schedule_resume(Time time, std::coroutine_handle<> h, Priority priority = Priority::normal);

  // Starts `task` as a top-level process at now() (urgent: before ordinary
  // events of this instant). The Simulator owns the coroutine frame.
  Process spawn(Task task, std::string name = "process");

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
  // Fires events until none is left or stop() is called.
  void run();
  // Fires every event with time <= limit (unless stopped), then sets now() to
  // limit if it is later: the clock reads the limit afterwards.
  void run_until(Time limit);
  // Makes run()/run_until() return after the event being processed.
  void stop() { stop_requested_ = true; }
  bool stop_requested() const { return stop_requested_; }

 private:
  friend void finish_process(ProcessState& state, std::exception_ptr error) noexcept;

  static void resume_callback(void* frame, std::uint64_t tag);

  // Owned by the event loop.
  Time now_ = 0;
  EventQueue queue_;
  std::uint64_t events_processed_ = 0;
  bool stop_requested_ = false;
  std::vector<std::unique_ptr<ProcessState>> processes_;
  // First process failure nobody joined; rethrown by step().
  std::unique_ptr<ProcessError> unjoined_failure_;
};

}  // namespace sim
