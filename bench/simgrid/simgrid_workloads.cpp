// The side-by-side benchmark's SimGrid half (bench/simgrid/compare.sh): the
// same three network workloads syncsim runs, written against SimGrid's s4u
// API, with the flow model set to plain max-min (CM02, every correction
// factor 1, no TCP window bound, no cross traffic), so that the simulated
// times must agree with syncsim's. Prints one line: "simulated_seconds S".
//
//   simgrid_workloads ring HOSTS FLOATS BANDWIDTH LATENCY STEP_FLOPS AFTER_FLOPS SPEED
//     ring all-reduce on a star: 2(N-1) steps; at step s rank r sends chunk
//     (r - s) mod N (elements [c n / N, (c+1) n / N) of n floats) to r + 1 and
//     waits for the chunk from r - 1; each rank computes STEP_FLOPS before
//     and AFTER_FLOPS after. Simulated time: when the last rank is done.
//   simgrid_workloads ps WORKERS FLOATS BANDWIDTH LATENCY STEP_FLOPS UPDATE_FLOPS SPEED
//     one synchronous parameter-server round on a star: the server sends the
//     model to every worker at once (broadcast), each computes and sends its
//     gradient back (incast), the server applies them. Simulated time: the
//     end of the server's update.
//   simgrid_workloads flows FILE HOSTS PER_RACK BANDWIDTH LATENCY UP_BW UP_LATENCY
//     the flows of FILE (lines "src dst bytes"), all started at time 0, on a
//     two-level tree (host links to the rack's switch, rack uplinks to one
//     spine). Simulated time: the last flow's end; also prints the sum of
//     the flows' ends ("sum_of_ends_seconds").
// BANDWIDTH in bytes/s, LATENCY in seconds, SPEED in FLOP/s.
#include <simgrid/s4u.hpp>
#include <xbt/log.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

namespace {

double g_last_end = 0.0;  // simulated time of the workload's last event
double g_sum_of_ends = 0.0;

std::uint64_t part_begin(std::uint64_t n, int parts, int index) {
  return n * static_cast<std::uint64_t>(index) / static_cast<std::uint64_t>(parts);
}

// A star: every host's split-duplex link to the centre.
std::vector<sg4::Host*> star(int hosts, double bandwidth, double latency, double speed) {
  auto* zone = sg4::create_star_zone("star");
  std::vector<sg4::Host*> out;
  for (int i = 0; i < hosts; ++i) {
    sg4::Host* host = zone->create_host("h" + std::to_string(i), speed);
    sg4::Link* link = zone->create_split_duplex_link("l" + std::to_string(i), bandwidth)
                          ->set_latency(latency)
                          ->seal();
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr,
                    {{link, sg4::LinkInRoute::Direction::UP}}, true);
    out.push_back(host);
  }
  zone->seal();
  return out;
}

void note_end() { g_last_end = std::max(g_last_end, sg4::Engine::get_clock()); }

void ring_rank(int rank, int n, std::uint64_t floats, double step_flops, double after_flops) {
  sg4::this_actor::execute(step_flops);
  sg4::Mailbox* next = sg4::Mailbox::by_name("r" + std::to_string((rank + 1) % n));
  sg4::Mailbox* mine = sg4::Mailbox::by_name("r" + std::to_string(rank));
  static int token = 0;
  for (int step = 0; step < 2 * (n - 1); ++step) {
    const int chunk = ((rank - step) % n + n) % n;
    const std::uint64_t bytes =
        4 * (part_begin(floats, n, chunk + 1) - part_begin(floats, n, chunk));
    // Detached: no handle outlives the send (every send is received by the
    // next rank's get, so the last rank to finish still waits for the last one).
    next->put_init(&token, bytes)->detach();
    mine->get<int>();
  }
  sg4::this_actor::execute(after_flops);
  note_end();
}

void run_ring(char** a) {
  const int n = std::stoi(a[0]);
  const std::uint64_t floats = std::stoull(a[1]);
  const std::vector<sg4::Host*> hosts = star(n, std::stod(a[2]), std::stod(a[3]), std::stod(a[6]));
  const double step_flops = std::stod(a[4]), after_flops = std::stod(a[5]);
  for (int r = 0; r < n; ++r) {
    // Eager sends: a message flows as soon as it is sent, as in syncsim
    // (a mailbox with a permanent receiver starts its communications at once).
    sg4::Mailbox::by_name("r" + std::to_string(r))
        ->set_receiver(sg4::Actor::create("rank" + std::to_string(r), hosts[r], ring_rank, r, n,
                                          floats, step_flops, after_flops));
  }
}

