// The lossy compressors' keys inside `algorithm:`: each kind made with its
// parameters, and each mistake reported at its file:line:column.
#include <catch2/catch.hpp>

#include <string>

#include "app/plugin_registry.h"
#include "scenario_text.h"

namespace {

const std::string kPs = R"yaml(name: t
seed: 3
cluster:
  server: {count: 1, flops: 10GFLOPS}
  worker: {count: 4, flops: 5GFLOPS}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 100, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
algorithm: {kind: ps_sync, COMP}
stop: {steps: 5}
)yaml";

std::string with(const std::string& compressor) {
  return scenario_text::replace(kPs, "COMP", "compressor: " + compressor);
}

// The compressor `value` makes, and the wire size it gives 1000 elements.
double bytes_of(const std::string& value) {
  const app::ConfigNode node =
      app::ConfigNode::load_string("{compressor: " + value + "}", "a.yaml");
  return app::load_compressor(node)()->wire_bytes(1000);
}

}  // namespace

using scenario_text::error_of;

TEST_CASE("each compressor is made with its keys") {
  CHECK(bytes_of("{kind: topk, fraction: 0.01}") == 80.0);
  CHECK(bytes_of("{kind: topk, count: 300, error_feedback: true}") == 1325.0);
  CHECK(bytes_of("{kind: randk, fraction: 0.02}") == 160.0);
  CHECK(bytes_of("{kind: qsgd, levels: 255}") == 1129.0);
  CHECK(bytes_of("sign") == 129.0);
  CHECK(bytes_of("{kind: sign, error_feedback: yes}") == 129.0);
  for (const char* kind : {"none", "{kind: topk, fraction: 1}", "{kind: sign}"}) {
    CHECK(error_of(with(kind)) == "(no error)");
  }
}

TEST_CASE("compressor mistakes are reported at their key") {
  SECTION("top-k needs fraction or count, not both") {
    CHECK(error_of(with("{kind: topk}")) ==
          "s.yaml:9:40: algorithm.compressor: missing required key 'fraction' (or 'count')");
    CHECK(error_of(with("{kind: topk, fraction: 0.1, count: 3}")) ==
          "s.yaml:9:40: algorithm.compressor: give fraction or count, not both");
    CHECK(error_of(with("topk")) ==
          "s.yaml:9:40: algorithm.compressor: this compressor needs its keys: write it as "
          "{kind: topk, fraction: 0.01}");
  }
  SECTION("a fraction outside (0, 1], a count below 1") {
    CHECK_THAT(error_of(with("{kind: randk, fraction: 0}")),
               Catch::Contains(
                   "s.yaml:9:64: algorithm.compressor.fraction: fraction must be greater than 0"));
    CHECK_THAT(error_of(with("{kind: randk, fraction: 1.5}")),
               Catch::Contains("s.yaml:9:64: algorithm.compressor.fraction:"));
    CHECK_THAT(error_of(with("{kind: topk, count: 0}")),
               Catch::Contains("s.yaml:9:60: algorithm.compressor.count:"));
  }
  SECTION("QSGD needs levels in [1, 2^31 - 1]") {
    CHECK(error_of(with("qsgd")) ==
          "s.yaml:9:40: algorithm.compressor: this compressor needs its keys: write it as "
          "{kind: qsgd, levels: 16}");
    CHECK_THAT(error_of(with("{kind: qsgd, levels: 0}")),
               Catch::Contains("s.yaml:9:61: algorithm.compressor.levels:"));
    CHECK_THAT(error_of(with("{kind: qsgd, levels: 2147483648}")),
               Catch::Contains("algorithm.compressor.levels:"));
  }
  SECTION("an unknown key, with a did-you-mean; a bad boolean") {
    CHECK_THAT(error_of(with("{kind: sign, error_feedbak: true}")),
               Catch::Contains("algorithm.compressor.error_feedbak: unknown key") &&
                   Catch::Contains("error_feedback"));
    CHECK_THAT(error_of(with("{kind: sign, error_feedback: maybe}")),
               Catch::Contains("algorithm.compressor.error_feedback:"));
  }
  SECTION("all-reduce: gradient averaging only, not with elastic") {
    const std::string ring = scenario_text::replace(with("{kind: topk, fraction: 0.1}"),
                                                    "kind: ps_sync", "kind: allreduce_ring");
    CHECK(error_of(ring) == "(no error)");
    const std::string elastic = scenario_text::replace(
        ring, "kind: allreduce_ring", "kind: allreduce_ring, elastic: {timeout: 1s}");
    CHECK_THAT(
        error_of(elastic),
        Catch::Contains("algorithm.compressor: a lossy compressor does not apply with elastic"));
    CHECK_THAT(error_of(scenario_text::replace(ring, "kind: allreduce_ring", "kind: local_sgd")),
               Catch::Contains("algorithm.compressor: unknown key"));
  }
}
