// MathPool: runs simulated workers' training math on host threads while the
// simulation goes on, without changing any result.
//
// The rule that keeps runs byte-identical for any thread count: a job is
// submitted when its worker's simulated compute starts and joined when the
// compute's completion event fires. Its simulated duration comes from the
// FLOP model before the job runs, so the job's result can never change the
// schedule; and a job reads only state fixed at submission (the worker's
// parameters, the batch drawn from the worker's own stream) and writes only
// buffers nobody else touches until the join. Results therefore enter the
// simulation at the join, in event order, exactly as a serial run.
//
// The same pool runs math the simulation thread needs at once but can cut
// into pieces fixed by the data alone (never by the thread count): test-set
// evaluations in 1,000-row chunks (Monitor) and a parameter server's
// gradient average in 16,384-element ranges (weighted_sum.h). Those are
// submitted and joined within one event, results combined in piece order.
//
// With threads = 1 there is no helper thread: a job runs on the simulation
// thread when it is joined. With threads = N there are N - 1 helper threads
// taking jobs in submission order; a join whose job no helper has started
// runs it itself, so the simulation thread is the N-th worker, never idle
// behind a queue. Each job is single-threaded math (Eigen is built without
// OpenMP; the project's gemm is single-threaded), so jobs do not contend for
// threads among themselves.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace algo {

class MathPool {
 public:
  class Job;

  // threads >= 1 (std::invalid_argument otherwise).
  explicit MathPool(int threads);
  ~MathPool();  // waits for running jobs; drops jobs no thread has started
  MathPool(const MathPool&) = delete;
  MathPool& operator=(const MathPool&) = delete;

  int threads() const { return static_cast<int>(helpers_.size()) + 1; }

  // Queues `work`. REQUIRES: everything work touches stays valid and
  // untouched by others until the returned Job is joined or destroyed.
  Job submit(std::function<void()> work);

  // Host seconds spent inside jobs, summed over threads, plus the MathTimer
  // scopes (for timing.csv).
  double math_seconds() const {
    return static_cast<double>(math_nanoseconds_.load(std::memory_order_relaxed)) * 1e-9;
  }

  // The machine's hardware threads (at least 1): the default of --threads.
  static int hardware_threads();

  // Adds host time spent on math outside a job (see MathTimer).
  void add_math_time(std::chrono::steady_clock::duration spent) {
    math_nanoseconds_.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(spent).count(),
                                std::memory_order_relaxed);
  }

 private:
  struct State;
  void helper_loop();
  void run(State& state);

  std::mutex mutex_;
  std::condition_variable work_ready_;        // a job was queued, or the pool is closing
  std::condition_variable work_done_;         // a job finished
  std::deque<std::shared_ptr<State>> queue_;  // in submission order; may hold claimed jobs
  bool closing_ = false;
  std::atomic<std::int64_t> math_nanoseconds_{0};
  std::vector<std::thread> helpers_;
};

// A submitted job. Move-only. Joining (or destroying) it is what lets its
// results be read.
class MathPool::Job {
 public:
  Job() = default;  // no job: join() returns at once
  Job(Job&& other) noexcept;
  Job& operator=(Job&& other) noexcept;
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;
  // A job no thread has started is dropped (its results are not wanted: the
  // run ended before its completion event); a running one is waited for.
  ~Job();

  // Waits for the job, running it here if no helper has started it, and
  // rethrows what it threw. Afterwards the job is empty.
  void join();

 private:
  friend class MathPool;
  Job(MathPool* pool, std::shared_ptr<State> state) : pool_(pool), state_(std::move(state)) {}
  void release();

  MathPool* pool_ = nullptr;
  std::shared_ptr<State> state_;
};

// Counts the host time of its scope as math in `pool`'s math_seconds(): for
// tensor math the simulation thread does itself, outside the gradient jobs (a
// server averaging gradients and stepping its optimizer, all-reduce and gossip
// averaging), so timing.csv's simulation_s is the simulator's overhead only.
// A null pool (unit tests) times nothing. The clock is read for the report
// only; nothing simulated depends on it.
class MathTimer {
 public:
  explicit MathTimer(MathPool* pool)
      : pool_(pool),
        start_(pool ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{}) {}
  ~MathTimer() {
    if (pool_) pool_->add_math_time(std::chrono::steady_clock::now() - start_);
  }
  MathTimer(const MathTimer&) = delete;
  MathTimer& operator=(const MathTimer&) = delete;

 private:
  MathPool* pool_;
  std::chrono::steady_clock::time_point start_;
};

// Submits to `pool`, or without a pool (unit tests that build their own
// RunContext) runs `work` at once and returns an empty Job.
MathPool::Job submit_math(MathPool* pool, std::function<void()> work);

// Calls fn(offset, size) for [0, n) cut into consecutive ranges of `range`
// elements (the last one shorter), each range a job on `pool`, and joins
// them all before returning: last first, so helpers take the front while
// this thread runs the back. A null pool or a single range runs here, timed
// as math. The cut depends on n and range only, never on the thread count.
// `jobs` is scratch, kept to reuse its storage. REQUIRES: range >= 1; fn
// writes only what belongs to its range.
void run_ranges(MathPool* pool, std::int64_t n, std::int64_t range,
                std::vector<MathPool::Job>& jobs,
                const std::function<void(std::int64_t offset, std::int64_t size)>& fn);

}  // namespace algo
