// Layer profiles from YAML: the keys load, bad values are reported with
// location and a fix (a CSV profile's at the CSV cell), and a profiled run
// goes through faults, clocks and elastic recovery as an MLP run does.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "app/scenario_loader.h"
#include "run/run.h"
#include "scenario_text.h"

namespace {

const std::string kProfiled = R"yaml(name: p
seed: 3
cluster:
  worker: {count: 4, flops: 10TFLOPS}
topology: {kind: star, bandwidth: 10Gbps, latency: 5us}
data: {dataset: synthetic, samples: 1000}
model: {profile: resnet50}
math: none
algorithm: {kind: allreduce_ring, batch_size: 32}
stop: {steps: 3}
)yaml";

std::string write_csv(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("syncsim_app_" + name);
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

using scenario_text::error_of;
using scenario_text::replace;

TEST_CASE("layer profile keys load and reject bad values") {
  SECTION("the built-in profiles and their options load") {
    for (const char* model :
         {"model: {profile: vgg16}", "model: {profile: bert_base, sequence_length: 384}",
          "model: {profile: gpt2_small, efficiency: {linear: 0.7, attention: 0.2}, "
          "step_overhead: 2ms}"}) {
      INFO(model);
      CHECK(error_of(replace(kProfiled, "model: {profile: resnet50}", model)) == "(no error)");
    }
    CHECK(error_of(replace(kProfiled, "batch_size: 32",
                           "batch_size: 32, bucket_cap: 50MiB, "
                           "overlap: false")) == "(no error)");
  }
  SECTION("a profile needs math: none") {
    CHECK(error_of(replace(kProfiled, "math: none", "math: real")) ==
          "s.yaml:7:18: model.profile: a layer profile has no real math to run: set `math: none` "
          "(timing only)");
  }
  SECTION("a misspelt profile") {
    CHECK(error_of(replace(kProfiled, "profile: resnet50", "profile: resnet5")) ==
          "s.yaml:7:18: model.profile: unknown profile 'resnet5' (did you mean 'resnet50'?)");
  }
  SECTION("a sequence length for a CNN, or too long") {
    CHECK(error_of(replace(kProfiled, "resnet50}", "resnet50, sequence_length: 128}")) ==
          "s.yaml:7:45: model.sequence_length: sequence_length applies to bert_base and "
          "gpt2_small only");
    CHECK(error_of(replace(kProfiled, "resnet50}", "bert_base, sequence_length: 513}"))
              .find("model.sequence_length") != std::string::npos);
  }
  SECTION("an efficiency out of range or of an unknown kind") {
    CHECK(error_of(replace(kProfiled, "resnet50}", "resnet50, efficiency: {conv: 0}}"))
              .find("greater than zero") != std::string::npos);
    CHECK(error_of(replace(kProfiled, "resnet50}", "resnet50, efficiency: {cnov: 0.5}}"))
              .find("did you mean 'conv'") != std::string::npos);
  }
  SECTION("buckets without a profile") {
    const std::string mlp =
        replace(replace(kProfiled, "model: {profile: resnet50}", "model: {layers: [20, 8, 4]}"),
                "samples: 1000}", "samples: 1000, features: 20, classes: 4}");
    CHECK(error_of(replace(mlp, "batch_size: 32", "batch_size: 32, bucket_cap: 1MB")) ==
          "s.yaml:9:63: algorithm.bucket_cap: gradient buckets need a layer profile "
          "(model.profile): an MLP's gradient is all-reduced whole");
  }
  SECTION("a CSV profile's error names the CSV file, line, column and column name") {
    const std::string path = write_csv("bad.csv",
                                       "name,kind,parameters,forward_flops,activation_bytes\n"
                                       "a,conv,10,100,4\n"
                                       "b,conv,10,lots,4\n");
    CHECK(error_of(replace(kProfiled, "profile: resnet50", "profile: csv, file: " + path)) ==
          path + ":3:11: forward_flops: expected a number, got 'lots'");
    CHECK(error_of(replace(kProfiled, "profile: resnet50", "profile: csv, file: /no/such.csv")) ==
          "s.yaml:7:29: model.file: /no/such.csv: cannot open the profile file");
  }
}

TEST_CASE("a CSV profile sizes the gradient the all-reduce moves") {
  const std::string path = write_csv("two.csv",
                                     "name,kind,parameters,forward_flops,activation_bytes\n"
                                     "a,conv,999999,1e9,4\n"
                                     "b,linear,1000000,1e9,4\n");
  const app::Scenario s = app::load_scenario_string(
      replace(kProfiled, "profile: resnet50", "profile: csv, file: " + path), "s.yaml");
  const app::RunResult r = syncsim::run(s).runs.at(0);
  CHECK(r.totals.steps == 3);
  // Ring: each of 4 ranks sends 2 x 3/4 of the (P + 1) floats per step.
  CHECK(r.totals.bytes_sent == Approx(3.0 * 4 * 2 * 0.75 * 2'000'000 * 4).epsilon(1e-6));
}

TEST_CASE("a profiled elastic ring survives a crash, on drifting clocks") {
  std::string yaml = replace(kProfiled, "worker: {count: 4, flops: 10TFLOPS}",
                             "worker: {count: 4, flops: 10TFLOPS, straggler: \"uniform(1, 1.2)\", "
                             "clock: {drift_ppm: \"normal(0, 50)\"}}");
  yaml = replace(yaml, "batch_size: 32}", "batch_size: 32, elastic: {timeout: 400ms}}");
  yaml = replace(yaml, "stop: {steps: 3}",
                 "stop: {sim_time: 4s}\nfaults:\n  - {at: 1s, crash: worker3, for: 1s}");
  const app::Scenario s = app::load_scenario_string(yaml, "s.yaml");
  const app::RunResult r = syncsim::run(s).runs.at(0);
  INFO("steps " << r.totals.steps);
  CHECK(r.totals.stop_reason == "sim_time");
  CHECK(r.totals.dropped_by_reason.at("crashed") >= 1);
  // Steps of about 0.4 s: two before the crash at 1 s; the survivors
  // re-form and go on, and the rebooted worker rejoins.
  CHECK(r.totals.steps >= 5);
  std::int64_t dropped = 0;
  for (const auto& [reason, n] : r.totals.dropped_by_reason) dropped += n;
  CHECK(r.totals.updates_produced >= r.totals.updates_applied + dropped);
}

TEST_CASE("ps_sync's per-bucket keys load and reject what they cannot do") {
  std::string ps =
      replace(kProfiled, "worker: {count: 4, flops: 10TFLOPS}",
              "worker: {count: 4, flops: 10TFLOPS}\n  server: {count: 1, flops: 10TFLOPS}");
  ps = replace(ps, "kind: allreduce_ring", "kind: ps_sync");
  SECTION("bucket_cap, overlap and priority load and run") {
    const std::string yaml =
        replace(ps, "batch_size: 32}", "batch_size: 32, bucket_cap: 25MiB, priority: layer_order}");
    CHECK(error_of(yaml) == "(no error)");
    const app::RunResult r = syncsim::run(app::load_scenario_string(yaml, "s.yaml")).runs.at(0);
    CHECK(r.totals.steps == 3);
    CHECK(r.totals.updates_applied == 12);
    const app::RunResult whole = syncsim::run(app::load_scenario_string(ps, "s.yaml")).runs.at(0);
    // The same bytes per step, and the pulls of step 3's pieces applied
    // before the last one (whole-model ps_sync sends none after the stop);
    // overlap makes the steps shorter.
    CHECK(r.totals.bytes_sent > whole.totals.bytes_sent);
    CHECK(r.totals.bytes_sent < whole.totals.bytes_sent + 4.0 * 25'557'032 * 4);
    CHECK(r.totals.time < whole.totals.time);
  }
  SECTION("overlap or priority without bucket_cap") {
    CHECK(error_of(replace(ps, "batch_size: 32}", "batch_size: 32, priority: layer_order}")) ==
          "s.yaml:10:54: algorithm.priority: priority applies to per-bucket push and pull: give "
          "bucket_cap too");
  }
  SECTION("an unknown priority") {
    CHECK(error_of(replace(ps, "batch_size: 32}", "batch_size: 32, bucket_cap: 1MB, priority: p3}"))
              .find("unknown priority 'p3' (expected none or layer_order)") != std::string::npos);
  }
  SECTION("per-bucket push and pull with a recovery or backup key") {
    CHECK(error_of(
              replace(ps, "batch_size: 32}", "batch_size: 32, bucket_cap: 1MB, rpc_timeout: 1s}"))
              .find("algorithm.bucket_cap: per-bucket push and pull has no rpc_timeout") !=
          std::string::npos);
  }
  SECTION("buckets without a profile") {
    std::string mlp =
        replace(replace(ps, "model: {profile: resnet50}", "model: {layers: [20, 8, 4]}"),
                "samples: 1000}", "samples: 1000, features: 20, classes: 4}");
    CHECK(error_of(replace(mlp, "batch_size: 32}", "batch_size: 32, bucket_cap: 1MB}"))
              .find("algorithm.bucket_cap: gradient buckets need a layer profile (model.profile): "
                    "an MLP's gradient is pushed and pulled whole") != std::string::npos);
  }
}
