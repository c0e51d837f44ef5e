// Which of the online clients a federated round picks.
//
// uniform: `count` of the candidates uniformly without replacement (a partial
// Fisher-Yates shuffle on the sampling stream), as FedAvg always did.
//
// oort: a system-aware choice in the spirit of Oort (Lai et al., OSDI 2021).
// A client is explored once the server has seen one of its updates arrive;
// for it the server keeps its last round's mean training loss L, its samples
// n and its last duration d (model sent -> update received). Its utility is
//   U = L x sqrt(n) x (T / d)^alpha   if d > T (slower than preferred),
//   U = L x sqrt(n)                   otherwise (or when T = 0),
// with T the preferred round duration. Of `count` slots,
//   x = min(|unexplored|, max(ceil(epsilon x count), count - |explored|))
// go to unexplored candidates, drawn uniformly without replacement from the
// sampling stream; the rest go to the explored candidates of highest
// utility (ties: lower client position first). Oort draws among the top
// clients with probability proportional to utility and paces T; this one
// ranks deterministically and keeps T fixed.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/random.h"
#include "sim/time.h"

namespace algo {

enum class SelectionPolicy { uniform, oort };

struct OortConfig {
  double exploration = 0.1;          // epsilon in [0, 1]
  double alpha = 2.0;                // straggler penalty exponent, >= 0
  sim::Time preferred_duration = 0;  // T; 0: no speed penalty
};

class ClientSelector {
 public:
  ClientSelector(SelectionPolicy policy, OortConfig oort, int clients);

  // `count` of `candidates` (client positions, increasing), returned in
  // increasing order; all of them when count >= candidates.size().
  std::vector<int> select(const std::vector<int>& candidates, int count,
                          sim::RandomStream& sampling) const;
  // What the server saw of a client's update this round.
  void observe(int client, double mean_loss, std::int64_t samples, sim::Time duration);
  // U above; REQUIRES the client explored.
  double utility(int client) const;
  bool explored(int client) const { return seen_[static_cast<std::size_t>(client)].explored; }

  // Uniform: `count` of `candidates` by a partial Fisher-Yates shuffle.
  static std::vector<int> uniform(std::vector<int> candidates, int count,
                                  sim::RandomStream& sampling);

 private:
  struct Seen {
    bool explored = false;
    double loss = 0.0;
    std::int64_t samples = 0;
    sim::Time duration = 0;
  };
  SelectionPolicy policy_;
  OortConfig oort_;
  std::vector<Seen> seen_;  // per client position
};

}  // namespace algo
