// The device keys of the fedavg family from YAML: traces are read at load
// and every mistake (in the YAML or in a trace row) is reported at its key,
// naming the trace's file and line.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "app/scenario_loader.h"
#include "scenario_text.h"
#include "scratch_folder.h"

namespace {

const std::string kFed = R"yaml(name: f
seed: 3
cluster:
  server: {count: 1, flops: 10GFLOPS}
  client: {count: 4, flops: 5GFLOPS}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 300, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
algorithm: {kind: fedavg, clients_per_round: 2, KEYS}
stop: {steps: 4}
)yaml";

std::string with_keys(const std::string& keys) {
  return scenario_text::replace(kFed, "KEYS", keys);
}

std::string write(const ScratchFolder& folder, const std::string& name, const std::string& text) {
  const auto path = folder.path / name;
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

using scenario_text::error_of;

TEST_CASE("the device keys load from YAML and from trace files") {
  ScratchFolder folder("fl-keys");
  const std::string online = write(
      folder, "online.csv", "client,start_s,end_s\nclient0,0,10\nclient2,5,6\nclient0,2,12\n");
  const std::string devices =
      write(folder, "devices.csv", "client,compute,uplink,downlink\nclient1,0.5,2Mbps,20Mbps\n");
  CHECK(error_of(with_keys("availability_trace: " + online)) == "(no error)");
  CHECK(error_of(with_keys("device_trace: " + devices)) == "(no error)");
  CHECK(error_of(with_keys("diurnal: {time_scale: 0.001, mean_session: 1s, peak_fraction: 0.8}, "
                           "tiers: [{name: a, share: 0.5, compute: 0.2, uplink: 1Mbps}, "
                           "{name: b, share: 0.5}], over_selection: 0.5, selection: oort, "
                           "oort: {exploration: 0.5, alpha: 1, preferred_duration: 1s}")) ==
        "(no error)");
  CHECK(error_of(scenario_text::replace(with_keys("selection: uniform"), "fedavg", "fedprox")) ==
        "(no error)");
  // The asynchronous kinds take the same keys, but over_selection (no rounds).
  CHECK(error_of(scenario_text::replace(
            with_keys("availability_trace: " + online +
                      ", tiers: [{name: a, share: 1}], "
                      "selection: oort, client_timeout: 1s, holdout: 0.2"),
            "kind: fedavg, clients_per_round: 2", "kind: fedasync")) == "(no error)");
}

TEST_CASE("device key mistakes are reported at their key, trace rows by file and line") {
  ScratchFolder folder("fl-keys-bad");
  SECTION("a trace row with end before start") {
    const std::string f =
        write(folder, "a.csv", "client,start_s,end_s\nclient0,0,1\nclient1,3,2\n");
    CHECK_THAT(error_of(with_keys("availability_trace: " + f)),
               Catch::Contains("algorithm.availability_trace") && Catch::Contains("a.csv:3:") &&
                   Catch::Contains("end_s must be greater than start_s"));
  }
  SECTION("a wrong header") {
    const std::string f = write(folder, "h.csv", "client,start,end\n");
    CHECK_THAT(error_of(with_keys("availability_trace: " + f)),
               Catch::Contains("h.csv:1: expected the header client,start_s,end_s"));
  }
  SECTION("an unknown client, with a suggestion") {
    const std::string f = write(folder, "u.csv", "client,start_s,end_s\nclinet1,0,1\n");
    CHECK_THAT(error_of(with_keys("availability_trace: " + f)),
               Catch::Contains("u.csv:2:") && Catch::Contains("did you mean 'client1'"));
  }
  SECTION("a row with a missing field, and a bad number") {
    const std::string f = write(folder, "m.csv", "client,start_s,end_s\nclient1,0\n");
    CHECK_THAT(error_of(with_keys("availability_trace: " + f)),
               Catch::Contains("m.csv:2: expected"));
    const std::string g = write(folder, "n.csv", "client,start_s,end_s\nclient1,x,1\n");
    CHECK_THAT(error_of(with_keys("availability_trace: " + g)), Catch::Contains("start_s"));
  }
  SECTION("a missing trace file") {
    CHECK_THAT(error_of(with_keys("availability_trace: /nonexistent/x.csv")),
               Catch::Contains("cannot read the trace file"));
  }
  SECTION("a device trace that lists a client twice or has a bad bandwidth") {
    const std::string f =
        write(folder, "d.csv",
              "client,compute,uplink,downlink\nclient1,1,1Mbps,1Mbps\nclient1,1,1Mbps,1Mbps\n");
    CHECK_THAT(error_of(with_keys("device_trace: " + f)),
               Catch::Contains("d.csv:3: client 'client1' is listed twice"));
    const std::string g =
        write(folder, "e.csv", "client,compute,uplink,downlink\nclient1,1,fast,1Mbps\n");
    CHECK_THAT(error_of(with_keys("device_trace: " + g)), Catch::Contains("e.csv:2: uplink"));
  }
  SECTION("tiers whose shares do not sum to 1") {
    CHECK_THAT(error_of(with_keys("tiers: [{name: a, share: 0.5}]")),
               Catch::Contains("algorithm.tiers") && Catch::Contains("sum to 1"));
  }
  SECTION("an unknown tier key, selection or oort without oort selection") {
    CHECK_THAT(error_of(with_keys("tiers: [{name: a, share: 1, uplnk: 1Mbps}]")),
               Catch::Contains("did you mean 'uplink'"));
    CHECK_THAT(error_of(with_keys("selection: ort")), Catch::Contains("did you mean 'oort'"));
    CHECK_THAT(error_of(with_keys("oort: {alpha: 1}")), Catch::Contains("needs selection: oort"));
  }
  SECTION("a trace and a generator at once; a trough above the peak") {
    CHECK_THAT(error_of(with_keys("availability_trace: x.csv, diurnal: {}")),
               Catch::Contains("not both"));
    CHECK_THAT(error_of(with_keys("diurnal: {peak_fraction: 0.3, trough_fraction: 0.5}")),
               Catch::Contains("algorithm.diurnal.trough_fraction"));
  }
  SECTION("over_selection needs rounds: fedbuff and fedasync refuse it at its key") {
    for (const char* kind : {"kind: fedbuff", "kind: fedasync"}) {
      CHECK_THAT(error_of(scenario_text::replace(with_keys("over_selection: 1"),
                                                 "kind: fedavg, clients_per_round: 2", kind)),
                 Catch::Contains("algorithm.over_selection") &&
                     Catch::Contains("over_selection needs rounds"));
    }
  }
}
