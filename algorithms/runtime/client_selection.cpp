#include "algorithms/runtime/client_selection.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace algo {

ClientSelector::ClientSelector(SelectionPolicy policy, OortConfig oort, int clients)
    : policy_(policy), oort_(oort), seen_(static_cast<std::size_t>(clients)) {
  if (!(oort_.exploration >= 0 && oort_.exploration <= 1)) {
    throw std::invalid_argument("oort exploration must be in [0, 1]");
  }
  if (!(oort_.alpha >= 0) || oort_.preferred_duration < 0) {
    throw std::invalid_argument("oort needs alpha >= 0 and preferred_duration >= 0");
  }
}

std::vector<int> ClientSelector::uniform(std::vector<int> candidates, int count,
                                         sim::RandomStream& sampling) {
  const auto n = static_cast<int>(candidates.size());
  if (count >= n) return candidates;
  for (int i = 0; i < count; ++i) {
    const auto j = i + static_cast<int>(sampling.below(static_cast<std::uint64_t>(n - i)));
    std::swap(candidates[static_cast<std::size_t>(i)], candidates[static_cast<std::size_t>(j)]);
  }
  candidates.resize(static_cast<std::size_t>(count));
  std::sort(candidates.begin(), candidates.end());
  return candidates;
}

double ClientSelector::utility(int client) const {
  const Seen& s = seen_[static_cast<std::size_t>(client)];
  double u = s.loss * std::sqrt(static_cast<double>(s.samples));
  const sim::Time t = oort_.preferred_duration;
  if (t > 0 && s.duration > t) {
    u *= std::pow(static_cast<double>(t) / static_cast<double>(s.duration), oort_.alpha);
  }
  return u;
}

std::vector<int> ClientSelector::select(const std::vector<int>& candidates, int count,
                                        sim::RandomStream& sampling) const {
  if (policy_ == SelectionPolicy::uniform) return uniform(candidates, count, sampling);
  if (count >= static_cast<int>(candidates.size())) return candidates;
  std::vector<int> known, unknown;
  for (int c : candidates) (explored(c) ? known : unknown).push_back(c);
  const auto wanted = static_cast<int>(std::ceil(oort_.exploration * count));
  const int explore = std::min(static_cast<int>(unknown.size()),
                               std::max(wanted, count - static_cast<int>(known.size())));
  std::vector<int> chosen = uniform(std::move(unknown), explore, sampling);
  // Highest utility first; ties to the lower position (known is increasing).
  std::vector<std::pair<double, int>> ranked;
  for (int c : known) ranked.emplace_back(utility(c), c);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (int i = 0; i < count - explore; ++i)
    chosen.push_back(ranked[static_cast<std::size_t>(i)].second);
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

void ClientSelector::observe(int client, double mean_loss, std::int64_t samples,
                             sim::Time duration) {
  seen_[static_cast<std::size_t>(client)] = {true, mean_loss, samples, duration};
}

}  // namespace algo