void run_ps(char** a) {
  const int workers = std::stoi(a[0]);
  const std::uint64_t bytes = 4 * std::stoull(a[1]);
  const std::vector<sg4::Host*> hosts =
      star(workers + 1, std::stod(a[2]), std::stod(a[3]), std::stod(a[6]));
  const double step_flops = std::stod(a[4]), update_flops = std::stod(a[5]);
  static int token = 0;
  sg4::Mailbox* server_box = sg4::Mailbox::by_name("server");
  sg4::ActorPtr server = sg4::Actor::create("server", hosts[0], [=] {
    std::vector<sg4::CommPtr> sends;
    for (int w = 0; w < workers; ++w) {
      sends.push_back(sg4::Mailbox::by_name("w" + std::to_string(w))->put_async(&token, bytes));
    }
    for (int w = 0; w < workers; ++w) server_box->get<int>();
    sg4::Comm::wait_all(sends);
    sg4::this_actor::execute(update_flops);
    note_end();
  });
  server_box->set_receiver(server);
  for (int w = 0; w < workers; ++w) {
    sg4::Mailbox* box = sg4::Mailbox::by_name("w" + std::to_string(w));
    box->set_receiver(sg4::Actor::create("worker" + std::to_string(w), hosts[w + 1], [=] {
      box->get<int>();
      sg4::this_actor::execute(step_flops);
      server_box->put(&token, bytes);
    }));
  }
}

void run_flows(char** a) {
  std::ifstream in(a[0]);
  const int n = std::stoi(a[1]), per_rack = std::stoi(a[2]);
  const double bw = std::stod(a[3]), lat = std::stod(a[4]);
  const double up_bw = std::stod(a[5]), up_lat = std::stod(a[6]);
  struct Flow {
    int src, dst;
    double bytes;
  };
  std::vector<Flow> flows;
  for (Flow f{}; in >> f.src >> f.dst >> f.bytes;) flows.push_back(f);
  if (flows.empty()) throw std::runtime_error("no flows read");
  // A full zone: each used pair gets its route (host up, the racks' uplinks
  // when it leaves the rack, host down), as syncsim's tree routes them.
  auto* zone = sg4::create_full_zone("tree");
  std::vector<sg4::Host*> hosts;
  std::vector<sg4::SplitDuplexLink*> links, uplinks;
  for (int i = 0; i < n; ++i) {
    hosts.push_back(zone->create_host("h" + std::to_string(i), 1e9));
    links.push_back(zone->create_split_duplex_link("l" + std::to_string(i), bw));
    links.back()->set_latency(lat)->seal();
  }
  for (int r = 0; r < (n + per_rack - 1) / per_rack; ++r) {
    uplinks.push_back(zone->create_split_duplex_link("u" + std::to_string(r), up_bw));
    uplinks.back()->set_latency(up_lat)->seal();
  }
  std::vector<char> routed(static_cast<std::size_t>(n) * n, 0);
  using D = sg4::LinkInRoute::Direction;
  for (const Flow& f : flows) {
    char& done = routed[static_cast<std::size_t>(f.src) * n + f.dst];
    if (done) continue;
    done = 1;
    std::vector<sg4::LinkInRoute> route{{links[f.src], D::UP}};
    const int rs = f.src / per_rack, rd = f.dst / per_rack;
    if (rs != rd) {
      route.emplace_back(uplinks[rs], D::UP);
      route.emplace_back(uplinks[rd], D::DOWN);
    }
    route.emplace_back(links[f.dst], D::DOWN);
    zone->add_route(hosts[f.src]->get_netpoint(), hosts[f.dst]->get_netpoint(), nullptr, nullptr,
                    route, false);
  }
  zone->seal();
  static int token = 0;
  for (std::size_t i = 0; i < flows.size(); ++i) {
    const Flow f = flows[i];
    sg4::Mailbox* box = sg4::Mailbox::by_name("f" + std::to_string(i));
    box->set_receiver(sg4::Actor::create("recv" + std::to_string(i), hosts[f.dst], [box] {
      box->get<int>();
      note_end();
      g_sum_of_ends += sg4::Engine::get_clock();
    }));
    sg4::Actor::create("send" + std::to_string(i), hosts[f.src],
                       [box, f] { box->put(&token, static_cast<std::uint64_t>(f.bytes)); });
  }
}

}  // namespace

int main(int argc, char** argv) {
  sg4::Engine engine(&argc, argv);
  xbt_log_control_set("root.thresh:warning");
  // Plain max-min sharing: SimGrid's correction factors off.
  engine.set_config("network/model:CM02");
  engine.set_config("network/latency-factor:1");
  engine.set_config("network/bandwidth-factor:1");
  engine.set_config("network/weight-S:0");
  engine.set_config("network/TCP-gamma:0");
  engine.set_config("network/crosstraffic:0");
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s ring|ps|flows ARGS...\n", argv[0]);
    return 2;
  }
  const std::string what = argv[1];
  if (what == "ring" && argc == 9) {
    run_ring(argv + 2);
  } else if (what == "ps" && argc == 9) {
    run_ps(argv + 2);
  } else if (what == "flows" && argc == 9) {
    run_flows(argv + 2);
  } else {
    std::fprintf(stderr, "bad arguments for %s\n", what.c_str());
    return 2;
  }
  engine.run();
  std::printf("simulated_seconds %.9f\n", g_last_end);
  if (what == "flows") std::printf("sum_of_ends_seconds %.9f\n", g_sum_of_ends);
  return 0;
}
