#include "app/testbed_plan.h"

#include <algorithm>
#include <cmath>
#include <istream>
#include <limits>
#include <map>
#include <ostream>
#include <set>
#include <stdexcept>
#include <tuple>

namespace app::testbed {
namespace {

// Replay order within one simulated instant: deliveries first (a node acts
// on what has arrived), then sends, then compute: a compute span that starts
// at a send's instant follows it in the program (a span that ends there
// started earlier, and zero-length spans are left out).
int rank_of(Op::Kind k) {
  switch (k) {
    case Op::Kind::receive:
      return 0;
    case Op::Kind::send:
      return 1;
    case Op::Kind::compute:
      return 2;
  }
  return 3;
}

// The index of the first op of every compute phase of one host that a
// message follows (a trailing phase, the start of a step the run stopped
// before communicating, is no step).
std::vector<std::size_t> phase_starts(const std::vector<Op>& ops) {
  std::vector<std::size_t> starts;
  bool in_phase = false;
  std::size_t last_message = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const bool compute = ops[i].kind == Op::Kind::compute;
    if (compute && !in_phase) starts.push_back(i);
    if (!compute) last_message = i;
    in_phase = compute;
  }
  while (!starts.empty() && starts.back() > last_message) starts.pop_back();
  return starts;
}

}  // namespace

Plan plan_of(const syncsim::RunResult& run) {
  Plan plan;
  plan.hosts = static_cast<int>(run.node_names.size());
  // (time, rank, record order) sorts each host's events into replay order.
  std::vector<std::vector<std::tuple<sim::Time, int, std::size_t, Op>>> events(
      static_cast<std::size_t>(plan.hosts));
  // A message still in flight when the run stopped has no delivery: the
  // step it begins is not part of the run, so it is not replayed.
  std::set<std::uint64_t> delivered;
  for (const sim::Recorder::MessageEvent& e : run.messages) {
    if (e.receive) delivered.insert(e.message);
  }
  std::size_t order = 0;
  for (const sim::Recorder::MessageEvent& e : run.messages) {
    if (e.node == e.peer || !delivered.count(e.message)) continue;
    Op op;
    op.kind = e.receive ? Op::Kind::receive : Op::Kind::send;
    op.sim_time = e.true_time;
    op.message = e.message;
    op.peer = e.peer;
    op.bytes = static_cast<std::int64_t>(std::llround(e.bytes));
    events[static_cast<std::size_t>(e.node)].emplace_back(e.true_time, rank_of(op.kind), order++,
                                                          op);
    plan.end = std::max(plan.end, e.true_time);
  }
  for (const sim::Recorder::Span& s : run.spans) {
    if (s.kind != sim::Recorder::Span::Kind::compute || s.end <= s.start) continue;
    Op op;
    op.sim_time = s.start;
    op.duration = s.end - s.start;
    events[static_cast<std::size_t>(s.node)].emplace_back(s.start, rank_of(op.kind), order++, op);
    plan.end = std::max(plan.end, s.end);
  }
  plan.ops.resize(events.size());
  for (std::size_t h = 0; h < events.size(); ++h) {
    std::sort(events[h].begin(), events[h].end(), [](const auto& a, const auto& b) {
      return std::tie(std::get<0>(a), std::get<1>(a), std::get<2>(a)) <
             std::tie(std::get<0>(b), std::get<1>(b), std::get<2>(b));
    });
    for (const auto& e : events[h]) plan.ops[h].push_back(std::get<3>(e));
  }
  return plan;
}

OpTimes simulated_times(const Plan& plan) {
  OpTimes times(plan.ops.size());
  for (std::size_t h = 0; h < plan.ops.size(); ++h) {
    for (const Op& op : plan.ops[h]) times[h].push_back(op.sim_time);
  }
  return times;
}

std::vector<sim::Time> step_bounds(const Plan& plan, const OpTimes& times) {
  std::vector<sim::Time> bounds{0};
  sim::Time end = 0;
  for (std::size_t h = 0; h < plan.ops.size(); ++h) {
    const std::vector<std::size_t> starts = phase_starts(plan.ops[h]);
    for (std::size_t k = 1; k < starts.size(); ++k) {
      if (bounds.size() <= k) bounds.push_back(std::numeric_limits<sim::Time>::max());
      bounds[k] = std::min(bounds[k], times[h][starts[k]]);
    }
    for (std::size_t i = 0; i < plan.ops[h].size(); ++i) {
      const Op& op = plan.ops[h][i];
      end = std::max(end, times[h][i] + (op.kind == Op::Kind::compute ? op.duration : 0));
    }
  }
  // Measured phase starts are not sorted if the real run reorders them; a
  // step is never negative.
  for (std::size_t k = 1; k < bounds.size(); ++k) bounds[k] = std::max(bounds[k], bounds[k - 1]);
  bounds.push_back(std::max(end, bounds.back()));
  return bounds;
}

void write_plan(std::ostream& out, const Plan& plan) {
  out << "syncsim-testbed-plan 1\n" << plan.hosts << ' ' << plan.end << '\n';
  for (std::size_t h = 0; h < plan.ops.size(); ++h) {
    out << "host " << h << ' ' << plan.ops[h].size() << '\n';
    for (const Op& op : plan.ops[h]) {
      out << rank_of(op.kind) << ' ' << op.sim_time << ' ' << op.duration << ' ' << op.message
          << ' ' << op.peer << ' ' << op.bytes << '\n';
    }
  }
}

Plan read_plan(std::istream& in) {
  std::string magic;
  int version = 0;
  Plan plan;
  if (!(in >> magic >> version >> plan.hosts >> plan.end) || magic != "syncsim-testbed-plan" ||
      version != 1 || plan.hosts < 0) {
    throw std::runtime_error("not a testbed plan");
  }
  plan.ops.resize(static_cast<std::size_t>(plan.hosts));
  for (int h = 0; h < plan.hosts; ++h) {
    std::string word;
    int host = -1;
    std::size_t count = 0;
    if (!(in >> word >> host >> count) || word != "host" || host != h) {
      throw std::runtime_error("testbed plan: bad host line");
    }
    for (std::size_t i = 0; i < count; ++i) {
      Op op;
      int kind = 0;
      if (!(in >> kind >> op.sim_time >> op.duration >> op.message >> op.peer >> op.bytes) ||
          kind < 0 || kind > 2) {
        throw std::runtime_error("testbed plan: bad operation");
      }
      op.kind = kind == 0 ? Op::Kind::receive : kind == 1 ? Op::Kind::send : Op::Kind::compute;
      plan.ops[static_cast<std::size_t>(h)].push_back(op);
    }
  }
  return plan;
}

std::int64_t total_bytes(const Plan& plan) {
  std::int64_t sum = 0;
  for (const auto& ops : plan.ops) {
    for (const Op& op : ops) sum += op.kind == Op::Kind::send ? op.bytes : 0;
  }
  return sum;
}

std::int64_t total_messages(const Plan& plan) {
  std::int64_t sum = 0;
  for (const auto& ops : plan.ops) {
    for (const Op& op : ops) sum += op.kind == Op::Kind::send ? 1 : 0;
  }
  return sum;
}

}  // namespace app::testbed
