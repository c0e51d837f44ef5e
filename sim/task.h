// sim::Task: the coroutine type of every simulated process.
//
// A process is a function returning Task that reads like the real program:
//
//   sim::Task worker(sim::Simulator& sim, Mailbox<Msg>& inbox) {
//     co_await sim.sleep(5_ms);
//     Msg m = co_await inbox.receive();
//   }
//
// A Task is lazy: nothing runs until it is either spawned as a top-level
// process (Simulator::spawn, which schedules its start at now()) or awaited
// by another Task (`co_await helper(...)`, which runs it as a subroutine and
// resumes the caller when it returns, rethrowing any exception it threw).
#pragma once

#include <coroutine>
#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace sim {

class Simulator;

// Book-keeping of one spawned process; owned by its Simulator, so a Process
// handle stays valid for the Simulator's lifetime, after the frame is gone.
struct ProcessState {
  Simulator* simulator = nullptr;
  std::string name;
  std::coroutine_handle<> frame;  // null once finished (the frame is destroyed then)
  bool finished = false;
  std::exception_ptr error;                      // set if the body threw
  std::vector<std::coroutine_handle<>> joiners;  // resumed when it finishes
};

// Called when a spawned process's body returns or throws. Defined in
// simulator.cpp: wakes joiners, or ends the run if an error has no joiner.
void finish_process(ProcessState& state, std::exception_ptr error) noexcept;

class [[nodiscard]] Task {
 public:
  struct promise_type;
  using Handle = std::coroutine_handle<promise_type>;

  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(Handle h) noexcept;
    void await_resume() const noexcept {}
  };

  struct promise_type {
    std::coroutine_handle<> continuation;  // the awaiting Task, if run as a subroutine
    ProcessState* process = nullptr;       // set if spawned as a top-level process
    std::exception_ptr error;

    Task get_return_object() { return Task(Handle::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }
    FinalAwaiter final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { error = std::current_exception(); }
  };

  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { reset(); }

  // Awaiting a Task runs it to completion as a subroutine of the awaiter.
  struct Awaiter {
    Handle child;
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
      child.promise().continuation = parent;
      return child;  // symmetric transfer: start the child now
    }
    void await_resume() const {
      if (child.promise().error) std::rethrow_exception(child.promise().error);
    }
  };
  Awaiter operator co_await() && noexcept { return Awaiter{handle_}; }

  // Hands the frame over (to Simulator::spawn); the Task no longer owns it.
  Handle release() noexcept { return std::exchange(handle_, {}); }

 private:
  explicit Task(Handle h) : handle_(h) {}
  void reset() noexcept {
    if (handle_) handle_.destroy();
    handle_ = {};
  }

  Handle handle_;
};

inline std::coroutine_handle<> Task::FinalAwaiter::await_suspend(Handle h) noexcept {
  promise_type& promise = h.promise();
  if (promise.continuation) return promise.continuation;  // the awaiting Task destroys us
  if (promise.process != nullptr) {
    ProcessState& state = *promise.process;
    std::exception_ptr error = promise.error;
    h.destroy();  // legal: the coroutine is suspended at its final point
    finish_process(state, std::move(error));
  }
  return std::noop_coroutine();
}

// A handle on a spawned process: cheap to copy, valid while its Simulator lives.
class Process {
 public:
  Process() = default;
  explicit Process(ProcessState* state) : state_(state) {}

  bool finished() const { return state_->finished; }
  const std::string& name() const { return state_->name; }

  // `co_await p.join()` waits until p finishes; rethrows the exception p's body
  // threw, if any. Returns at once if p already finished.
  struct JoinAwaiter {
    ProcessState* state;
    bool await_ready() const noexcept { return state->finished; }
    void await_suspend(std::coroutine_handle<> h) { state->joiners.push_back(h); }
    void await_resume() const {
      if (state->error) std::rethrow_exception(state->error);
    }
  };
  JoinAwaiter join() const { return JoinAwaiter{state_}; }

 private:
  ProcessState* state_ = nullptr;
};

}  // namespace sim
