#include "app/testbed_calibration.h"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace app::testbed {

Plan shift_plan(int hosts, const std::vector<int>& members, const std::vector<std::int64_t>& sizes,
                int repeats) {
  const std::size_t m = members.size();
  if (m < 2) throw std::invalid_argument("a shift needs two hosts or more");
  Plan plan;
  plan.hosts = hosts;
  plan.ops.resize(static_cast<std::size_t>(hosts));
  std::uint64_t round = 0;
  for (std::int64_t size : sizes) {
    for (int r = 0; r < repeats; ++r, ++round) {
      // Member i's message of this round is number round * m + i + 1.
      for (std::size_t i = 0; i < m; ++i) {
        const std::size_t next = (i + 1) % m, previous = (i + m - 1) % m;
        auto& ops = plan.ops[static_cast<std::size_t>(members[i])];
        ops.push_back({Op::Kind::send, 0, 0, round * m + i + 1, members[next], size});
        ops.push_back({Op::Kind::receive, 0, 0, round * m + previous + 1, members[previous], size});
      }
    }
  }
  return plan;
}

std::vector<std::pair<double, double>> round_points(const Plan& plan, const OpTimes& times,
                                                    const std::vector<int>& members) {
  const std::size_t m = members.size();
  const auto& first = plan.ops[static_cast<std::size_t>(members[0])];
  std::vector<std::pair<double, double>> points;
  for (std::size_t op = 0; op + 1 < first.size(); op += 2) {
    std::vector<std::pair<double, double>> transfers;
    for (std::size_t i = 0; i < m; ++i) {
      const auto from = static_cast<std::size_t>(members[i]);
      const auto to = static_cast<std::size_t>(members[(i + 1) % m]);
      const sim::Time took = times[to][op + 1] - times[from][op];
      transfers.emplace_back(static_cast<double>(first[op].bytes),
                             static_cast<double>(took) * 1e-9);
    }
    points.push_back(median_per_size(transfers).front());
  }
  return points;
}

std::vector<std::pair<double, double>> median_per_size(
    const std::vector<std::pair<double, double>>& points) {
  std::map<double, std::vector<double>> by_size;
  for (const auto& [bytes, seconds] : points) by_size[bytes].push_back(seconds);
  std::vector<std::pair<double, double>> medians;
  for (auto& [bytes, seconds] : by_size) {
    std::sort(seconds.begin(), seconds.end());
    const std::size_t n = seconds.size();
    medians.emplace_back(bytes, n % 2 ? seconds[n / 2] : (seconds[n / 2 - 1] + seconds[n / 2]) / 2);
  }
  return medians;
}

double header_efficiency(double acks_per_segment) {
  return kSegmentPayload / (kFrameBytes + acks_per_segment * kAckBytes);
}

}  // namespace app::testbed
