#include "algorithms/services/clock_sync.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "algorithms/runtime/messaging.h"

namespace algo {

ClockSync::ClockSync(sim::Simulator& sim, topology::Network& net,
                     std::vector<sim::NodeClock>& clocks, ClockSyncConfig config)
    : sim_(&sim), net_(&net), clocks_(&clocks), config_(std::move(config)), server_inbox_(sim) {
  const auto known = [&](topology::NodeId id) {
    return id >= 0 && static_cast<std::size_t>(id) < clocks.size();
  };
  if (config_.clients.empty()) throw std::invalid_argument("clock sync needs at least one client");
  if (config_.interval <= 0) throw std::invalid_argument("clock sync interval must be > 0");
  if (!(config_.packet_bytes >= 0)) throw std::invalid_argument("clock sync packet bytes < 0");
  if (config_.correction == ClockSyncConfig::Correction::slew &&
      !(config_.slew_rate_ppm > 0 && config_.slew_rate_ppm < 1e6)) {
    throw std::invalid_argument("clock sync slew rate must be in (0, 1e6) ppm");
  }
  if (!known(config_.server)) throw std::invalid_argument("clock sync server has no clock");
  for (topology::NodeId c : config_.clients) {
    if (!known(c) || c == config_.server) {
      throw std::invalid_argument("clock sync client " + std::to_string(c) +
                                  " has no clock or is the server");
    }
    client_inboxes_.push_back(std::make_unique<sim::Mailbox<NtpSample>>(sim));
  }
  samples_.resize(config_.clients.size());
}

void ClockSync::launch() {
  sim_->spawn_daemon(serve(), "clock_sync server");
  for (std::size_t i = 0; i < config_.clients.size(); ++i) {
    sim_->spawn_daemon(run_client(i), "clock_sync client " + std::to_string(config_.clients[i]));
  }
}

sim::Task ClockSync::serve() {
  sim::NodeClock& clock = (*clocks_)[static_cast<std::size_t>(config_.server)];
  while (true) {
    const Request request = co_await server_inbox_.receive();
    NtpSample reply{request.t1, clock.local_time(sim_->now()), 0, 0};
    reply.t3 = clock.local_time(sim_->now());
    ++messages_;
    bytes_ += config_.packet_bytes;
    send_message(*net_, config_.server, config_.clients[request.client], config_.packet_bytes,
                 *client_inboxes_[request.client], reply, "ntp_reply");
  }
}

sim::Task ClockSync::run_client(std::size_t index) {
  const topology::NodeId self = config_.clients[index];
  sim::NodeClock& clock = (*clocks_)[static_cast<std::size_t>(self)];
  while (config_.until == 0 || sim_->now() < config_.until) {
    ++messages_;
    bytes_ += config_.packet_bytes;
    send_message(*net_, self, config_.server, config_.packet_bytes, server_inbox_,
                 Request{index, clock.local_time(sim_->now())}, "ntp_request");
    NtpSample sample = co_await client_inboxes_[index]->receive();
    sample.t4 = clock.local_time(sim_->now());
    const sim::Time offset = sample.offset();
    if (config_.correction == ClockSyncConfig::Correction::slew &&
        std::llabs(offset) <= ClockSyncConfig::kStepThreshold) {
      clock.slew(sim_->now(), offset, config_.slew_rate_ppm);
    } else {
      clock.step(sim_->now(), offset);
    }
    samples_[index].push_back(sample);
    ++exchanges_;
    co_await sim_->sleep(clock.true_duration(config_.interval));
  }
}

}  // namespace algo
