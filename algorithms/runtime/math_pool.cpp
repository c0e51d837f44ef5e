#include "algorithms/runtime/math_pool.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

namespace algo {

struct MathPool::State {
  enum class Phase { queued, running, done };
  std::function<void()> work;
  Phase phase = Phase::queued;  // guarded by the pool's mutex
  std::exception_ptr error;     // written by the runner before `done`
};

MathPool::MathPool(int threads) {
  if (threads < 1) {
    throw std::invalid_argument("math threads must be >= 1, got " + std::to_string(threads));
  }
  for (int i = 1; i < threads; ++i) helpers_.emplace_back([this] { helper_loop(); });
}

MathPool::~MathPool() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& t : helpers_) t.join();
}

int MathPool::hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

MathPool::Job MathPool::submit(std::function<void()> work) {
  auto state = std::make_shared<State>();
  state->work = std::move(work);
  if (!helpers_.empty()) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(state);
    }
    work_ready_.notify_one();
  }
  return Job(this, std::move(state));
}

void MathPool::helper_loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_ready_.wait(lock, [this] { return closing_ || !queue_.empty(); });
    if (closing_) return;
    std::shared_ptr<State> state = std::move(queue_.front());
    queue_.pop_front();
    if (state->phase != State::Phase::queued) continue;  // joined or dropped meanwhile
    state->phase = State::Phase::running;
    lock.unlock();
    run(*state);
    lock.lock();
    state->phase = State::Phase::done;
    work_done_.notify_all();
  }
}

// Runs outside the lock.
void MathPool::run(State& state) {
  const auto start = std::chrono::steady_clock::now();
  try {
    state.work();
  } catch (...) {
    state.error = std::current_exception();
  }
  state.work = nullptr;  // free what the job captured, on the thread that ran it
  add_math_time(std::chrono::steady_clock::now() - start);
}

MathPool::Job::Job(Job&& other) noexcept : pool_(other.pool_), state_(std::move(other.state_)) {}

MathPool::Job& MathPool::Job::operator=(Job&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = other.pool_;
    state_ = std::move(other.state_);
  }
  return *this;
}

MathPool::Job::~Job() { release(); }

void MathPool::Job::release() {
  if (!state_) return;
  std::unique_lock lock(pool_->mutex_);
  if (state_->phase == State::Phase::queued) {
    state_->phase = State::Phase::done;  // dropped: no thread will start it now
  } else {
    pool_->work_done_.wait(lock, [this] { return state_->phase == State::Phase::done; });
  }
  lock.unlock();
  state_.reset();
}

void MathPool::Job::join() {
  if (!state_) return;
  std::unique_lock lock(pool_->mutex_);
  if (state_->phase == State::Phase::queued) {
    state_->phase = State::Phase::running;  // claimed: helpers skip it in the queue
    lock.unlock();
    pool_->run(*state_);
    lock.lock();
    state_->phase = State::Phase::done;
  } else {
    pool_->work_done_.wait(lock, [this] { return state_->phase == State::Phase::done; });
  }
  lock.unlock();
  std::shared_ptr<State> state = std::move(state_);
  if (state->error) std::rethrow_exception(state->error);
}

MathPool::Job submit_math(MathPool* pool, std::function<void()> work) {
  if (pool != nullptr) return pool->submit(std::move(work));
  work();
  return {};
}

void run_ranges(MathPool* pool, std::int64_t n, std::int64_t range,
                std::vector<MathPool::Job>& jobs,
                const std::function<void(std::int64_t offset, std::int64_t size)>& fn) {
  if (pool == nullptr || n <= range) {
    MathTimer timer(pool);
    for (std::int64_t offset = 0; offset < n; offset += range) {
      fn(offset, std::min(range, n - offset));
    }
    return;
  }
  jobs.clear();
  for (std::int64_t offset = 0; offset < n; offset += range) {
    const std::int64_t size = std::min(range, n - offset);
    jobs.push_back(pool->submit([&fn, offset, size] { fn(offset, size); }));
  }
  for (auto it = jobs.rbegin(); it != jobs.rend(); ++it) it->join();
  jobs.clear();
}

}  // namespace algo
