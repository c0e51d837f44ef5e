#include "algorithms/runtime/client_availability.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace algo {

double DiurnalAvailability::fraction_online(sim::Time t) const {
  const double phase = static_cast<double>(t % period) / static_cast<double>(period);
  return trough + (peak - trough) * (1.0 + std::cos(2.0 * std::numbers::pi * phase)) / 2.0;
}

ClientAvailability ClientAvailability::from_intervals(
    std::vector<std::vector<OnlineInterval>> intervals) {
  ClientAvailability availability;
  for (auto& list : intervals) {
    for (const OnlineInterval& i : list) {
      if (i.start < 0 || i.end <= i.start) {
        throw std::invalid_argument("an online interval needs 0 <= start < end");
      }
    }
    std::sort(list.begin(), list.end(), [](const OnlineInterval& a, const OnlineInterval& b) {
      return a.start != b.start ? a.start < b.start : a.end < b.end;
    });
    Client client;
    for (const OnlineInterval& i : list) {  // merge overlapping and touching ones
      if (!client.intervals.empty() && i.start <= client.intervals.back().end) {
        client.intervals.back().end = std::max(client.intervals.back().end, i.end);
      } else {
        client.intervals.push_back(i);
      }
    }
    availability.clients_.push_back(std::move(client));
  }
  return availability;
}

ClientAvailability ClientAvailability::diurnal(const DiurnalAvailability& params,
                                               const std::vector<std::uint64_t>& seeds) {
  if (params.period <= 0 || params.mean_session <= 0) {
    throw std::invalid_argument("diurnal availability needs period > 0 and mean_session > 0");
  }
  if (!(params.peak > 0 && params.peak <= 1 && params.trough > 0 && params.trough <= params.peak)) {
    throw std::invalid_argument("diurnal availability needs 0 < trough <= peak <= 1");
  }
  ClientAvailability availability;
  availability.diurnal_ = params;
  for (std::uint64_t seed : seeds) {
    Client client;
    client.stream.emplace(seed);
    client.on = client.stream->bernoulli(params.fraction_online(0));
    availability.clients_.push_back(std::move(client));
  }
  return availability;
}

void ClientAvailability::extend(Client& client, sim::Time t) {
  if (!client.stream) return;  // a trace: final already
  const double session_s = sim::to_seconds(diurnal_->mean_session);
  while (client.drawn <= t) {
    double mean_s = session_s;
    if (!client.on) {
      const double p = diurnal_->fraction_online(client.drawn);
      mean_s = session_s * (1.0 - p) / p;
    }
    // At least a nanosecond, so the schedule always moves on.
    const sim::Time length =
        std::max<sim::Time>(1, sim::from_seconds(mean_s * client.stream->exponential(1.0)));
    if (client.on) client.intervals.push_back({client.drawn, client.drawn + length});
    client.drawn += length;
    client.on = !client.on;
  }
}

const OnlineInterval* ClientAvailability::find(int client, sim::Time t) {
  Client& c = clients_.at(static_cast<std::size_t>(client));
  extend(c, t);
  // The last interval that starts at or before t.
  auto it = std::upper_bound(c.intervals.begin(), c.intervals.end(), t,
                             [](sim::Time v, const OnlineInterval& i) { return v < i.start; });
  if (it == c.intervals.begin()) return nullptr;
  --it;
  return t < it->end ? &*it : nullptr;
}

bool ClientAvailability::online(int client, sim::Time t) { return find(client, t) != nullptr; }

std::optional<sim::Time> ClientAvailability::online_until(int client, sim::Time t) {
  const OnlineInterval* interval = find(client, t);
  if (!interval) return std::nullopt;
  return interval->end;
}

std::optional<sim::Time> ClientAvailability::next_online(int client, sim::Time t) {
  Client& c = clients_.at(static_cast<std::size_t>(client));
  extend(c, t);
  const auto later = [&] {
    return std::upper_bound(c.intervals.begin(), c.intervals.end(), t,
                            [](sim::Time v, const OnlineInterval& i) { return v < i.start; });
  };
  // A drawn schedule always comes back online: draw until it does.
  while (c.stream && later() == c.intervals.end()) extend(c, c.drawn);
  const auto it = later();
  if (it == c.intervals.end()) return std::nullopt;
  return it->start;
}

}  // namespace algo
