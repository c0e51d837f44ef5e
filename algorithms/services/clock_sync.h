// NTP-style clock synchronisation as real message exchanges over the network.
//
// Every `interval` of its own local clock, each client runs one exchange with
// the server, as NTP's on-wire protocol does:
//   t1  client's local time when it sends the request
//   t2  server's local time when the request arrives
//   t3  server's local time when it sends the reply (= t2: no processing delay)
//   t4  client's local time when the reply arrives
//   offset = ((t2 - t1) + (t3 - t4)) / 2      (server minus client; integer ns,
//                                              the halving truncates toward 0)
//   delay  = (t4 - t1) - (t3 - t2)
// and steps its clock by `offset`, or with `correction = slew` slews it in at
// `slew_rate_ppm` (as ntpd does), stepping only offsets beyond 128 ms. Request and reply are flows
// of `packet_bytes` on the shared network, so training traffic delays them. With one-way delays
// d_up (client to server) and d_down, the client ends (d_up - d_down) / 2 ahead of the server (plus
// drift during the exchange): the classic NTP asymmetry error.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/clock.h"
#include "sim/mailbox.h"
#include "sim/simulator.h"
#include "topology/network.h"

namespace algo {

struct NtpSample {
  sim::Time t1, t2, t3, t4;
  sim::Time offset() const { return ((t2 - t1) + (t3 - t4)) / 2; }
  sim::Time delay() const { return (t4 - t1) - (t3 - t2); }
};

struct ClockSyncConfig {
  topology::NodeId server = -1;
  std::vector<topology::NodeId> clients;  // in order; the server is not one
  sim::Time interval = sim::kSecond;      // local time between a client's exchanges; > 0
  double packet_bytes = 90.0;             // request and reply size on the wire
  sim::Time until = 0;                    // no exchange starts at true time >= until; 0: forever
  enum class Correction { step, slew };
  Correction correction = Correction::step;
  double slew_rate_ppm = 500.0;                                         // slew: in (0, 1e6)
  static constexpr sim::Time kStepThreshold = 128 * sim::kMillisecond;  // slew: larger offsets step
};

class ClockSync {
 public:
  // `clocks` is indexed by NodeId. Throws std::invalid_argument for a bad
  // config (no clients, interval <= 0, bytes < 0, ids outside `clocks`).
  // REQUIRES: sim, net and clocks outlive the run, and this object too.
  ClockSync(sim::Simulator& sim, topology::Network& net, std::vector<sim::NodeClock>& clocks,
            ClockSyncConfig config);
  ClockSync(const ClockSync&) = delete;
  ClockSync& operator=(const ClockSync&) = delete;

  // Spawns the server and one process per client; the first exchanges start now.
  void launch();

  std::int64_t exchanges() const { return exchanges_; }     // completed
  std::int64_t messages_sent() const { return messages_; }  // requests + replies
  double bytes_sent() const { return bytes_; }
  // Every completed exchange of client i (config order), oldest first.
  const std::vector<std::vector<NtpSample>>& samples() const { return samples_; }

 private:
  struct Request {
    std::size_t client;  // index in config_.clients
    sim::Time t1;
  };
  sim::Task serve();
  sim::Task run_client(std::size_t index);

  // Constant after construction.
  sim::Simulator* sim_;
  topology::Network* net_;
  std::vector<sim::NodeClock>* clocks_;
  ClockSyncConfig config_;

  // Owned by the event loop.
  sim::Mailbox<Request> server_inbox_;
  std::vector<std::unique_ptr<sim::Mailbox<NtpSample>>> client_inboxes_;
  std::vector<std::vector<NtpSample>> samples_;  // by client, every exchange
  std::int64_t exchanges_ = 0;
  std::int64_t messages_ = 0;
  double bytes_ = 0.0;
};

}  // namespace algo
